#!/usr/bin/env bash
# Installs the Debian packages the tests need, only those whose programs are missing.
# Runs as `npm test`'s pretest step; needs root (CI and the dev machines run as root).
set -euo pipefail

# program -> Debian package
declare -A need=(
  [ip]=iproute2 [bridge]=iproute2 [brctl]=bridge-utils [route]=net-tools [arp]=net-tools
  [iptables-save]=iptables [ethtool]=ethtool [tcpdump]=tcpdump [tshark]=tshark
  [etcd]=etcd-server [etcdctl]=etcd-client [sshd]=openssh-server [ssh]=openssh-client
  [ssh-keygen]=openssh-client [sysctl]=procps [ping]=iputils-ping [nsenter]=util-linux
  [kubectl]=kubernetes-client [openssl]=openssl [nft]=nftables [strip]=binutils
)
missing=()
for prog in "${!need[@]}"; do
  command -v "$prog" >/dev/null 2>&1 || [ -x "/usr/sbin/$prog" ] || missing+=("${need[$prog]}")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
  echo "flanctl tests need these Debian packages: ${pkgs[*]} (run as root, or: apt-get install -y ${pkgs[*]})" >&2
  exit 1
fi
echo "installing test dependencies: ${pkgs[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${pkgs[@]}" >&2
