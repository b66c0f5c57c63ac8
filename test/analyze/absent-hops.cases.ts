// The trace faults of test/analyze/absent-hops.test.ts: each one change to the netns lab's healthy node
// (test/doctor/fixture.ts), the destination traced, the hop that must name the code, and the inputs that show it.
import type { DesiredState } from '../../src/model/lease.js';
import { dualNode, type Input, removeWhere, wgDualNode, wgNode } from '../doctor/fault-cases.js';
import { link, NODE2_MAC, type Raw } from '../doctor/fixture.js';

const route = (r: Raw, dst: string): Raw => r.routes.find((x: Raw) => x.dst === dst);
const neigh = (r: Raw, dst: string): Raw => r.neigh.find((x: Raw) => x.dst === dst);
// node2's pod network and a pod in it, node1's own pod (the lab's leases)
const REMOTE = '10.244.2.2';
const LOCAL = '10.244.1.2';
const POD_MAC = 'da:25:f2:60:91:7b';
const DOWN = { flags: ['BROADCAST', 'MULTICAST'], operstate: 'DOWN' };
// a pod on node2 over IPv6 (fault-cases.ts dualNode: fd00:10:244:2::/64)
const REMOTE6 = 'fd00:10:244:2::2';

/** The leases host-gw: node2's subnet via its public IP on eth0, the gateway's neighbour in state `state`. */
function hostGw(r: Raw, d: DesiredState, state: string[]): void {
  d.leases.forEach((l) => (l.backendType = 'host-gw'));
  Object.assign(route(r, '10.244.2.0/24'), { gateway: '192.168.56.12', dev: 'eth0', onlink: false });
  neigh(r, '192.168.56.12').state = state;
}
/** The leases ipip: flannel.ipip up with the node's local, node2's subnet routed via `via` onlink. */
function ipip(r: Raw, d: DesiredState, via: string): void {
  d.leases.forEach((l) => (l.backendType = 'ipip'));
  r.links.push({ ifindex: 50, name: 'flannel.ipip', kind: 'ipip', flags: ['NOARP', 'UP', 'LOWER_UP'], mtu: 1480, local: '192.168.56.11' });
  Object.assign(route(r, '10.244.2.0/24'), { gateway: via, dev: 'flannel.ipip', onlink: true });
}

export interface TraceCase {
  code: string;
  /** the function of src/analyze/trace*.ts that builds the hop (test/analyze/absent-hops.test.ts enumerates them) */
  at: string;
  /** what the fault is, for the test name */
  name: string;
  change: (raw: Raw, desired: DesiredState) => void;
  destination: string;
  step: string;
  noDesired?: boolean;
  /** the inputs that show it; none only with `why` */
  evidence: Input[];
  why?: string;
  /** a neighbour the kernel resolves on demand: without its table the hop is not unverified but says `not checked`
   * with what to paste (the underlay hop stays ok on its route; a neigh hop of its own is left out) */
  onDemand?: true;
}

export const TRACE_CASES: TraceCase[] = [
  // the remote leg (vxlan to node2)
  { code: 'ROUTE_MISSING', at: 'noRoute', name: 'route to node2 deleted', change: (r) => removeWhere(r.routes, (x) => x.dst === '10.244.2.0/24'), destination: REMOTE, step: 'route', evidence: ['routes'] },
  { code: 'NO_ROUTE', at: 'noRoute', name: 'route to node2 deleted, no leases', change: (r) => removeWhere(r.routes, (x) => x.dst === '10.244.2.0/24'), destination: REMOTE, step: 'route', noDesired: true, evidence: ['routes'] },
  { code: 'ROUTE_MISMATCH', at: 'vxlanWalk', name: 'route via another gateway', change: (r) => (route(r, '10.244.2.0/24').gateway = '10.244.2.7'), destination: REMOTE, step: 'route', evidence: ['routes'] },
  { code: 'ROUTE_BLACKHOLE', at: 'walkFrom', name: 'a blackhole /25', change: (r) => r.routes.push({ dst: '10.244.2.0/25', type: 'blackhole' }), destination: REMOTE, step: 'route', evidence: ['routes'] },
  { code: 'ROUTE_UNREACHABLE', at: 'walkFrom', name: 'an unreachable /25', change: (r) => r.routes.push({ dst: '10.244.2.0/25', type: 'unreachable' }), destination: REMOTE, step: 'route', evidence: ['routes'] },
  { code: 'ROUTE_PROHIBIT', at: 'walkFrom', name: 'a prohibit /25', change: (r) => r.routes.push({ dst: '10.244.2.0/25', type: 'prohibit' }), destination: REMOTE, step: 'route', evidence: ['routes'] },
  { code: 'ROUTE_WRONG_DEV', at: 'walkFrom', name: "node2's subnet on cni0", change: (r) => Object.assign(route(r, '10.244.2.0/24'), { gateway: undefined, dev: 'cni0', onlink: false }), destination: REMOTE, step: 'route', evidence: ['routes'] },
  { code: 'STALE_ROUTE', at: 'vxlanWalk', name: 'a route no lease covers', change: (r) => r.routes.push({ dst: '10.244.9.0/24', gateway: '10.244.9.0', dev: 'flannel.1', flags: ['onlink'] }), destination: '10.244.9.5', step: 'route', evidence: ['routes'] },
  {
    code: 'ROUTE_GATEWAY_NOT_DIRECT',
    at: 'hostGwWalk',
    name: 'host-gw gateway behind a router',
    change: (r, d) => {
      d.leases.forEach((l) => (l.backendType = 'host-gw'));
      Object.assign(route(r, '10.244.2.0/24'), { gateway: '10.9.9.9', dev: 'eth0', onlink: false });
      r.routes.push({ dst: '10.9.9.0/24', gateway: '192.168.56.1', dev: 'eth0' });
    },
    destination: REMOTE,
    step: 'route',
    evidence: ['routes'],
  },
  { code: 'VXLAN_DEVICE_MISSING', at: 'vxlanDeviceHop', name: 'flannel.1 deleted', change: (r) => removeWhere(r.links, (l) => l.name === 'flannel.1'), destination: REMOTE, step: 'vxlan-device', evidence: ['links'] },
  { code: 'VXLAN_DEVICE_DOWN', at: 'vxlanDeviceHop', name: 'flannel.1 down', change: (r) => (link(r, 'flannel.1').flags = ['BROADCAST', 'MULTICAST']), destination: REMOTE, step: 'vxlan-device', evidence: ['links'] },
  { code: 'VXLAN_VNI_MISMATCH', at: 'vxlanDeviceHop', name: 'flannel.1 VNI 2', change: (r) => (link(r, 'flannel.1').vni = 2), destination: REMOTE, step: 'vxlan-device', evidence: ['links'] },
  { code: 'VXLAN_LEARNING_ON', at: 'vxlanDeviceHop', name: 'flannel.1 learning', change: (r) => (link(r, 'flannel.1').learning = true), destination: REMOTE, step: 'vxlan-device', evidence: ['links'] },
  { code: 'VXLAN_LOCAL_MISMATCH', at: 'vxlanDeviceHop', name: 'flannel.1 local another of its addresses', change: (r) => (link(r, 'flannel.1').local = '127.0.0.1'), destination: REMOTE, step: 'vxlan-device', evidence: ['links'] },
  { code: 'VXLAN_LOCAL_NOT_OURS', at: 'vxlanDeviceHop', name: 'flannel.1 local not the node\'s', change: (r) => (link(r, 'flannel.1').local = '192.168.56.99'), destination: REMOTE, step: 'vxlan-device', noDesired: true, evidence: ['links', 'addresses'] },
  { code: 'LEASE_MAC_MISMATCH', at: 'vxlanDeviceHop', name: 'flannel.1 MAC changed', change: (r) => (link(r, 'flannel.1').mac = '02:00:00:00:00:11'), destination: REMOTE, step: 'vxlan-device', evidence: ['links'] },
  { code: 'NEIGH_MISSING', at: 'peerHops', name: "node2's neighbour deleted", change: (r) => removeWhere(r.neigh, (n) => n.dst === '10.244.2.0'), destination: REMOTE, step: 'neigh', evidence: ['neigh'] },
  { code: 'VTEP_MAC_MISMATCH', at: 'peerHops', name: "node2's neighbour with another MAC", change: (r) => (neigh(r, '10.244.2.0').lladdr = '02:00:00:00:00:99'), destination: REMOTE, step: 'neigh', evidence: ['neigh'] },
  { code: 'NEIGH_NOT_PERMANENT', at: 'peerHops', name: "node2's neighbour REACHABLE", change: (r) => (neigh(r, '10.244.2.0').state = ['REACHABLE']), destination: REMOTE, step: 'neigh', evidence: ['neigh'] },
  { code: 'FDB_MISSING', at: 'peerHops', name: "node2's fdb entry deleted", change: (r) => removeWhere(r.fdb, (f) => f.mac === NODE2_MAC), destination: REMOTE, step: 'fdb', evidence: ['fdb'] },
  { code: 'FDB_DST_MISMATCH', at: 'peerHops', name: "node2's fdb entry to another IP", change: (r) => (r.fdb.find((f: Raw) => f.mac === NODE2_MAC).dst = '192.168.56.99'), destination: REMOTE, step: 'fdb', evidence: ['fdb'] },
  { code: 'FDB_DUPLICATE', at: 'peerHops', name: "node2's VtepMAC with two destinations", change: (r) => r.fdb.push({ ...r.fdb.find((f: Raw) => f.mac === NODE2_MAC), dst: '192.168.56.99' }), destination: REMOTE, step: 'fdb', evidence: ['fdb'] },
  { code: 'NEIGH_FAILED', at: 'underlayHop', name: 'node2 does not answer ARP on eth0', change: (r) => (neigh(r, '192.168.56.12').state = ['FAILED']), destination: REMOTE, step: 'underlay', evidence: ['neigh'], onDemand: true },
  { code: 'NEIGH_INCOMPLETE', at: 'underlayHop', name: 'node2 ARP unanswered so far', change: (r) => (neigh(r, '192.168.56.12').state = ['INCOMPLETE']), destination: REMOTE, step: 'underlay', evidence: ['neigh'], onDemand: true },
  { code: 'MTU_MISMATCH', at: 'mtuHop', name: 'flannel.1 mtu 1500 on a 1500 underlay', change: (r) => (link(r, 'flannel.1').mtu = 1500), destination: REMOTE, step: 'mtu', evidence: ['links'] },
  // the local leg (node1's own pod behind vethfeb4e1f8, ifindex 5)
  { code: 'BRIDGE_DOWN', at: 'bridgeWalk', name: 'cni0 down', change: (r) => Object.assign(link(r, 'cni0'), DOWN), destination: LOCAL, step: 'bridge', evidence: ['links'] },
  { code: 'VETH_DOWN', at: 'vethHop', name: 'the pod veth down', change: (r) => Object.assign(link(r, 'vethfeb4e1f8'), DOWN), destination: LOCAL, step: 'veth', evidence: ['links'] },
  { code: 'VETH_WRONG_MASTER', at: 'vethHop', name: 'the pod veth on another bridge', change: (r) => (link(r, 'vethfeb4e1f8').master = 'docker0'), destination: LOCAL, step: 'veth', evidence: ['links'] },
  {
    code: 'POD_NOT_FOUND',
    at: 'vethHop',
    name: "the pod's eth0 peer gone and its MAC unlearned",
    change: (r) => {
      r.pods[0].iflink = 99;
      r.fdb = r.fdb.filter((f: Raw) => f.mac !== POD_MAC);
    },
    destination: LOCAL,
    step: 'veth',
    evidence: ['links'],
  },
  // the pod's eth0 names ifindex 99; cni0's fdb puts its MAC behind vethfeb4e1f8 (ifindex 5)
  { code: 'POD_IFLINK_MISMATCH', at: 'podHop', name: "the pod's eth0 iflink not its veth", change: (r) => (r.pods[0].iflink = 99), destination: LOCAL, step: 'pod', evidence: ['links'] },
  {
    code: 'IPIP_CONFIG',
    at: 'ipipWalk',
    name: 'flannel.ipip local not the node\'s',
    change: (r, d) => {
      d.leases.forEach((l) => (l.backendType = 'ipip'));
      r.links.push({ ifindex: 50, name: 'flannel.ipip', kind: 'ipip', flags: ['NOARP', 'UP'], mtu: 1480, local: '192.168.56.99' });
      Object.assign(route(r, '10.244.2.0/24'), { gateway: '192.168.56.12', dev: 'flannel.ipip' });
    },
    destination: REMOTE,
    step: 'ipip-device',
    evidence: ['addresses'],
  },
  // without desired state: the vxlan hops as the node's own tables show them (no lease to compare with)
  { code: 'ROUTE_MISMATCH', at: 'vxlanWalk', name: 'route via another gateway, no leases', change: (r) => (route(r, '10.244.2.0/24').gateway = '10.244.2.7'), destination: REMOTE, step: 'route', noDesired: true, evidence: ['routes'] },
  { code: 'NEIGH_MISSING', at: 'vxlanWalk', name: "node2's neighbour deleted, no leases", change: (r) => removeWhere(r.neigh, (n) => n.dst === '10.244.2.0'), destination: REMOTE, step: 'neigh', noDesired: true, evidence: ['neigh'] },
  { code: 'FDB_MISSING', at: 'vxlanWalk', name: "node2's fdb entry deleted, no leases", change: (r) => removeWhere(r.fdb, (f) => f.mac === NODE2_MAC), destination: REMOTE, step: 'fdb', noDesired: true, evidence: ['fdb'] },
  // a pod subnet routed to the underlay without a gateway: not pod traffic as routed, in a lease's subnet
  { code: 'ROUTE_WRONG_DEV', at: 'notPodTraffic', name: "node2's subnet on eth0 without a gateway", change: (r) => Object.assign(route(r, '10.244.2.0/24'), { gateway: undefined, dev: 'eth0', onlink: false }), destination: REMOTE, step: 'route', evidence: ['routes'] },
  // host-gw: the gateway is node2 on eth0
  { code: 'NEIGH_FAILED', at: 'hostGwWalk', name: 'host-gw gateway does not answer ARP', change: (r, d) => hostGw(r, d, ['FAILED']), destination: REMOTE, step: 'neigh', evidence: ['neigh'], onDemand: true },
  {
    code: 'ROUTE_MISMATCH',
    at: 'hiddenHostGw',
    name: 'host-gw route via a redacted gateway no lease has',
    change: (r, d) => {
      hostGw(r, d, ['REACHABLE']);
      Object.assign(route(r, '10.244.2.0/24'), { gateway: undefined, gatewayRedacted: '10.9.xx.xx' });
    },
    destination: REMOTE,
    step: 'route',
    evidence: ['routes'],
  },
  { code: 'ROUTE_MISMATCH', at: 'ipipWalk', name: 'ipip route via another node IP', change: (r, d) => ipip(r, d, '192.168.56.13'), destination: REMOTE, step: 'route', evidence: ['routes'] },
  // wireguard (the recorded dumps of fixtures/wg-dump): node2's peer gone from flannel-wg
  { code: 'WG_PEER_MISSING', at: 'wireguardWalk', name: "node2's wireguard peer removed", change: (r, d) => { wgNode(r, d); r.wireguard[0].peers = r.wireguard[0].peers.filter((p: Raw) => !p.allowedIps.includes('10.244.2.0/24')); }, destination: REMOTE, step: 'wg-peer', evidence: ['wireguard'] },
  // the same on flannel-wg-v6 (Mode separate, fault-cases.ts wgDualNode): node2's IPv6 peer at another endpoint
  { code: 'WG_ENDPOINT_MISMATCH', at: 'wireguardWalk', name: "node2's IPv6 wireguard peer at another endpoint", change: (r, d) => { wgDualNode(r, d); r.wireguard.find((w: Raw) => w.name === 'flannel-wg-v6').peers.find((p: Raw) => p.allowedIps.includes('fd00:10:244:2::/64')).endpointIp = 'fd00:56::99'; }, destination: REMOTE6, step: 'wg-peer', evidence: ['wireguard'] },
  // IPv6 (the node dual-stack as flanneld programs it): flannel-v6.1's route, neigh, fdb and MTU; host-gw over IPv6
  { code: 'ROUTE_MISSING', at: 'noRoute', name: "node2's IPv6 route deleted", change: (r, d) => { dualNode(r, d); removeWhere(r.routes, (x) => x.dst === 'fd00:10:244:2::/64'); }, destination: REMOTE6, step: 'route', evidence: ['routes6'] },
  { code: 'NEIGH_MISSING', at: 'peerHops', name: "node2's IPv6 neighbour deleted", change: (r, d) => { dualNode(r, d); removeWhere(r.neigh, (n) => n.dst === 'fd00:10:244:2::'); }, destination: REMOTE6, step: 'neigh', evidence: ['neigh'] },
  { code: 'FDB_MISSING', at: 'peerHops', name: "node2's IPv6 fdb entry deleted", change: (r, d) => { dualNode(r, d); removeWhere(r.fdb, (f) => f.dev === 'flannel-v6.1' && f.dst === 'fd00:56::12'); }, destination: REMOTE6, step: 'fdb', evidence: ['fdb'] },
  { code: 'MTU_MISMATCH', at: 'mtuHop', name: 'flannel-v6.1 mtu 1450 on a 1500 underlay (− 70)', change: (r, d) => { dualNode(r, d); link(r, 'flannel-v6.1').mtu = 1450; }, destination: REMOTE6, step: 'mtu', evidence: ['links'] },
  {
    code: 'ROUTE_MISMATCH',
    at: 'hostGwWalk',
    name: 'host-gw IPv6 route via another address than public-ipv6',
    change: (r, d) => {
      dualNode(r, d);
      d.leases.forEach((l) => (l.backendType = 'host-gw'));
      Object.assign(r.routes.find((x: Raw) => x.dst === 'fd00:10:244:2::/64'), { gateway: 'fd00:56::99', dev: 'eth0', onlink: false });
    },
    destination: REMOTE6,
    step: 'route',
    evidence: ['routes6'],
  },
  // the local leg: node1's pod did not answer ARP on cni0
  { code: 'NEIGH_FAILED', at: 'bridgeWalk', name: "node1's pod does not answer ARP", change: (r) => (neigh(r, LOCAL).state = ['FAILED']), destination: LOCAL, step: 'neigh', evidence: ['neigh'], onDemand: true },
  { code: 'VETH_MISSING', at: 'vethRouteWalk', name: 'a /32 route to a veth that is gone', change: (r) => r.routes.push({ dst: '10.244.1.9/32', dev: 'cali0123456789a', scope: 'link' }), destination: '10.244.1.9', step: 'veth', evidence: ['links'] },
];
