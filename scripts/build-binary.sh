#!/usr/bin/env bash
# npm run build:binary → dist/flanctl-linux-x64: one file that runs flanctl on a node with no Node.js and no
# node_modules (a Node single executable application): build (tsc + oclif manifest, both embedded), then
# scripts/sea.sh bundles bin/binary.js and injects it into a copy of node (work files in dist/flanctl-linux-x64.sea/).
# BINARY_SKIP_BUILD=1: reuse dist/ and oclif.manifest.json as they are (the caller just built them).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=dist/flanctl-linux-x64

[ "${BINARY_SKIP_BUILD:-0}" = 1 ] || npm run build
# collect's launcher script as text for bin/binary.js, which starts it early (src/collect/early.ts) without
# bundling the step list and the parsers it is built from
node -e 'import("./dist/collect/launcher.js").then((m) => require("node:fs").writeFileSync("dist/collect/launcher-script.json", JSON.stringify(m.LAUNCHER_SCRIPT)))'
# the code cache is trained on the seed trace: oclif, the parsers, the analysis and the table all run in it
SEA_BUNDLES=commands=bin/binary-commands.js bash scripts/sea.sh bin/binary.js "$BIN" trace 10.27.13.5 --from-dir fixtures/nodes/k8snode028
"./$BIN" --version >/dev/null || { echo "build:binary: $BIN does not start" >&2; exit 1; }
echo "wrote $BIN ($(du -m "$BIN" | cut -f1) MiB)" >&2
