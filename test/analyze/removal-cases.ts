// Removal cases for the codes that neither doctor's single-node table (test/doctor/fault-cases.ts) nor the trace
// table (absent-hops.cases.ts) can show: the cluster matrix, a two-node trace, pod-veth, and a doctor refusal that
// needs several inputs removed at once. Each runs its fault with
// the full input, with the input that shows it removed, and the same state without the fault with that input
// removed. The tests named in `file` use these cases; test/doctor/absent-input.test.ts imports the list, runs every
// case and counts its code as covered — deleting a case here uncovers its code and fails that guard.
import { readFileSync } from 'node:fs';
import { consistencyMatrix, matrixFindings } from '../../src/analyze/matrix.js';
import { podVeth } from '../../src/analyze/pod-veth.js';
import { trace } from '../../src/analyze/trace.js';
import type { Code } from '../../src/model/codes.js';
import type { DesiredState } from '../../src/model/lease.js';
import { Snapshot, type SnapshotInput } from '../../src/model/snapshot.js';
import { runDoctor } from '../../src/analyze/doctor.js';
import { parseNodesJson } from '../../src/leases/kube.js';
import { without } from '../doctor/fault-cases.js';
import { healthyRaw, type Raw, withHostileNode9 } from '../doctor/fixture.js';
import { healthy, type Spec, specs } from './flannel-nodes.js';
import { snap } from './trace-seeds.js';

/** What one run gave: its codes, its verdict (null: unverified), and what it says it could not check. */
export interface Outcome {
  codes: string[];
  ok: boolean | null;
  unverified: string[];
}

export interface RemovalCase {
  code: Code;
  /** the test file that runs it with its own, closer assertions */
  file: string;
  /** the input removed, as the user would paste it */
  removes: string;
  /** full: the fault, all input; less: the fault, the input removed; base: no fault, the input removed */
  run(): { full: Outcome; less: Outcome; base: Outcome };
}

// ---- cluster matrix: LEASE_IP_MISMATCH needs the node's own link list (its flannel.1 `local`)

export const cluster = (): SnapshotInput[] => specs.map((s) => healthy(s, specs));
export const build = (inputs: SnapshotInput[]): Snapshot[] => inputs.map((i) => Snapshot.parse(i));
/** the three nodes' leases, node1's announcing PublicIP `ip1` */
export const leasesWithNode1At = (ip1: string): DesiredState => ({ problems: [], leases: specs.map((s) => ({ node: s.name, subnet: `10.244.${s.n}.0/24`, publicIp: s.n === 1 ? ip1 : s.ip, backendType: 'vxlan', vtepMac: s.mac })) });
/** node1's `ip -d link show` failed; the rest was read */
export function withoutNode1Links(): Snapshot[] {
  const c = cluster();
  c[0].links = [];
  c[0].commands = [{ name: 'ip-link', ok: false, error: 'ip: not found' }, { name: 'ip-addr', ok: true }, { name: 'ip-neigh', ok: true }, { name: 'ip-route', ok: true }, { name: 'bridge-fdb', ok: true }];
  return build(c);
}
const matrixOutcome = (m: ReturnType<typeof consistencyMatrix>): Outcome => ({
  codes: [...new Set(matrixFindings(m).map((f) => f.code))].sort(),
  ok: m.ok,
  unverified: m.nodes.flatMap((n) => n.unverified ?? []),
});

// ---- two-node trace: REVERSE_PATH_MISMATCH needs the target node's fdb

const pair = specs.slice(0, 2);
/** node1 or node2 of a two-node cluster, with the underlay's connected route (the trace crosses it) */
function pairNode(self: Spec): SnapshotInput {
  const s = healthy(self, pair);
  s.routes = [{ dst: '192.168.56.0/24', dev: 'eth0', scope: 'link' }, ...(s.routes ?? [])];
  return s;
}
/** node1 -> a pod on node2; node2's fdb entry for node1 sent to `back`, or its fdb not read at all */
export function reversePathTrace(back: string, node2Fdb: boolean): ReturnType<typeof trace> {
  const [a, b] = pair.map(pairNode);
  b.fdb![0].dst = back;
  if (!node2Fdb) {
    b.fdb = [];
    b.commands = ['ip-link', 'ip-addr', 'ip-route', 'ip-neigh'].map((name) => ({ name, ok: true })).concat({ name: 'bridge-fdb', ok: false, error: 'bridge: not found' } as never);
  }
  return trace([Snapshot.parse(a), Snapshot.parse(b)], '10.244.2.5');
}
export const traceCodes = (r: ReturnType<typeof trace>): string[] => [...r.hops, ...(r.reverse?.hops ?? [])].flatMap((h) => h.problems ?? (h.problem ? [h.problem] : [])).sort();
const traceOutcome = (r: ReturnType<typeof trace>): Outcome => ({
  codes: traceCodes(r),
  ok: r.ok,
  unverified: [...r.hops, ...(r.reverse?.hops ?? [])].flatMap((h) => (h.ok === null && h.unverified ? [h.unverified] : [])),
});

// ---- two-node trace: the pod veth hop on the target node needs the target's link list

/** node1 -> node2's pod 10.244.2.5 behind veth0a2b3c4d (ifindex 9, on cni0), up or down; node2's links read or not */
export function targetVethTrace(up: boolean, node2Links: boolean): ReturnType<typeof trace> {
  const [a, b] = pair.map(pairNode);
  b.links = [...(b.links ?? []), { ifindex: 9, name: 'veth0a2b3c4d', kind: 'veth', master: 'cni0', flags: up ? ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] : ['BROADCAST', 'MULTICAST'] }];
  b.pods = [{ netns: 'pod-b', ifname: 'eth0', ip: '10.244.2.5', iflink: 9, ifindex: 2 }];
  if (!node2Links) {
    b.links = [];
    b.commands = ['ip-addr', 'ip-route', 'ip-neigh', 'bridge-fdb', 'pod-ip-addr'].map((name) => ({ name, ok: true })).concat({ name: 'ip-link', ok: false, error: 'ip: not found' } as never);
  }
  return trace([Snapshot.parse(a), Snapshot.parse(b)], '10.244.2.5');
}

// ---- pod-veth: IPAM_LEAK needs the pods' eth0 (only then is an IPAM entry known to have no pod)

/** a node with a leaked veth (veth22222222), a veth off the bridge (veth33333333) and an IPAM entry no pod holds (10.244.1.9) */
export const podVethNode = (ipam = [{ network: 'cbr0', ip: '10.244.1.5', containerId: 'abcdef0123456789' }, { network: 'cbr0', ip: '10.244.1.9', containerId: 'deadbeef00000000' }]): Snapshot =>
  snap('n1', {
    source: { kind: 'netns', name: 'n1' },
    links: [
      { kind: 'bridge', ifindex: 4, name: 'cni0', mac: '0a:58:0a:f4:01:01' },
      { kind: 'veth', ifindex: 5, name: 'veth11111111', master: 'cni0', mac: '0e:00:00:00:00:05', linkNetns: 'pod-a' },
      { kind: 'veth', ifindex: 6, name: 'veth22222222', master: 'cni0', mac: '0e:00:00:00:00:06' },
      { kind: 'veth', ifindex: 7, name: 'veth33333333', mac: '0e:00:00:00:00:07' },
    ],
    addresses: [{ dev: 'cni0', family: 'inet', local: '10.244.1.1', prefixlen: 24 }],
    neigh: [{ dst: '10.244.1.5', dev: 'cni0', lladdr: '0a:00:00:00:00:05', state: ['REACHABLE'] }],
    fdb: [
      { mac: '0a:00:00:00:00:05', dev: 'veth11111111', master: 'cni0' },
      { mac: '0e:00:00:00:00:05', dev: 'veth11111111', master: 'cni0', state: 'permanent' },
    ],
    ipam,
  });
/** the pods' eth0 as `flanctl pod-veth` reads them in each pod's netns */
export const POD_ETH0 = [
  { netns: 'pod-a', ifname: 'eth0', ip: '10.244.1.5', iflink: 5, ifindex: 2 },
  { netns: 'pod-c', ifname: 'eth0', ip: '10.244.1.7', iflink: 7, ifindex: 2 },
];
const withPods = (s: Snapshot): Snapshot => ({ ...s, pods: structuredClone(POD_ETH0) });
const podVethOutcome = (r: ReturnType<typeof podVeth>): Outcome => ({ codes: [...new Set(r.problems.map((p) => p.code))].sort(), ok: r.problems.length === 0, unverified: r.unverified });

// ---- doctor: LEASE_SUBNET_OVERLAPS_NODE needs all of the node's addresses, routes and subnet.env (each one refuses
// the lease on its own), as in test/analyze/hostile-lease-absent.test.ts

/** the lab's leases plus node9, whose podCIDR is node1's underlay 192.168.56.0/24 */
function withHostileLease(): Parameters<typeof runDoctor>[0]['desired'] {
  return parseNodesJson(withHostileNode9(healthyNodesJson()));
}
const healthyNodesJson = (): string => readFileSync(new URL('../../fixtures/doctor/vxlan-nodes.json', import.meta.url), 'utf8');
const withoutGround = (raw: Raw): Raw => without(without(without(raw, 'addresses'), 'routes'), 'subnetEnv');
const doctorOutcome = (raw: Raw, desired: Parameters<typeof runDoctor>[0]['desired']): Outcome => {
  const r = runDoctor({ snapshot: Snapshot.parse(raw), desired });
  return { codes: [...new Set(r.findings.map((f) => f.code))].sort(), ok: r.ok, unverified: r.unverified.map((u) => u.missing) };
};

export const REMOVAL_CASES: RemovalCase[] = [
  {
    code: 'LEASE_SUBNET_OVERLAPS_NODE',
    file: 'test/analyze/hostile-lease-absent.test.ts',
    removes: 'the addresses, the routes and subnet.env (any one of them shows the overlap)',
    run: () => ({
      full: doctorOutcome(healthyRaw().raw, withHostileLease()),
      less: doctorOutcome(withoutGround(healthyRaw().raw), withHostileLease()),
      base: doctorOutcome(withoutGround(healthyRaw().raw), parseNodesJson(healthyNodesJson())),
    }),
  },
  {
    code: 'LEASE_IP_MISMATCH',
    file: 'test/analyze/matrix.test.ts',
    removes: "node1's `ip -d link show`",
    run: () => ({
      full: matrixOutcome(consistencyMatrix(build(cluster()), leasesWithNode1At('192.168.56.99'))),
      less: matrixOutcome(consistencyMatrix(withoutNode1Links(), leasesWithNode1At('192.168.56.99'))),
      base: matrixOutcome(consistencyMatrix(withoutNode1Links(), leasesWithNode1At('192.168.56.11'))),
    }),
  },
  {
    code: 'REVERSE_PATH_MISMATCH',
    file: 'test/analyze/reverse-path-absent.test.ts',
    removes: "node2's `bridge fdb show`",
    run: () => ({ full: traceOutcome(reversePathTrace('192.168.56.99', true)), less: traceOutcome(reversePathTrace('192.168.56.99', false)), base: traceOutcome(reversePathTrace('192.168.56.11', false)) }),
  },
  {
    code: 'VETH_DOWN',
    file: 'test/analyze/reverse-path-absent.test.ts',
    removes: "the target node's `ip -d link show` (node2 holds the pod's veth)",
    run: () => ({ full: traceOutcome(targetVethTrace(false, true)), less: traceOutcome(targetVethTrace(false, false)), base: traceOutcome(targetVethTrace(true, false)) }),
  },
  {
    code: 'IPAM_LEAK',
    file: 'test/analyze/pod-veth.test.ts',
    removes: "the pods' eth0 (`ip -n <pod netns> link show eth0`)",
    run: () => ({
      full: podVethOutcome(podVeth([withPods(podVethNode())])),
      less: podVethOutcome(podVeth([podVethNode()])),
      base: podVethOutcome(podVeth([podVethNode([{ network: 'cbr0', ip: '10.244.1.5', containerId: 'abcdef0123456789' }])])),
    }),
  },
];
