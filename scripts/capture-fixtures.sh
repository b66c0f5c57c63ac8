#!/usr/bin/env bash
# Captures real command outputs from a throwaway namespace lab into fixtures/<command>/netns-*.
# Needs root. Never touches the root namespace: everything is built and read inside `fct…` namespaces.
#   npm run fixtures:capture            # refresh the .txt/.json outputs (test/parse/agreement.test.ts checks them)
#   npm run fixtures:capture -- --out DIR # write somewhere else than fixtures/
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "capture-fixtures: needs root (it builds network namespaces)" >&2
  exit 3
fi
exec npx tsx scripts/capture-fixtures.ts "$@"
