#!/usr/bin/env bash
# npm run bench: build, then the four issue-7 benchmarks (start-up, scale, live collection, apply) and the decode
# benchmark if bench/decode.sh exists; prints the ratios against each target and writes bench/out/ (gitignored):
# results.json, hyperfine-*.json exports, benchmarks-sections.md (the tables in BENCHMARKS.md).
# Needs hyperfine (installed here with apt-get when missing) and, for collect/apply, root (network namespaces).
# BENCH_QUICK=1: fewer runs. BENCH_SIZES="500 5000": other peer counts for the scale benchmark.
# BENCH_DECODE=0: skip the decode benchmark (bench/decode.sh, a few minutes on its own).
set -uo pipefail
cd "$(dirname "$0")/.."
# a node's environment: Node loads NODE_EXTRA_CA_CERTS's certificates at every start (≈ 31 ms here; bench/lib.ts)
unset NODE_EXTRA_CA_CERTS
OUT=bench/out
mkdir -p "$OUT"

# delete the namespaces the live benchmarks created, however we exit
cleanup() {
  if [ -f "$OUT/netns.list" ]; then
    while read -r ns; do ip netns del "$ns" 2>/dev/null || true; done < "$OUT/netns.list"
    rm -f "$OUT/netns.list"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! command -v hyperfine >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing hyperfine (apt-get)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends hyperfine >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends hyperfine >&2; }
  fi
  command -v hyperfine >/dev/null 2>&1 || { echo "bench: hyperfine is required (apt-get install hyperfine)" >&2; exit 3; }
fi

npm run build >&2 && BINARY_SKIP_BUILD=1 npm run build:binary >&2 || { echo "bench: npm run build / build:binary failed" >&2; exit 1; }
rm -f "$OUT/results.json"
# what was measured, for the report's machine line
BENCH_REV="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && echo ' (+ uncommitted changes)')"
BENCH_STARTED="$(date -u +%Y-%m-%dT%H:%MZ)"
export BENCH_REV BENCH_STARTED

failed=()
step() {
  local name=$1
  shift
  echo
  echo "######## $name"
  "$@" || failed+=("$name")
}
tsx() { node --import tsx "$@"; }

step generate tsx bench/scale.ts generate
step startup tsx bench/startup.ts
step scale tsx bench/scale.ts
step binary tsx bench/binary.ts
step trace-phases tsx bench/trace-phases.ts
if [ "$(id -u)" -eq 0 ] && ip netns list >/dev/null 2>&1; then
  step collect tsx bench/collect.ts
  step collect-pods tsx bench/collect-pods.ts
  step fanout tsx bench/fanout.ts
  step apply tsx bench/apply.ts
  step probe tsx bench/probe.ts
else
  echo "collect, apply, probe: not measured (need root for network namespaces)"
fi
if [ -f bench/decode.sh ] && [ "${BENCH_DECODE:-1}" != 0 ]; then step decode bash bench/decode.sh; fi
step report tsx bench/report.ts

if [ "${#failed[@]}" -gt 0 ]; then
  echo "bench: failed steps: ${failed[*]}" >&2
  exit 1
fi
