#!/usr/bin/env bash
# scripts/sea.sh ENTRY BIN [TRAIN ARGS...]: bundle ENTRY and everything it imports into one CommonJS script
# (esbuild: a single executable's require reaches built-in modules only), make it a blob and inject the blob into
# BIN, a copy of the node running this script (postject; that node must carry the SEA fuse, as Node 20 does).
# Without TRAIN ARGS the script is the SEA's main, with V8's code cache of its top-level code (useCodeCache).
# With TRAIN ARGS the bundle runs once with them at build time (scripts/sea-train.cjs) and the binary carries the
# bundle and the code cache made after that run as assets, started by scripts/sea-loader.cjs.
# Used by build-binary.sh and bench/binary.ts.
set -euo pipefail
ENTRY=$1
BIN=$2
shift 2
WORK="$BIN.sea"
FUSE=NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2

mkdir -p "$WORK"
# typescript: oclif's loader for development plugins written in TypeScript pulls it in; a binary has none.
# dynamic-import=false: a SEA's main script has no dynamic import() (no callback), so esbuild turns every import()
# left in the bundle (of a built-in module, e.g. `await import('node:stream')`) into a require.
npx esbuild "$ENTRY" --bundle --platform=node --format=cjs --target=node20 --minify --keep-names \
  --supported:dynamic-import=false --external:typescript --legal-comments=none --log-level=warning \
  --outfile="$WORK/main.cjs"
if [ $# -gt 0 ]; then
  node "$(dirname "$0")/sea-train.cjs" "$WORK/main.cjs" "$WORK/main.cache" "$@" >/dev/null
  cat > "$WORK/sea.json" <<JSON
{ "main": "$(dirname "$0")/sea-loader.cjs", "output": "$WORK/sea.blob", "disableExperimentalSEAWarning": true,
  "assets": { "cli.js": "$WORK/main.cjs", "cli.cache": "$WORK/main.cache" } }
JSON
else
  cat > "$WORK/sea.json" <<JSON
{ "main": "$WORK/main.cjs", "output": "$WORK/sea.blob", "disableExperimentalSEAWarning": true, "useCodeCache": true }
JSON
fi
node --experimental-sea-config "$WORK/sea.json" >/dev/null
cp "$(command -v node)" "$BIN.tmp"
# postject's ELF library warns about note sections it does not name; callers check that the result starts
npx postject "$BIN.tmp" NODE_SEA_BLOB "$WORK/sea.blob" --sentinel-fuse "$FUSE" 2>&1 | grep -v "Can't find string offset" >&2 || true
mv "$BIN.tmp" "$BIN"
