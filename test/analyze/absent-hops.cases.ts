// The trace faults of test/analyze/absent-hops.test.ts: each one change to the netns lab's healthy node
// (test/doctor/fixture.ts), the destination traced, the hop that must name the code, and the inputs that show it.
import type { DesiredState } from '../../src/model/lease.js';
import { type Input, removeWhere } from '../doctor/fault-cases.js';
import { link, NODE2_MAC, type Raw } from '../doctor/fixture.js';

const route = (r: Raw, dst: string): Raw => r.routes.find((x: Raw) => x.dst === dst);
const neigh = (r: Raw, dst: string): Raw => r.neigh.find((x: Raw) => x.dst === dst);
// node2's pod network and a pod in it, node1's own pod (the lab's leases)
const REMOTE = '10.244.2.2';
const LOCAL = '10.244.1.2';
const POD_MAC = 'da:25:f2:60:91:7b';
const DOWN = { flags: ['BROADCAST', 'MULTICAST'], operstate: 'DOWN' };

export interface TraceCase {
  code: string;
  /** what the fault is, for the test name */
  name: string;
  change: (raw: Raw, desired: DesiredState) => void;
  destination: string;
  step: string;
  noDesired?: boolean;
  /** the inputs that show it; none only with `why` */
  evidence: Input[];
  why?: string;
}

export const TRACE_CASES: TraceCase[] = [
  // the remote leg (vxlan to node2)
  { code: 'ROUTE_MISSING', name: 'route to node2 deleted', change: (r) => removeWhere(r.routes, (x) => x.dst === '10.244.2.0/24'), destination: REMOTE, step: 'route', evidence: ['routes'] },
  { code: 'NO_ROUTE', name: 'route to node2 deleted, no leases', change: (r) => removeWhere(r.routes, (x) => x.dst === '10.244.2.0/24'), destination: REMOTE, step: 'route', noDesired: true, evidence: ['routes'] },
  { code: 'ROUTE_MISMATCH', name: 'route via another gateway', change: (r) => (route(r, '10.244.2.0/24').gateway = '10.244.2.7'), destination: REMOTE, step: 'route', evidence: ['routes'] },
  { code: 'ROUTE_BLACKHOLE', name: 'a blackhole /25', change: (r) => r.routes.push({ dst: '10.244.2.0/25', type: 'blackhole' }), destination: REMOTE, step: 'route', evidence: ['routes'] },
  { code: 'ROUTE_UNREACHABLE', name: 'an unreachable /25', change: (r) => r.routes.push({ dst: '10.244.2.0/25', type: 'unreachable' }), destination: REMOTE, step: 'route', evidence: ['routes'] },
  { code: 'ROUTE_PROHIBIT', name: 'a prohibit /25', change: (r) => r.routes.push({ dst: '10.244.2.0/25', type: 'prohibit' }), destination: REMOTE, step: 'route', evidence: ['routes'] },
  { code: 'ROUTE_WRONG_DEV', name: "node2's subnet on cni0", change: (r) => Object.assign(route(r, '10.244.2.0/24'), { gateway: undefined, dev: 'cni0', onlink: false }), destination: REMOTE, step: 'route', evidence: ['routes'] },
  { code: 'STALE_ROUTE', name: 'a route no lease covers', change: (r) => r.routes.push({ dst: '10.244.9.0/24', gateway: '10.244.9.0', dev: 'flannel.1', flags: ['onlink'] }), destination: '10.244.9.5', step: 'route', evidence: ['routes'] },
  {
    code: 'ROUTE_GATEWAY_NOT_DIRECT',
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
  { code: 'VXLAN_DEVICE_MISSING', name: 'flannel.1 deleted', change: (r) => removeWhere(r.links, (l) => l.name === 'flannel.1'), destination: REMOTE, step: 'vxlan-device', evidence: ['links'] },
  { code: 'VXLAN_DEVICE_DOWN', name: 'flannel.1 down', change: (r) => (link(r, 'flannel.1').flags = ['BROADCAST', 'MULTICAST']), destination: REMOTE, step: 'vxlan-device', evidence: ['links'] },
  { code: 'VXLAN_VNI_MISMATCH', name: 'flannel.1 VNI 2', change: (r) => (link(r, 'flannel.1').vni = 2), destination: REMOTE, step: 'vxlan-device', evidence: ['links'] },
  { code: 'VXLAN_LEARNING_ON', name: 'flannel.1 learning', change: (r) => (link(r, 'flannel.1').learning = true), destination: REMOTE, step: 'vxlan-device', evidence: ['links'] },
  { code: 'VXLAN_LOCAL_MISMATCH', name: 'flannel.1 local another of its addresses', change: (r) => (link(r, 'flannel.1').local = '127.0.0.1'), destination: REMOTE, step: 'vxlan-device', evidence: ['links'] },
  { code: 'VXLAN_LOCAL_NOT_OURS', name: 'flannel.1 local not the node\'s', change: (r) => (link(r, 'flannel.1').local = '192.168.56.99'), destination: REMOTE, step: 'vxlan-device', noDesired: true, evidence: ['links', 'addresses'] },
  { code: 'LEASE_MAC_MISMATCH', name: 'flannel.1 MAC changed', change: (r) => (link(r, 'flannel.1').mac = '02:00:00:00:00:11'), destination: REMOTE, step: 'vxlan-device', evidence: ['links'] },
  { code: 'NEIGH_MISSING', name: "node2's neighbour deleted", change: (r) => removeWhere(r.neigh, (n) => n.dst === '10.244.2.0'), destination: REMOTE, step: 'neigh', evidence: ['neigh'] },
  { code: 'VTEP_MAC_MISMATCH', name: "node2's neighbour with another MAC", change: (r) => (neigh(r, '10.244.2.0').lladdr = '02:00:00:00:00:99'), destination: REMOTE, step: 'neigh', evidence: ['neigh'] },
  { code: 'NEIGH_NOT_PERMANENT', name: "node2's neighbour REACHABLE", change: (r) => (neigh(r, '10.244.2.0').state = ['REACHABLE']), destination: REMOTE, step: 'neigh', evidence: ['neigh'] },
  { code: 'FDB_MISSING', name: "node2's fdb entry deleted", change: (r) => removeWhere(r.fdb, (f) => f.mac === NODE2_MAC), destination: REMOTE, step: 'fdb', evidence: ['fdb'] },
  { code: 'FDB_DST_MISMATCH', name: "node2's fdb entry to another IP", change: (r) => (r.fdb.find((f: Raw) => f.mac === NODE2_MAC).dst = '192.168.56.99'), destination: REMOTE, step: 'fdb', evidence: ['fdb'] },
  { code: 'FDB_DUPLICATE', name: "node2's VtepMAC with two destinations", change: (r) => r.fdb.push({ ...r.fdb.find((f: Raw) => f.mac === NODE2_MAC), dst: '192.168.56.99' }), destination: REMOTE, step: 'fdb', evidence: ['fdb'] },
  { code: 'NEIGH_FAILED', name: 'node2 does not answer ARP on eth0', change: (r) => (neigh(r, '192.168.56.12').state = ['FAILED']), destination: REMOTE, step: 'underlay', evidence: [], why: 'OPEN: an underlay neighbour not in the data given is read as "resolved on the first packet" (ok, as the seed expectations say), not unverified' },
  { code: 'NEIGH_INCOMPLETE', name: 'node2 ARP unanswered so far', change: (r) => (neigh(r, '192.168.56.12').state = ['INCOMPLETE']), destination: REMOTE, step: 'underlay', evidence: [], why: 'OPEN: an underlay neighbour not in the data given is read as "resolved on the first packet" (ok, as the seed expectations say), not unverified' },
  { code: 'MTU_MISMATCH', name: 'flannel.1 mtu 1500 on a 1500 underlay', change: (r) => (link(r, 'flannel.1').mtu = 1500), destination: REMOTE, step: 'mtu', evidence: ['links'] },
  // the local leg (node1's own pod behind vethfeb4e1f8, ifindex 5)
  { code: 'BRIDGE_DOWN', name: 'cni0 down', change: (r) => Object.assign(link(r, 'cni0'), DOWN), destination: LOCAL, step: 'bridge', evidence: ['links'] },
  { code: 'VETH_DOWN', name: 'the pod veth down', change: (r) => Object.assign(link(r, 'vethfeb4e1f8'), DOWN), destination: LOCAL, step: 'veth', evidence: ['links'] },
  { code: 'VETH_WRONG_MASTER', name: 'the pod veth on another bridge', change: (r) => (link(r, 'vethfeb4e1f8').master = 'docker0'), destination: LOCAL, step: 'veth', evidence: ['links'] },
  {
    code: 'POD_NOT_FOUND',
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
  { code: 'POD_IFLINK_MISMATCH', name: "the pod's eth0 iflink not its veth", change: (r) => (r.pods[0].iflink = 99), destination: LOCAL, step: 'pod', evidence: ['links'] },
  {
    code: 'IPIP_CONFIG',
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
  { code: 'VETH_MISSING', name: 'a /32 route to a veth that is gone', change: (r) => r.routes.push({ dst: '10.244.1.9/32', dev: 'cali0123456789a', scope: 'link' }), destination: '10.244.1.9', step: 'veth', evidence: ['links'] },
];
