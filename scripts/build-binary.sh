#!/usr/bin/env bash
# npm run build:binary → dist/flanctl-linux-x64: one file that runs flanctl on a node with no Node.js and no
# node_modules (a Node single executable application): build (tsc + oclif manifest, both embedded), then
# scripts/sea.sh bundles bin/binary.js and injects it into a copy of node (work files in dist/flanctl-linux-x64.sea/).
# BINARY_SKIP_BUILD=1: reuse dist/ and oclif.manifest.json as they are (the caller just built them).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=dist/flanctl-linux-x64

[ "${BINARY_SKIP_BUILD:-0}" = 1 ] || npm run build
# the startup snapshot is taken after the seed trace ran once: oclif aside, what a command runs is compiled in it
SEA_ASSETS=oclif=bin/binary-oclif.js bash scripts/sea.sh bin/binary.js "$BIN" trace 10.27.13.5 --from-dir fixtures/nodes/k8snode028
"./$BIN" --version >/dev/null || { echo "build:binary: $BIN does not start" >&2; exit 1; }
echo "wrote $BIN ($(du -m "$BIN" | cut -f1) MiB)" >&2
