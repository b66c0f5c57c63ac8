#!/usr/bin/env bash
# scripts/sea.sh ENTRY BIN [WARM-UP ARGS...]: bundle ENTRY and everything it imports into one CommonJS script
# (esbuild: a single executable's require reaches built-in modules only), make it a blob and inject the blob into
# BIN, a copy of the node running this script (postject; that node must carry the SEA fuse, as Node 20 does).
# Without WARM-UP ARGS the script is the SEA's main, with V8's code cache of its top-level code (useCodeCache).
# With them the blob is a V8 startup snapshot (useSnapshot): node runs the script once at build time with
# FLANCTL_WARM_UP set to those args as JSON (bin/binary.js runs them, so that what they run is compiled) and saves
# the heap; the binary starts from it. SEA_ASSETS="NAME=ENTRY ..." bundles each ENTRY apart as the SEA asset
# NAME.js, which the binary compiles itself when it needs it (bin/binary.js: oclif). Used by build-binary.sh and
# bench/binary.ts.
set -euo pipefail
ENTRY=$1
BIN=$2
shift 2
WORK="$BIN.sea"
FUSE=NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2

rm -rf "$WORK"
mkdir -p "$WORK"
# typescript: oclif's loader for development plugins written in TypeScript pulls it in; a binary has none.
# dynamic-import=false: a SEA's main script has no dynamic import() (no callback), so esbuild turns every import()
# into a require of a module it initialises then.
# string-width: bin/string-width.cjs answers printable ASCII itself (cli-table3 asks for every line it draws).
bundle() { # ENTRY OUT
  npx esbuild "$1" --bundle --platform=node --format=cjs --target=node20 --minify --keep-names \
    --supported:dynamic-import=false --external:typescript --legal-comments=none \
    --alias:string-width=./bin/string-width.cjs --log-level=warning --outfile="$2"
}
bundle "$ENTRY" "$WORK/cli.js"
ASSETS=""
for a in ${SEA_ASSETS:-}; do
  bundle "${a#*=}" "$WORK/${a%%=*}.js"
  ASSETS="$ASSETS${ASSETS:+, }\"${a%%=*}.js\": \"$WORK/${a%%=*}.js\""
done
if [ $# -gt 0 ]; then
  MODE='"useSnapshot": true'
else
  MODE='"useCodeCache": true'
fi
cat > "$WORK/sea.json" <<JSON
{ "main": "$WORK/cli.js", "output": "$WORK/sea.blob", "disableExperimentalSEAWarning": true, $MODE, "assets": { $ASSETS } }
JSON
# the warm-up's output is not wanted; its errors are. It runs with a PATH that holds nothing, so no program path
# of this machine is saved in the heap (collect/runner.ts keeps the paths it finds): a warm-up that needed a program
# would fail the build instead.
FLANCTL_WARM_UP=$(node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@") \
  PATH=/nonexistent "$(command -v node)" --experimental-sea-config "$WORK/sea.json" >/dev/null
cp "$(command -v node)" "$BIN.tmp"
# node's symbol table and debug information (≈ 12 MB of Node 20's 99 MB here) serve no one on a node, and every
# copy to one sends them (binutils' strip)
strip "$BIN.tmp"
# postject's ELF library warns about note sections it does not name; callers check that the result starts
npx postject "$BIN.tmp" NODE_SEA_BLOB "$WORK/sea.blob" --sentinel-fuse "$FUSE" 2>&1 | grep -v "Can't find string offset" >&2 || true
mv "$BIN.tmp" "$BIN"
