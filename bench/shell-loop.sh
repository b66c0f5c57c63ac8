#!/usr/bin/env bash
# The alternative to `flanctl repair --apply` that bench/apply.ts times: restoring flannel's peers by hand, one
# `ip`/`bridge` command per entry in flannel's order (neigh, fdb, route), from a shell loop.
# Usage, inside the node's namespace: bash bench/shell-loop.sh PEERS.tsv   (subnet, gateway, VtepMAC, node IP per line)
set -euo pipefail
while IFS=$'\t' read -r subnet gw mac ip; do
  ip neigh replace "$gw" lladdr "$mac" dev flannel.1 nud permanent
  bridge fdb replace "$mac" dev flannel.1 dst "$ip" self permanent
  ip route replace "$subnet" via "$gw" dev flannel.1 onlink
done < "$1"
