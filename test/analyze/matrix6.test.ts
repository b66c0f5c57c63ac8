// The cluster matrix per family: dual-stack snapshots shaped as flanneld programs them (flannel-node-state.md §1.2
// "Same logic for IPv6 with flannel-v6.1", as test/netns/flannel-cluster-v6.ts builds them), one IPv6 fault
// injected at a time; the expected cell is the fault the test injected, the IPv4 cells untouched.
import { describe, expect, it } from 'vitest';
import { consistencyMatrix, matrixFindings, matrixGrid } from '../../src/analyze/matrix.js';
import { Snapshot, type SnapshotInput } from '../../src/model/snapshot.js';
import { renderClusterDoctor } from '../../src/render/cluster-doctor.js';

interface Spec {
  name: string;
  n: number;
  mac: string;
  mac6: string;
}
const specs: Spec[] = [
  { name: 'node1', n: 1, mac: '8a:1c:3f:5e:77:01', mac6: '8a:1c:3f:5e:66:01' },
  { name: 'node2', n: 2, mac: '8a:1c:3f:5e:77:02', mac6: '8a:1c:3f:5e:66:02' },
  { name: 'node3', n: 3, mac: '4e:9d:22:aa:10:03', mac6: '4e:9d:22:aa:60:03' },
];
const ip = (s: Spec): string => `192.168.56.1${s.n}`;
const ip6 = (s: Spec): string => `fd00:56::1${s.n}`;

function healthy(self: Spec, all: Spec[], v6 = true): SnapshotInput {
  const peers = all.filter((p) => p !== self);
  const v6Peers = v6 ? peers : [];
  return {
    schemaVersion: 1,
    host: self.name,
    time: '2026-11-30T01:00:00Z',
    source: { kind: 'snapshot' },
    links: [
      { ifindex: 2, name: 'eth0', kind: 'device', mac: `02:00:00:00:00:0${self.n}` },
      { ifindex: 3, name: 'flannel.1', kind: 'vxlan', mac: self.mac, vni: 1, local: ip(self), dev: 'eth0', port: 8472 },
      { ifindex: 4, name: 'cni0', kind: 'bridge' },
      ...(v6 ? [{ ifindex: 5, name: 'flannel-v6.1', kind: 'vxlan' as const, mac: self.mac6, vni: 1, local: ip6(self), dev: 'eth0', port: 8472 }] : []),
    ],
    addresses: [
      { dev: 'eth0', family: 'inet', local: ip(self), prefixlen: 24 },
      { dev: 'flannel.1', family: 'inet', local: `10.244.${self.n}.0`, prefixlen: 32 },
      { dev: 'cni0', family: 'inet', local: `10.244.${self.n}.1`, prefixlen: 24 },
      ...(v6
        ? [
            { dev: 'eth0', family: 'inet6' as const, local: ip6(self), prefixlen: 64 },
            { dev: 'flannel-v6.1', family: 'inet6' as const, local: `fd00:10:244:${self.n}::`, prefixlen: 128 },
            { dev: 'cni0', family: 'inet6' as const, local: `fd00:10:244:${self.n}::1`, prefixlen: 64 },
          ]
        : []),
    ],
    routes: [
      { dst: `10.244.${self.n}.0/24`, dev: 'cni0', scope: 'link' },
      ...peers.map((p) => ({ dst: `10.244.${p.n}.0/24`, gateway: `10.244.${p.n}.0`, dev: 'flannel.1', onlink: true })),
      ...(v6 ? [{ dst: `fd00:10:244:${self.n}::/64`, dev: 'cni0' }] : []),
      ...v6Peers.map((p) => ({ dst: `fd00:10:244:${p.n}::/64`, gateway: `fd00:10:244:${p.n}::`, dev: 'flannel-v6.1', onlink: true })),
    ],
    neigh: [
      ...peers.map((p) => ({ dst: `10.244.${p.n}.0`, dev: 'flannel.1', lladdr: p.mac, state: ['PERMANENT' as const] })),
      ...v6Peers.map((p) => ({ dst: `fd00:10:244:${p.n}::`, dev: 'flannel-v6.1', lladdr: p.mac6, state: ['PERMANENT' as const] })),
    ],
    fdb: [
      ...peers.map((p) => ({ mac: p.mac, dev: 'flannel.1', dst: ip(p), self: true, state: 'permanent' as const })),
      ...v6Peers.map((p) => ({ mac: p.mac6, dev: 'flannel-v6.1', dst: ip6(p), self: true, state: 'permanent' as const })),
    ],
  };
}

const cluster = (): SnapshotInput[] => specs.map((s) => healthy(s, specs));
const build = (inputs: SnapshotInput[]): Snapshot[] => inputs.map((i) => Snapshot.parse(i));
const bad6 = (m: ReturnType<typeof consistencyMatrix>) => (m.cells6 ?? []).filter((c) => !c.ok).map((c) => `${c.from}->${c.to}:${c.problems.map((p) => p.code).join('+')}`);
const bad4 = (m: ReturnType<typeof consistencyMatrix>) => m.cells.filter((c) => !c.ok).map((c) => `${c.from}->${c.to}`);

describe('consistency matrix, IPv6 half (flannel-v6.1)', () => {
  it('healthy dual-stack: 6 IPv6 cells, all vxlan and ok, no finding; the IPv4 cells carry no family key', () => {
    const m = consistencyMatrix(build(cluster()));
    expect(m.ok).toBe(true);
    expect(m.cells6).toHaveLength(6);
    expect(m.cells6!.every((c) => c.family === 'v6' && c.path === 'vxlan' && c.ok && !c.unverified)).toBe(true);
    expect(m.cells.every((c) => !('family' in c))).toBe(true);
    expect(matrixFindings(m)).toEqual([]);
    expect(m.nodes.map((n) => n.v6?.subnet)).toEqual(['fd00:10:244:1::/64', 'fd00:10:244:2::/64', 'fd00:10:244:3::/64']);
  });

  it('a v4-only cluster has no cells6 key (JSON unchanged)', () => {
    const m = consistencyMatrix(build(specs.map((s) => healthy(s, specs, false))));
    expect('cells6' in m).toBe(false);
    expect(m.ok).toBe(true);
  });

  it('node1 lost its v6 neigh for node3: that one IPv6 cell, the fix on flannel-v6.1 (iproute2 takes the family from the address); IPv4 all ok', () => {
    const c = cluster();
    c[0].neigh = c[0].neigh!.filter((n) => n.dst !== 'fd00:10:244:3::');
    const m = consistencyMatrix(build(c));
    expect(bad6(m)).toEqual(['node1->node3:NEIGH_MISSING']);
    expect(bad4(m)).toEqual([]);
    expect(m.ok).toBe(false);
    const cell = m.cells6!.find((x) => !x.ok)!;
    expect(cell.problems[0].fix).toEqual(['ip', 'neigh', 'replace', 'fd00:10:244:3::', 'dev', 'flannel-v6.1', 'lladdr', '4e:9d:22:aa:60:03', 'nud', 'permanent']);
    expect(matrixFindings(m).map((f) => `${f.node}:${f.code}`)).toEqual(['node1:NEIGH_MISSING']);
    expect(matrixGrid(m, 'v6').rows[0]).toEqual(['node1', '·', '✓', 'neigh missing']);
    expect(matrixGrid(m).rows[0]).toEqual(['node1', '·', '✓', '✓']);
  });

  it('node2 lost its v6 fdb entry for node1 and node3 its v6 route to node2', () => {
    const c = cluster();
    c[1].fdb = c[1].fdb!.filter((f) => f.mac !== specs[0].mac6);
    c[2].routes = c[2].routes!.filter((r) => r.dst !== 'fd00:10:244:2::/64');
    const m = consistencyMatrix(build(c));
    expect(bad6(m)).toEqual(['node2->node1:FDB_MISSING', 'node3->node2:ROUTE_MISSING']);
    expect(bad4(m)).toEqual([]);
  });

  it('node3 re-created flannel-v6.1 with a new MAC: every peer’s neigh and fdb for it are stale', () => {
    const c = cluster();
    const link = c[2].links!.find((l) => l.name === 'flannel-v6.1') as { mac: string };
    link.mac = '4e:9d:22:aa:60:99';
    const m = consistencyMatrix(build(c));
    expect(bad6(m)).toEqual(['node1->node3:VTEP_MAC_MISMATCH+FDB_MISSING', 'node2->node3:VTEP_MAC_MISMATCH+FDB_MISSING']);
    expect(bad4(m)).toEqual([]);
  });

  it('a fdb dst pointing at the peer’s IPv4 address is wrong on flannel-v6.1', () => {
    const c = cluster();
    const f = c[0].fdb!.find((x) => x.mac === specs[1].mac6) as { dst: string };
    f.dst = ip(specs[1]);
    expect(bad6(consistencyMatrix(build(c)))).toEqual(['node1->node2:FDB_DST_MISMATCH']);
  });

  it('node2 has no flannel-v6.1 (v4-only node in a dual-stack cluster): its row and column unverified, no false finding', () => {
    const c = cluster();
    c[1] = healthy(specs[1], specs, false);
    const m = consistencyMatrix(build(c));
    expect(bad6(m)).toEqual([]);
    expect(m.cells6!.filter((x) => x.unverified).map((x) => `${x.from}->${x.to}`)).toEqual(['node1->node2', 'node2->node1', 'node2->node3', 'node3->node2']);
    expect(matrixGrid(m, 'v6').rows[1][2]).toBe('no flannel-v6');
  });

  it('node1 lost flannel-v6.1 (deleted: its neigh, fdb and routes with it) but cni0 still holds its IPv6 pod network: its own VXLAN_DEVICE_MISSING and its row, as doctor names it', () => {
    const c = cluster();
    const gone = (dev?: string): boolean => dev === 'flannel-v6.1';
    c[0].links = c[0].links!.filter((l) => !gone(l.name));
    c[0].addresses = c[0].addresses!.filter((a) => !gone(a.dev));
    c[0].neigh = c[0].neigh!.filter((n) => !gone(n.dev));
    c[0].fdb = c[0].fdb!.filter((f) => !gone(f.dev));
    c[0].routes = c[0].routes!.filter((r) => !gone(r.dev));
    const m = consistencyMatrix(build(c));
    expect(m.nodes[0].problems6!.map((p) => p.code)).toEqual(['VXLAN_DEVICE_MISSING']);
    expect(bad6(m)).toEqual(['node1->node2:NEIGH_MISSING+FDB_MISSING+ROUTE_MISSING', 'node1->node3:NEIGH_MISSING+FDB_MISSING+ROUTE_MISSING']);
    // the peers' view of node1: nothing to compare with, not a problem of theirs
    expect(m.cells6!.filter((x) => x.to === 'node1').every((x) => x.ok && x.unverified?.includes('peer'))).toBe(true);
    expect(bad4(m)).toEqual([]);
    expect(matrixGrid(m, 'v6').rows[0][1]).toBe('no flannel-v6.1');
    // removal: saved outputs (a grep'd `ip link` may leave the device out) do not prove it gone
    const saved = build(c);
    saved[0] = Snapshot.parse({ ...c[0], source: { kind: 'dir', path: '/tmp/node1' } });
    const open = consistencyMatrix(saved);
    expect(open.nodes[0].problems6 ?? []).toEqual([]);
    expect(matrixFindings(open).filter((f) => f.code === 'VXLAN_DEVICE_MISSING')).toEqual([]);
  });

  it('the human report shows the IPv6 grid under the IPv4 one', () => {
    const c = cluster();
    c[0].neigh = c[0].neigh!.filter((n) => n.dst !== 'fd00:10:244:3::');
    const matrix = consistencyMatrix(build(c));
    const text = renderClusterDoctor({ nodes: specs.map((s) => s.name), matrix, findings: matrixFindings(matrix), unreachable: [] } as never);
    expect(text).toContain('IPv6 view of →');
    expect(text).toContain('[NEIGH_MISSING] node1:');
  });
});
