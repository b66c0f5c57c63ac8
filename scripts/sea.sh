#!/usr/bin/env bash
# scripts/sea.sh ENTRY BIN: bundle ENTRY and everything it imports into one CommonJS script (esbuild: a single
# executable's require reaches built-in modules only), make it a blob with V8's code cache
# (node --experimental-sea-config), and inject the blob into BIN, a copy of the node running this script (postject;
# that node must carry the SEA fuse, as Node 20 does). Used by build-binary.sh and bench/binary.ts.
set -euo pipefail
ENTRY=$1
BIN=$2
WORK="$BIN.sea"
FUSE=NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2

mkdir -p "$WORK"
# typescript: oclif's loader for development plugins written in TypeScript pulls it in; a binary has none.
# dynamic-import=false: a SEA's main script has no dynamic import() (no callback), so esbuild turns every import()
# left in the bundle (of a built-in module, e.g. `await import('node:stream')`) into a require.
npx esbuild "$ENTRY" --bundle --platform=node --format=cjs --target=node20 --minify --keep-names \
  --supported:dynamic-import=false --external:typescript --legal-comments=none --log-level=warning \
  --outfile="$WORK/main.cjs"
cat > "$WORK/sea.json" <<JSON
{ "main": "$WORK/main.cjs", "output": "$WORK/sea.blob", "disableExperimentalSEAWarning": true, "useCodeCache": true }
JSON
node --experimental-sea-config "$WORK/sea.json" >/dev/null
cp "$(command -v node)" "$BIN.tmp"
# postject's ELF library warns about note sections it does not name; callers check that the result starts
npx postject "$BIN.tmp" NODE_SEA_BLOB "$WORK/sea.blob" --sentinel-fuse "$FUSE" 2>&1 | grep -v "Can't find string offset" >&2 || true
mv "$BIN.tmp" "$BIN"
