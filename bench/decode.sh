#!/usr/bin/env bash
# Decode benchmark (issue 5), runnable alone or from bench/run.sh: flanctl decode vs tcpdump and tshark on a
# generated 1,000,000-packet VXLAN capture, plus 4,000,000 packets for memory flatness. Figures: BENCHMARKS.md.
#   bash bench/decode.sh                 # default: 1M and 4M packets (a few minutes)
#   bash bench/decode.sh --packets 200000 --no-large --no-tshark   # quick
set -euo pipefail
cd "$(dirname "$0")/.."
# a node's environment: Node loads NODE_EXTRA_CA_CERTS's certificates at every start (≈ 31 ms here; bench/lib.ts)
unset NODE_EXTRA_CA_CERTS
need=()
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
[ -x /usr/bin/time ] || need+=(time)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "bench/decode: needs ${need[*]} (apt-get install -y ${need[*]})" >&2; exit 3; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi
[ -f dist/commands/decode.js ] || npm run build >&2
exec npx tsx bench/decode.ts "$@"
