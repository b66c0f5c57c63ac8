// DirectRouting decided as flanneld decides it, for IPv4 and IPv6 alike (vxlan_network.go handleSubnetEvents: with
// DirectRouting on, ip.DirectRouting(PublicIP / PublicIPv6) = netlink.RouteGet answers one route without a gateway
// -> the direct route `<subnet> via <public IP>`, no neigh/fdb; otherwise the vxlan triple). The expectations come
// from that rule applied by hand to the tables written here (a longest prefix with a gateway beats the connected
// network), never from flanctl's output.
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { consistencyMatrix } from '../../src/analyze/matrix.js';
import { directlyConnected, RouteTable } from '../../src/analyze/route-lookup.js';
import { trace } from '../../src/analyze/trace.js';
import type { DesiredState } from '../../src/model/lease.js';
import { Snapshot, type SnapshotInput } from '../../src/model/snapshot.js';
import { planRepair } from '../../src/repair/plan.js';

const NET_CONF = { Network: '10.244.0.0/16', IPv6Network: 'fd00:10:244::/56', EnableIPv6: true, Backend: { Type: 'vxlan', DirectRouting: true } };
const MAC = (n: number): string => `8a:1c:3f:5e:77:0${n}`;
const MAC6 = (n: number): string => `8a:1c:3f:5e:66:0${n}`;
const ip = (n: number): string => `192.168.56.1${n}`;
const ip6 = (n: number): string => `fd00:56::1${n}`;

/**
 * Node N of three, as flanneld with DirectRouting programs it: eth0 holds 192.168.56.0/24 and fd00:56::/64, so a
 * peer there is direct; node3 sits behind the router 192.168.56.1 / fd00:56::1 (a /32 and a /128 via it), so it
 * gets the vxlan triple on flannel.1 / flannel-v6.1.
 */
function node(n: number): SnapshotInput {
  const peers = [1, 2, 3].filter((p) => p !== n);
  const direct = (p: number): boolean => p !== 3 && n !== 3;
  const routed = n === 3 ? [1, 2] : [3];
  return {
    schemaVersion: 1,
    host: `node${n}`,
    time: '2026-11-30T03:00:00Z',
    source: { kind: 'snapshot' },
    // as flanneld's WriteSubnetFile writes it for a dual-stack lease
    subnetEnv: {
      network: '10.244.0.0/16', subnet: `10.244.${n}.1/24`, ipv6Network: 'fd00:10:244::/56', ipv6Subnet: `fd00:10:244:${n}::1/64`, mtu: 1450, ipmasq: true,
      vars: { FLANNEL_NETWORK: '10.244.0.0/16', FLANNEL_SUBNET: `10.244.${n}.1/24`, FLANNEL_IPV6_NETWORK: 'fd00:10:244::/56', FLANNEL_IPV6_SUBNET: `fd00:10:244:${n}::1/64`, FLANNEL_MTU: '1450', FLANNEL_IPMASQ: 'true' },
    },
    links: [
      { ifindex: 2, name: 'eth0', kind: 'device', mac: `02:00:00:00:00:0${n}`, mtu: 1500 },
      { ifindex: 3, name: 'flannel.1', kind: 'vxlan', mac: MAC(n), vni: 1, local: ip(n), dev: 'eth0', port: 8472, mtu: 1450 },
      { ifindex: 4, name: 'cni0', kind: 'bridge', mtu: 1450 },
      { ifindex: 5, name: 'flannel-v6.1', kind: 'vxlan', mac: MAC6(n), vni: 1, local: ip6(n), dev: 'eth0', port: 8472, mtu: 1430 },
    ],
    addresses: [
      { dev: 'eth0', family: 'inet', local: ip(n), prefixlen: 24 },
      { dev: 'eth0', family: 'inet6', local: ip6(n), prefixlen: 64 },
      { dev: 'flannel.1', family: 'inet', local: `10.244.${n}.0`, prefixlen: 32 },
      { dev: 'flannel-v6.1', family: 'inet6', local: `fd00:10:244:${n}::`, prefixlen: 128 },
      { dev: 'cni0', family: 'inet', local: `10.244.${n}.1`, prefixlen: 24 },
      { dev: 'cni0', family: 'inet6', local: `fd00:10:244:${n}::1`, prefixlen: 64 },
    ],
    routes: [
      { dst: '192.168.56.0/24', dev: 'eth0', scope: 'link', proto: 'kernel' },
      { dst: 'fd00:56::/64', dev: 'eth0', proto: 'kernel' },
      ...routed.map((p) => ({ dst: `${ip(p)}/32`, gateway: '192.168.56.1', dev: 'eth0' })),
      ...routed.map((p) => ({ dst: `${ip6(p)}/128`, gateway: 'fd00:56::1', dev: 'eth0' })),
      { dst: `10.244.${n}.0/24`, dev: 'cni0', scope: 'link' },
      { dst: `fd00:10:244:${n}::/64`, dev: 'cni0' },
      ...peers.map((p) =>
        direct(p) ? { dst: `10.244.${p}.0/24`, gateway: ip(p), dev: 'eth0' } : { dst: `10.244.${p}.0/24`, gateway: `10.244.${p}.0`, dev: 'flannel.1', onlink: true },
      ),
      ...peers.map((p) =>
        direct(p) ? { dst: `fd00:10:244:${p}::/64`, gateway: ip6(p), dev: 'eth0' } : { dst: `fd00:10:244:${p}::/64`, gateway: `fd00:10:244:${p}::`, dev: 'flannel-v6.1', onlink: true },
      ),
    ],
    neigh: peers
      .filter((p) => !direct(p))
      .flatMap((p) => [
        { dst: `10.244.${p}.0`, dev: 'flannel.1', lladdr: MAC(p), state: ['PERMANENT' as const] },
        { dst: `fd00:10:244:${p}::`, dev: 'flannel-v6.1', lladdr: MAC6(p), state: ['PERMANENT' as const] },
      ]),
    fdb: peers
      .filter((p) => !direct(p))
      .flatMap((p) => [
        { mac: MAC(p), dev: 'flannel.1', dst: ip(p), self: true, state: 'permanent' as const },
        { mac: MAC6(p), dev: 'flannel-v6.1', dst: ip6(p), self: true, state: 'permanent' as const },
      ]),
  };
}

const desired = (): DesiredState => ({
  leases: [1, 2, 3].map((n) => ({
    node: `node${n}`, subnet: `10.244.${n}.0/24`, publicIp: ip(n), backendType: 'vxlan', vni: 1, vtepMac: MAC(n),
    subnet6: `fd00:10:244:${n}::/64`, publicIpv6: ip6(n), vni6: 1, vtepMac6: MAC6(n),
  })),
  netConf: NET_CONF,
  problems: [],
});
const snap = (n: number, change: (s: SnapshotInput) => void = () => {}): Snapshot => {
  const s = node(n);
  change(s);
  return Snapshot.parse(s);
};
const dropRoute = (dst: string) => (s: SnapshotInput) => void (s.routes = s.routes!.filter((r) => r.dst !== dst));
const codes = (snapshot: Snapshot): string[] => runDoctor({ snapshot, desired: desired(), nodeName: snapshot.host }).findings.filter((f) => f.severity !== 'info').map((f) => f.code).sort();

describe('directlyConnected: RouteGet answers a route without a gateway', () => {
  const s = snap(1);
  const table = new RouteTable(s.routes, s.addresses);
  it.each([
    [ip(2), true, 'on eth0\'s connected /24'],
    [ip(3), false, 'its /32 via the router is the longer prefix'],
    [ip6(2), true, 'on eth0\'s connected /64 (IPv6 link routes print no scope)'],
    [ip6(3), false, 'its /128 via the router'],
    ['8.8.8.8', false, 'no route at all (RouteGet fails: flannel logs it and stays on vxlan)'],
    [ip(1), true, "the node's own address (the local table)"],
  ])('%s -> %s (%s)', (addr, want) => expect(directlyConnected(table, addr)).toBe(want));
});

describe('DirectRouting on node1: node2 direct, node3 behind a router on vxlan, in both families', () => {
  it('healthy: doctor finds nothing; trace goes straight to node2 and through flannel.1 / flannel-v6.1 to node3', () => {
    expect(codes(snap(1))).toEqual([]);
    const d = desired();
    for (const [dst, via, backend] of [
      ['10.244.2.5', 'eth0', true],
      ['fd00:10:244:2::5', 'eth0', true],
      ['10.244.3.5', 'flannel.1', undefined],
      ['fd00:10:244:3::5', 'flannel-v6.1', undefined],
    ] as const) {
      const r = trace([snap(1)], dst, { desired: d });
      expect(r.problems, dst).toEqual([]);
      expect(r.hops[0], dst).toMatchObject({ step: 'route', device: via, ok: true });
      expect(r.directRouting, dst).toBe(backend);
    }
  });

  it('the matrix judges the direct cells (path direct, route only) and the vxlan ones alike: all ok', () => {
    const m = consistencyMatrix([snap(1), snap(2), snap(3)], desired());
    const path = (cells: typeof m.cells, from: string, to: string) => cells.find((c) => c.from === from && c.to === to);
    expect(m.ok).toBe(true);
    expect(path(m.cells, 'node1', 'node2')).toMatchObject({ ok: true, path: 'direct' });
    expect(path(m.cells6!, 'node1', 'node2')).toMatchObject({ ok: true, path: 'direct', family: 'v6' });
    expect(path(m.cells, 'node1', 'node3')).toMatchObject({ ok: true, path: 'vxlan' });
    expect(path(m.cells6!, 'node1', 'node3')).toMatchObject({ ok: true, path: 'vxlan' });
  });

  for (const [family, dst, pod, want] of [
    ['IPv4', '10.244.2.0/24', '10.244.2.5', ['route', 'replace', '10.244.2.0/24', 'via', ip(2)]],
    ['IPv6', 'fd00:10:244:2::/64', 'fd00:10:244:2::5', ['route', 'replace', 'fd00:10:244:2::/64', 'via', ip6(2)]],
  ] as const) {
    it(`${family}: the direct route to node2 deleted is ROUTE_MISSING alone in doctor, trace, the matrix and repair's plan`, () => {
      const s1 = snap(1, dropRoute(dst));
      // flannel programs no neigh/fdb for a direct peer: their absence is no fault
      expect(codes(s1)).toEqual(['ROUTE_MISSING']);
      const t = trace([s1], pod, { desired: desired() });
      expect(t.problems).toEqual(['ROUTE_MISSING']);
      expect(t.hops.filter((h) => h.ok === false).map((h) => h.step)).toEqual(['route']);
      const m = consistencyMatrix([s1, snap(2), snap(3)], desired());
      const bad = [...m.cells, ...(m.cells6 ?? [])].filter((c) => !c.ok);
      expect(bad.map((c) => [c.from, c.to, c.family ?? 'v4', c.path, c.problems.map((p) => p.code)])).toEqual([['node1', 'node2', family === 'IPv6' ? 'v6' : 'v4', 'direct', ['ROUTE_MISSING']]]);
      const plan = planRepair({ snapshot: s1, desired: desired(), nodeName: 'node1' });
      expect(plan.actions.map((a) => a.args)).toEqual([want]);
    });
  }

  it('DirectRouting off: the same direct routes are not flannel\'s (it programs the vxlan triple): ROUTE_MISMATCH in trace and doctor alike', () => {
    const off: DesiredState = { ...desired(), netConf: { ...NET_CONF, Backend: { Type: 'vxlan', DirectRouting: false } } };
    for (const pod of ['10.244.2.5', 'fd00:10:244:2::5']) {
      const t = trace([snap(1)], pod, { desired: off });
      expect(t.hops[0], pod).toMatchObject({ step: 'route', ok: false, problem: 'ROUTE_MISMATCH' });
      expect(t.directRouting, pod).toBeUndefined();
    }
    const d = runDoctor({ snapshot: snap(1), desired: off, nodeName: 'node1' }).findings.filter((f) => f.code === 'ROUTE_MISMATCH');
    expect(d.map((f) => f.summary.includes('10.244.2.0/24') || f.summary.includes('fd00:10:244:2::/64'))).toEqual([true, true]);
  });

  it('without the route table the path is not known: no neigh/fdb finding for node2, unverified with what to paste', () => {
    const s1 = snap(1, (s) => {
      s.routes = [];
      s.commands = [{ name: 'ip-link', ok: true, argv: ['ip', '-d', '-j', 'link', 'show'] }, { name: 'ip-neigh', ok: true, argv: ['ip', '-j', 'neigh', 'show'] }, { name: 'bridge-fdb', ok: true, argv: ['bridge', '-j', 'fdb', 'show'] }];
    });
    const r = runDoctor({ snapshot: s1, desired: desired(), nodeName: 'node1' });
    expect(r.findings.filter((f) => ['NEIGH_MISSING', 'FDB_MISSING', 'ROUTE_MISSING'].includes(f.code))).toEqual([]);
    expect(r.unverified.some((u) => /directly reachable/.test(u.missing) && /`ip route show`/.test(u.missing))).toBe(true);
  });
});
