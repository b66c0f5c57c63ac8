#!/usr/bin/env bash
# npm run build:binary → dist/flanctl-linux-x64: one file that runs flanctl on a node with no Node.js and no
# node_modules (a Node single executable application). Steps: build (tsc + oclif manifest, both embedded), bundle
# bin/binary.js and everything it imports into one CommonJS script (esbuild; a SEA's require reaches built-in modules
# only), turn the script into a blob with V8's code cache (node --experimental-sea-config), inject the blob into a
# copy of the node binary running this script (postject; that node must carry the SEA fuse, as Node 20 does).
# BINARY_SKIP_BUILD=1: reuse dist/ and oclif.manifest.json as they are (the caller just built them).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=dist/binary
BIN=dist/flanctl-linux-x64
FUSE=NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2

[ "${BINARY_SKIP_BUILD:-0}" = 1 ] || npm run build
mkdir -p "$OUT"
# typescript: oclif's loader for development plugins written in TypeScript pulls it in; the binary has none
npx esbuild bin/binary.js --bundle --platform=node --format=cjs --target=node20 --minify --keep-names \
  --external:typescript --legal-comments=none --log-level=warning --outfile="$OUT/flanctl.cjs"
cat > "$OUT/sea.json" <<JSON
{ "main": "$OUT/flanctl.cjs", "output": "$OUT/sea.blob", "disableExperimentalSEAWarning": true, "useCodeCache": true }
JSON
node --experimental-sea-config "$OUT/sea.json" >/dev/null
cp "$(command -v node)" "$BIN.tmp"
# postject's ELF library warns about note sections it does not name; the injection itself is checked below
npx postject "$BIN.tmp" NODE_SEA_BLOB "$OUT/sea.blob" --sentinel-fuse "$FUSE" 2>&1 | grep -v "Can't find string offset" >&2 || true
mv "$BIN.tmp" "$BIN"
"./$BIN" --version >/dev/null || { echo "build:binary: $BIN does not start" >&2; exit 1; }
echo "wrote $BIN ($(du -m "$BIN" | cut -f1) MiB)" >&2
