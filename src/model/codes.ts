// The one catalogue of problem codes: doctor findings, trace hops, the cluster matrix and the desired-state
// loaders name a problem only through `Code`, so one fault has one name everywhere (DESIGN.md "one judgement
// per fact"). The README's table of codes is generated from this list (scripts/codes-table.ts) and a test
// keeps the two equal. Add codes freely; never rename one (JSON consumers match on them).
export type Severity = 'error' | 'warning' | 'info';

export interface CodeInfo {
  severity: Severity;
  /** what is wrong, in a few words */
  summary: string;
  /** what puts it right */
  fix: string;
}

const REPAIR = 'flanctl repair --apply';
const RESTART = 'restart flanneld on this node';

export const CODES = {
  // per peer (analyze/peer-state): what flannel programs for each remote lease
  NEIGH_MISSING: { severity: 'error', summary: 'no PERMANENT neighbour `<subnet>.0 lladdr <VtepMAC>` on flannel.1 (an INCOMPLETE/FAILED entry the kernel made counts as missing)', fix: REPAIR },
  NEIGH_NOT_PERMANENT: { severity: 'error', summary: "the peer's neighbour on flannel.1 is a kernel-resolved entry, not flannel's PERMANENT one", fix: REPAIR },
  VTEP_MAC_MISMATCH: { severity: 'error', summary: "the peer's neighbour on flannel.1 resolves to a MAC other than the peer's VtepMAC (stale after flannel.1 was recreated)", fix: REPAIR },
  FDB_MISSING: { severity: 'error', summary: 'no fdb entry `<VtepMAC> dst <public IP> self permanent` on flannel.1 for the peer', fix: REPAIR },
  FDB_DST_MISMATCH: { severity: 'error', summary: "the fdb entry for the peer's VtepMAC sends to an address other than its public IP", fix: REPAIR },
  FDB_DUPLICATE: { severity: 'warning', summary: "the peer's VtepMAC has several fdb destinations: the kernel sends a copy to each", fix: `${REPAIR} --prune` },
  ROUTE_MISSING: { severity: 'error', summary: "no route for the peer's lease subnet (vxlan: `via <subnet>.0 dev flannel.1 onlink`; host-gw, DirectRouting: `via <public IP>`; ipip: `via <public IP> dev flannel.ipip onlink`)", fix: REPAIR },
  ROUTE_MISMATCH: { severity: 'error', summary: "the route for the peer's lease subnet has another gateway, device or no onlink", fix: REPAIR },
  LEASE_NO_VTEP_MAC: { severity: 'warning', summary: 'a vxlan lease without VtepMAC: this node cannot program the peer', fix: 'restart flanneld on that peer (it re-annotates its lease)' },
  STALE_ROUTE: { severity: 'warning', summary: 'a route on flannel.1 (or to a pod subnet) that no current lease explains (departed node, flannel #2554)', fix: `${REPAIR} --prune` },
  STALE_NEIGH: { severity: 'warning', summary: 'a neighbour on flannel.1 that no current lease explains', fix: `${REPAIR} --prune` },
  STALE_FDB: { severity: 'warning', summary: 'an fdb entry on flannel.1 whose MAC and destination belong to no current lease', fix: `${REPAIR} --prune` },
  FDB_OLD_MAC: { severity: 'info', summary: "an fdb entry for a live node's previous VtepMAC (flannel never deletes it; harmless)", fix: `${REPAIR} --prune` },
  // this node's flannel device
  VXLAN_DEVICE_MISSING: { severity: 'error', summary: 'flannel.<VNI> does not exist', fix: `${REPAIR} (recreates it from the lease), or ${RESTART}` },
  VXLAN_DEVICE_DOWN: { severity: 'error', summary: 'flannel.<VNI> is down: the kernel dropped its routes and neighbours', fix: REPAIR },
  VXLAN_DEVICE_WRONG_KIND: { severity: 'error', summary: 'flannel.<VNI> exists but is not a vxlan device', fix: RESTART },
  VXLAN_VNI_MISMATCH: { severity: 'error', summary: "flannel.<VNI>'s VNI is not the lease's / net-conf's", fix: RESTART },
  VXLAN_PORT_MISMATCH: { severity: 'error', summary: "flannel.<VNI>'s UDP port is not net-conf's Backend.Port (default 8472)", fix: RESTART },
  VXLAN_LOCAL_MISMATCH: { severity: 'error', summary: "flannel.<VNI>'s local address is not the lease's public IP", fix: `check flanneld --iface / --public-ip, then ${RESTART}` },
  VXLAN_LOCAL_NOT_OURS: { severity: 'error', summary: "flannel.<VNI>'s local address is not an address of this node", fix: RESTART },
  VXLAN_LEARNING_ON: { severity: 'warning', summary: 'flannel.<VNI> has learning on; flannel creates it with nolearning', fix: RESTART },
  LEASE_MAC_MISMATCH: { severity: 'error', summary: "this node's flannel.<VNI> MAC is not its own lease's VtepMAC: peers send to a MAC nobody has (flannel #1795)", fix: `${RESTART} (it re-annotates the lease)` },
  LEASE_IP_MISMATCH: { severity: 'warning', summary: "this node's lease PublicIP is not flannel.<VNI>'s local address (fine only behind NAT with public-ip-overwrite)", fix: 'check public-ip-overwrite / --public-ip' },
  VXLAN_ADDR_MISSING: { severity: 'error', summary: 'flannel.<VNI> has no `<lease>.0/32` overlay address', fix: REPAIR },
  VXLAN_ADDR_WRONG: { severity: 'error', summary: "flannel.<VNI>'s overlay address is not `<lease>.0/32` (lease changed?)", fix: REPAIR },
  VXLAN_ADDR_EXTRA: { severity: 'warning', summary: 'flannel.<VNI> has overlay addresses besides `<lease>.0/32` (flannel #883)', fix: `${REPAIR} --prune` },
  MTU_MISMATCH: { severity: 'warning', summary: 'MTU chain broken: pod bridge ≤ tunnel ≤ underlay − overhead (vxlan 50, vxlan over IPv6 70, ipip 20), tunnel = FLANNEL_MTU', fix: 'set the tunnel MTU (or Backend.MTU), then recreate pods' },
  IPIP_DEVICE_MISSING: { severity: 'error', summary: 'flannel.ipip does not exist', fix: RESTART },
  IPIP_DEVICE_DOWN: { severity: 'error', summary: 'flannel.ipip is down', fix: 'ip link set flannel.ipip up' },
  IPIP_CONFIG: { severity: 'error', summary: "the ipip device's local address is not an address of this node", fix: RESTART },
  // the wireguard backend (analyze/peer-state, wireguardPeerState): flannel-wg's peers against the leases' IPv4
  // halves, flannel-wg-v6's against their IPv6 halves (Mode separate)
  WG_DEVICE_MISSING: { severity: 'error', summary: 'flannel-wg (flannel-wg-v6 for IPv6) is not a WireGuard device here: no overlay traffic of that family leaves or enters this node', fix: RESTART },
  WG_KEY_MISMATCH: { severity: 'error', summary: "flannel-wg's (or flannel-wg-v6's) public key is not the one this node's lease announces", fix: RESTART },
  WG_PORT_MISMATCH: { severity: 'error', summary: "flannel-wg's (or flannel-wg-v6's) listen port is not the one this node's lease announces", fix: RESTART },
  LEASE_NO_PUBLIC_KEY: { severity: 'warning', summary: 'a wireguard lease without PublicKey: this node cannot program the peer', fix: 'restart flanneld on that peer' },
  WG_PEER_MISSING: { severity: 'error', summary: "flannel-wg (flannel-wg-v6 for a lease's IPv6 half) has no peer with the lease's PublicKey", fix: RESTART },
  WG_PEER_KEY_MISMATCH: { severity: 'error', summary: "the peer carrying a lease's subnet has another key than the lease's", fix: RESTART },
  WG_ENDPOINT_MISMATCH: { severity: 'error', summary: "a peer's endpoint is not the lease's <public IP>:<Port> ([<public-ipv6>]:<Port> on flannel-wg-v6)", fix: RESTART },
  WG_ALLOWED_IPS_MISMATCH: { severity: 'error', summary: "a peer's allowed-ips lack the lease subnet", fix: RESTART },
  WG_STALE_PEER: { severity: 'warning', summary: 'a peer of flannel-wg (or flannel-wg-v6) that belongs to no current lease (departed node, or a key that changed)', fix: 'wg set <device> peer <key> remove' },
  // the path a packet takes (trace)
  NO_ROUTE: { severity: 'error', summary: 'no route covers the destination (or only the default route, for a pod address) and no lease names it (with a lease: ROUTE_MISSING)', fix: 'give the desired state (--nodes, --kube, --etcd) to name the peer' },
  ROUTE_WRONG_DEV: { severity: 'error', summary: 'the destination is routed to the wrong kind of device (a node IP into the overlay, a remote pod to the bridge, a pod the node does not hold)', fix: 'remove the route that takes the traffic' },
  ROUTE_GATEWAY_NOT_DIRECT: { severity: 'error', summary: "host-gw's gateway is itself behind a router: host-gw needs the nodes on one L2 network", fix: 'use vxlan, or DirectRouting' },
  ROUTE_BLACKHOLE: { severity: 'error', summary: 'a blackhole route drops the packet', fix: 'ip route del the blackhole route' },
  ROUTE_UNREACHABLE: { severity: 'error', summary: 'an unreachable route rejects the packet', fix: 'ip route del the unreachable route' },
  ROUTE_PROHIBIT: { severity: 'error', summary: 'a prohibit route rejects the packet', fix: 'ip route del the prohibit route' },
  NEIGH_FAILED: { severity: 'error', summary: "the kernel's ARP for a next hop (the peer node, a local pod) got no answer: FAILED", fix: 'check the underlay link / the pod' },
  NEIGH_INCOMPLETE: { severity: 'warning', summary: "the kernel's ARP for a next hop (the peer node, a local pod) is unanswered so far: INCOMPLETE", fix: 'check the underlay link / the pod' },
  REVERSE_PATH_MISMATCH: { severity: 'error', summary: 'replies from the target node go to another node than the source', fix: "repair the target node's route for the source subnet" },
  // the pod side
  BRIDGE_DOWN: { severity: 'error', summary: 'the pod bridge is down', fix: 'ip link set cni0 up' },
  BRIDGE_SUBNET_MISMATCH: { severity: 'error', summary: "the pod bridge's address is not FLANNEL_SUBNET's gateway (flannel #1850)", fix: 'drain the node, delete cni0 (the bridge plugin recreates it)' },
  VETH_NO_MASTER: { severity: 'error', summary: "a pod's host veth is not on the pod bridge", fix: 'ip link set <veth> master cni0' },
  VETH_WRONG_MASTER: { severity: 'error', summary: "a pod's host veth is on another bridge", fix: 'ip link set <veth> master cni0' },
  VETH_DOWN: { severity: 'error', summary: "a pod's host veth is down", fix: 'ip link set <veth> up' },
  VETH_MISSING: { severity: 'error', summary: 'a route points at a veth that does not exist (pod gone, route stale)', fix: 'ip route del the stale route' },
  VETH_NO_POD: { severity: 'warning', summary: "a veth on the pod bridge that is no pod's eth0 peer (leaked by a CNI DEL that never ran)", fix: 'check it is unused, then ip link del <veth>' },
  POD_NOT_FOUND: { severity: 'error', summary: 'no host veth on the bridge leads to the pod IP', fix: 'check the pod exists on this node' },
  POD_VETH_MISSING: { severity: 'error', summary: "a pod's eth0 peer does not exist on the host", fix: 'recreate the pod' },
  POD_IFLINK_MISMATCH: { severity: 'error', summary: "the pod's eth0 iflink is not the host veth's ifindex", fix: 'recreate the pod' },
  IPAM_LEAK: { severity: 'warning', summary: 'a host-local IPAM allocation with no pod', fix: 'remove the file under /var/lib/cni/networks/<net>/' },
  // subnet.env, sysctls, iptables, offload
  SUBNET_ENV_MISSING: { severity: 'error', summary: 'subnet.env is missing: the flannel CNI plugin fails every new pod', fix: 'fix flanneld (see its logs); do not write subnet.env by hand' },
  SUBNET_ENV_INVALID: { severity: 'error', summary: 'FLANNEL_SUBNET is missing or not a CIDR', fix: RESTART },
  SUBNET_ENV_LEASE_MISMATCH: { severity: 'error', summary: "FLANNEL_SUBNET is not this node's lease", fix: `${RESTART}, then recreate pods` },
  SUBNET_ENV_NETWORK_MISMATCH: { severity: 'error', summary: 'FLANNEL_NETWORK is not the configured Network', fix: RESTART },
  SUBNET_ENV_MTU_MISMATCH: { severity: 'warning', summary: "FLANNEL_MTU is not flannel.<VNI>'s MTU", fix: `${RESTART}, then recreate pods` },
  LOCAL_LEASE_NOT_FOUND: { severity: 'warning', summary: 'no lease belongs to this node: every lease is treated as a peer', fix: 'name the node with --node' },
  IP_FORWARD_OFF: { severity: 'error', summary: 'net.ipv4.ip_forward = 0', fix: 'sysctl -w net.ipv4.ip_forward=1 (persist in /etc/sysctl.d/)' },
  BR_NETFILTER_MISSING: { severity: 'warning', summary: 'br_netfilter is not loaded (flannel #2166)', fix: 'modprobe br_netfilter' },
  BRIDGE_NF_CALL_IPTABLES_OFF: { severity: 'warning', summary: 'net.bridge.bridge-nf-call-iptables = 0', fix: 'sysctl -w net.bridge.bridge-nf-call-iptables=1' },
  FORWARD_DROP_NO_FLANNEL_FWD: { severity: 'error', summary: 'FORWARD policy DROP and no FLANNEL-FWD accepts', fix: 'flanneld --iptables-forward-rules=true' },
  FORWARD_REJECT_BEFORE_FLANNEL: { severity: 'warning', summary: 'a REJECT/DROP in FORWARD before the FLANNEL-FWD jump (firewalld?)', fix: 'move the FLANNEL-FWD jump first' },
  MASQ_MISSING: { severity: 'warning', summary: 'FLANNEL_IPMASQ=true but no FLANNEL-POSTRTG masquerade', fix: RESTART },
  NFT_TABLE_MISSING: { severity: 'error', summary: "nftables mode (net-conf EnableNFTables, or flannel's table present): table ip flannel-ipv4 (ip6 flannel-ipv6) does not exist", fix: RESTART },
  NFT_MASQ_MISSING: { severity: 'warning', summary: "nftables mode: chain postrtg of flannel's table has no masquerade (or does not exist)", fix: RESTART },
  NFT_MASQ_RULE_MISSING: { severity: 'warning', summary: "nftables mode: chain postrtg lacks one of flannel's six rules (named in the evidence)", fix: RESTART },
  NFT_MASQ_ORDER: { severity: 'warning', summary: "nftables mode: a masquerade comes before flannel's returns in postrtg", fix: RESTART },
  NFT_CHAIN_HOOK: { severity: 'warning', summary: 'nftables mode: postrtg/forward not hooked as flannel creates them', fix: RESTART },
  NFT_FORWARD_RULE_MISSING: { severity: 'warning', summary: "nftables mode: flannel's forward chain lacks its two accepts", fix: RESTART },
  NFT_FORWARD_DROP: { severity: 'warning', summary: "nftables mode: another table's forward base chain drops by policy (flannel's accept in its own table does not override it)", fix: "accept the pod network in that table's forward chain" },
  FLANNEL_RULES_BOTH_BACKENDS: { severity: 'warning', summary: "flannel's rules in iptables (FLANNEL-* chains) and nftables at once: leftovers of an EnableNFTables switch", fix: 'remove the backend flannel no longer uses' },
  IPTABLES_LEGACY_AND_NFT: { severity: 'warning', summary: 'rules in both the legacy and the nf_tables iptables backend (flannel #1317)', fix: 'use one backend everywhere' },
  TX_CSUM_OFFLOAD_ON: { severity: 'warning', summary: 'tx-checksum-ip-generic on flannel.<VNI> (flannel #1279; info on kernels ≥ 5.7)', fix: 'ethtool -K flannel.1 tx-checksum-ip-generic off' },
  // the desired state itself (leases/)
  LEASE_DUPLICATE_SUBNET: { severity: 'error', summary: 'two leases hold one subnet', fix: 'fix the podCIDRs / etcd keys' },
  LEASE_BAD_BACKEND_DATA: { severity: 'warning', summary: 'backend-data is not JSON, or its VtepMAC is not a MAC', fix: 'restart flanneld on that node' },
  LEASE_BAD_PUBLIC_IP: { severity: 'warning', summary: 'the public-ip annotation / PublicIP is missing or not an IPv4 address', fix: 'restart flanneld on that node' },
  LEASE_BAD_CONFIG: { severity: 'warning', summary: "net-conf.json (ConfigMap or etcd config) is not JSON or not a flannel net-conf", fix: 'fix kube-flannel-cfg / <prefix>/config' },
  LEASE_BAD_KEY: { severity: 'warning', summary: 'an etcd key under subnets/ is not a flannel subnet key', fix: 'remove the key' },
  LEASE_BAD_VALUE: { severity: 'warning', summary: 'an etcd lease value is not a JSON object', fix: 'remove the key; flanneld re-creates its lease' },
  LEASE_BAD_SUBNET: { severity: 'warning', summary: "a lease's (IPv6) subnet is not a prefix of its family: that half of the lease is left out", fix: 'fix the podCIDRs / etcd key' },
  LEASE_SUBNET_UNSAFE: { severity: 'error', summary: 'a lease subnet (IPv4, or the IPv6 half of a dual-stack lease) that is no prefix, the default route, or reserved space (loopback, link-local, multicast): refused, never programmed', fix: 'fix the lease at its source' },
  LEASE_SUBNET_OUTSIDE_NETWORK: { severity: 'error', summary: 'a lease subnet outside the flannel Network: refused, never programmed', fix: 'fix the lease at its source' },
  LEASE_SUBNET_OVERLAPS_NODE: { severity: 'error', summary: "a lease subnet overlapping this node's own lease, addresses or connected routes: refused on this node", fix: 'fix the lease at its source' },
  LEASE_BAD_VTEP_MAC: { severity: 'error', summary: 'a lease VtepMAC that is not a unicast MAC: refused, never programmed', fix: 'restart flanneld on that node' },
  LEASE_NOT_A_NODE: { severity: 'warning', summary: 'an item of the nodes list is not a Node object', fix: 'give `kubectl get nodes -o json`' },
  LEASE_NOT_FLANNEL: { severity: 'info', summary: 'a node without flannel annotations (ignored)', fix: 'none needed unless flannel should run there' },
  LEASE_NOT_KUBE_SUBNET_MANAGER: { severity: 'warning', summary: 'a node without kube-subnet-manager: "true": its peers ignore it', fix: 'restart flanneld on that node' },
  LEASE_NO_SUBNET: { severity: 'warning', summary: 'a node with no podCIDR ("pod cidr not assigned")', fix: 'assign a podCIDR (kube-controller-manager --allocate-node-cidrs)' },
  LEASE_NO_CONFIG: { severity: 'info', summary: 'no kube-flannel-cfg ConfigMap: Network, VNI, Port, DirectRouting assumed default', fix: 'give --nodes with net-conf, or --etcd' },
  LEASE_OVERWRITE_PENDING: { severity: 'warning', summary: 'public-ip-overwrite not yet copied into public-ip', fix: 'restart flanneld on that node' },
  // repair
  ROUTE_NOT_OVERLAY: { severity: 'warning', summary: "repair leaves a route alone that is not flannel's (the kernel's connected route, a link route, a route on a non-overlay device)", fix: 'remove that route by hand if it is wrong' },
  // cluster mode
  NODE_UNREACHABLE: { severity: 'warning', summary: 'a node of the cluster directory was not collected: its row and column are missing', fix: 'collect it again (collect --all)' },
  // the live probe (analyze/probe-verdict): where a probe stopped when neither trace nor doctor names the cause
  PROBE_NOT_SENT: { severity: 'error', summary: 'the probe never reached the pod veth: the pod did not send it', fix: 'check the pod: ip netns exec <pod> ip route; its ARP for the gateway' },
  PROBE_LOST_AT_BRIDGE: { severity: 'error', summary: 'a host veth did not hand the probe to the bridge, or the bridge not to the pod veth', fix: 'the veth must be up and enslaved to the bridge (ip link set <veth> master cni0 up)' },
  PROBE_NOT_FORWARDED: { severity: 'error', summary: 'the node did not forward the probe between the bridge and the overlay device', fix: 'the route to the pod subnet, net.ipv4.ip_forward, the iptables/nft FORWARD policy and rules, rp_filter' },
  PROBE_NOT_ENCAPSULATED: { severity: 'error', summary: 'the overlay device did not send the probe out on the underlay', fix: 'the neigh (VtepMAC) and the fdb entry (VtepMAC → node IP) on the overlay device' },
  PROBE_LOST_ON_UNDERLAY: { severity: 'error', summary: "the probe left this node but never reached the target node's interface", fix: 'the underlay between the nodes: a firewall on the VXLAN port, routing, MTU' },
  PROBE_NOT_DECAPSULATED: { severity: 'error', summary: "the target node received the probe but its overlay device did not take it", fix: "the inner destination MAC must be the target's VtepMAC; VNI and VXLAN port must match" },
  PROBE_NO_ANSWER: { severity: 'error', summary: 'the probe left the node (or reached the pod) and no answer came back', fix: 'on the remote node: its VtepMAC, FORWARD policy, rp_filter; is the remote pod running?' },
  PROBE_MTU_EXCEEDED: { severity: 'error', summary: 'the probe is larger than the path MTU (ICMP frag-needed, or an inner packet over the underlay MTU)', fix: "flannel.1's MTU = underlay − 50 (v6: − 70); pod MTU from subnet.env FLANNEL_MTU" },
  PROBE_BAD_CHECKSUM: { severity: 'error', summary: 'the decoder saw a bad IPv4 header or outer UDP checksum on the probe', fix: 'checksum offload on the underlay or vxlan device (ethtool -K <dev> tx-checksum-ip-generic off), or a rule rewriting the packet' },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export const severityOf = (code: Code): Severity => CODES[code].severity;
