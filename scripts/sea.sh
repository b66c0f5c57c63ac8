#!/usr/bin/env bash
# scripts/sea.sh ENTRY BIN [TRAIN ARGS...]: bundle ENTRY and everything it imports into one CommonJS script
# (esbuild: a single executable's require reaches built-in modules only), make it a blob and inject the blob into
# BIN, a copy of the node running this script (postject; that node must carry the SEA fuse, as Node 20 does).
# Without TRAIN ARGS the script is the SEA's main, with V8's code cache of its top-level code (useCodeCache).
# With TRAIN ARGS the bundle runs once with them at build time (scripts/sea-train.cjs) and the binary carries the
# bundle (asset cli.js, stored as Latin-1) and the code cache made after that run (cli.cache) as assets, started by
# scripts/sea-loader.cjs. SEA_BUNDLES="NAME=ENTRY ..." (with TRAIN ARGS only) adds bundles the CLI loads later
# through the loader (NAME.js, NAME.cache): not compiled at all by a start-up that does not ask for them. They leave
# @oclif/core out: the commands load no oclif (src/cli/dispatch.ts), and one that did would fail the binary's tests.
# Used by build-binary.sh and bench/binary.ts.
set -euo pipefail
ENTRY=$1
BIN=$2
shift 2
WORK="$BIN.sea"
FUSE=NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2

bundle() { # ENTRY OUT [esbuild options]
  # typescript: oclif's loader for development plugins written in TypeScript pulls it in; a binary has none.
  # dynamic-import=false: a SEA's main script has no dynamic import() (no callback), so esbuild turns every import()
  # left in the bundle (of a built-in module, e.g. `await import('node:stream')`) into a require.
  # flanctl:sea is scripts/sea-loader.cjs itself (its loadBundle).
  # string-width: bin/string-width.cjs answers printable ASCII itself (cli-table3 asks for every line it draws).
  npx esbuild "$1" --bundle --platform=node --format=cjs --target=node20 --minify --keep-names \
    --supported:dynamic-import=false --external:typescript --external:flanctl:sea --legal-comments=none \
    --alias:string-width=./bin/string-width.cjs \
    --log-level=warning --outfile="$2" "${@:3}"
}

latin1() { # FILE: rewrite a bundle as Latin-1, one byte a character, as scripts/sea-loader.cjs reads it. esbuild
  # escapes non-ASCII text except inside regular expression literals; one above U+00FF must be an escape in the source
  node -e '
const { readFileSync, writeFileSync } = require("node:fs");
const file = process.argv[1];
const text = readFileSync(file, "utf8");
const at = text.search(/[^\0-\xff]/);
if (at >= 0) {
  const c = text.codePointAt(at).toString(16).toUpperCase().padStart(4, "0");
  console.error(`sea.sh: ${file} holds U+${c} at ${at} (${JSON.stringify(text.slice(at - 40, at + 10))}): write it as \\u${c} in the source`);
  process.exit(1);
}
writeFileSync(file, text, "latin1");' "$1"
}

rm -rf "$WORK"
mkdir -p "$WORK"
bundle "$ENTRY" "$WORK/cli.js"
[ $# -eq 0 ] || latin1 "$WORK/cli.js"
ASSETS="\"cli.js\": \"$WORK/cli.js\", \"cli.cache\": \"$WORK/cli.cache\""
for b in ${SEA_BUNDLES:-}; do
  [ $# -gt 0 ] || { echo "sea.sh: SEA_BUNDLES needs TRAIN ARGS (bundles are started by the loader)" >&2; exit 2; }
  name=${b%%=*}
  bundle "${b#*=}" "$WORK/$name.js" --external:@oclif/core --external:'@oclif/core/*'
  latin1 "$WORK/$name.js"
  ASSETS="$ASSETS, \"$name.js\": \"$WORK/$name.js\", \"$name.cache\": \"$WORK/$name.cache\""
done
if [ $# -gt 0 ]; then
  node "$(dirname "$0")/sea-train.cjs" "$WORK" "$@" >/dev/null
  cat > "$WORK/sea.json" <<JSON
{ "main": "$(dirname "$0")/sea-loader.cjs", "output": "$WORK/sea.blob", "disableExperimentalSEAWarning": true,
  "assets": { $ASSETS } }
JSON
else
  cat > "$WORK/sea.json" <<JSON
{ "main": "$WORK/cli.js", "output": "$WORK/sea.blob", "disableExperimentalSEAWarning": true, "useCodeCache": true }
JSON
fi
node --experimental-sea-config "$WORK/sea.json" >/dev/null
cp "$(command -v node)" "$BIN.tmp"
# postject's ELF library warns about note sections it does not name; callers check that the result starts
npx postject "$BIN.tmp" NODE_SEA_BLOB "$WORK/sea.blob" --sentinel-fuse "$FUSE" 2>&1 | grep -v "Can't find string offset" >&2 || true
mv "$BIN.tmp" "$BIN"
