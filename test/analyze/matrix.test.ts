import { describe, expect, it } from 'vitest';
import { consistencyMatrix, matrixFindings, matrixGrid } from '../../src/analyze/matrix.js';
import type { DesiredState } from '../../src/model/lease.js';
import { specs } from './flannel-nodes.js';
import { build, cluster, leasesWithNode1At, withoutNode1Links } from './removal-cases.js';

const bad = (m: ReturnType<typeof consistencyMatrix>) => m.cells.filter((c) => !c.ok).map((c) => `${c.from}->${c.to}:${c.problems.map((p) => p.code).join('+')}`);

describe('consistencyMatrix', () => {
  it('passes a healthy 3-node cluster: 6 ordered pairs, all vxlan, all ok', () => {
    const m = consistencyMatrix(build(cluster()));
    expect(m.ok).toBe(true);
    expect(m.cells).toHaveLength(6);
    expect(m.cells.every((c) => c.path === 'vxlan')).toBe(true);
    expect(matrixFindings(m)).toEqual([]);
  });

  it('finds a stale VtepMAC on exactly the one pair that has it, with the fix for that node', () => {
    const c = cluster();
    c[0].neigh![1] = { dst: '10.244.3.0', dev: 'flannel.1', lladdr: 'de:ad:be:ef:00:03', state: ['PERMANENT'] };
    c[0].fdb![1] = { mac: 'de:ad:be:ef:00:03', dev: 'flannel.1', dst: '192.168.56.13', self: true, state: 'permanent' };
    const m = consistencyMatrix(build(c));
    expect(m.ok).toBe(false);
    expect(bad(m)).toEqual(['node1->node3:VTEP_MAC_MISMATCH+FDB_MISSING']);
    const cell = m.cells.find((x) => !x.ok)!;
    expect(cell.problems[0].fix).toEqual(['ip', 'neigh', 'replace', '10.244.3.0', 'dev', 'flannel.1', 'lladdr', '4e:9d:22:aa:10:03', 'nud', 'permanent']);
    expect(cell.problems[1].fix).toEqual(['bridge', 'fdb', 'replace', '4e:9d:22:aa:10:03', 'dev', 'flannel.1', 'dst', '192.168.56.13', 'self', 'permanent']);
    const grid = matrixGrid(m);
    expect(grid.head).toEqual(['view of →', 'node1', 'node2', 'node3']);
    expect(grid.rows[0]).toEqual(['node1', '·', '✓', 'neigh MAC stale, fdb missing']);
    expect(grid.rows[2]).toEqual(['node3', '✓', '✓', '·']);
    expect(matrixFindings(m).map((f) => f.node)).toEqual(['node1', 'node1']);
  });

  it('when a node recreated flannel.1 with a new MAC, every peer row shows it in that column', () => {
    const c = cluster();
    (c[1].links![1] as { mac: string }).mac = '0e:00:00:00:99:02';
    const m = consistencyMatrix(build(c));
    expect(bad(m)).toEqual(['node1->node2:VTEP_MAC_MISMATCH+FDB_MISSING', 'node3->node2:VTEP_MAC_MISMATCH+FDB_MISSING']);
  });

  it('reports missing route, not-permanent neigh and a wrong fdb dst separately', () => {
    const c = cluster();
    c[1].routes = c[1].routes!.filter((r) => r.dst !== '10.244.1.0/24');
    c[2].neigh![0] = { ...c[2].neigh![0], state: ['REACHABLE'] };
    c[2].fdb![1] = { ...c[2].fdb![1], dst: '192.168.56.99' };
    const m = consistencyMatrix(build(c));
    expect(bad(m)).toEqual(['node2->node1:ROUTE_MISSING', 'node3->node1:NEIGH_NOT_PERMANENT', 'node3->node2:FDB_DST_MISMATCH']);
  });

  it('accepts DirectRouting (route via the peer public IP) without neigh/fdb', () => {
    const c = cluster();
    c[0].routes = c[0].routes!.map((r) => (r.dst === '10.244.2.0/24' ? { dst: r.dst, gateway: '192.168.56.12', dev: 'eth0' } : r));
    c[0].neigh = c[0].neigh!.filter((n) => n.dst !== '10.244.2.0');
    const m = consistencyMatrix(build(c));
    expect(m.ok).toBe(true);
    expect(m.cells.find((x) => x.from === 'node1' && x.to === 'node2')!.path).toBe('direct');
  });

  it('compares the lease (annotation) with the node itself: a stale annotation shows on the diagonal', () => {
    const desired: DesiredState = {
      problems: [],
      leases: specs.map((s) => ({ node: s.name, subnet: `10.244.${s.n}.0/24`, publicIp: s.ip, backendType: 'vxlan', vtepMac: s.n === 2 ? '11:22:33:44:55:66' : s.mac })),
    };
    const m = consistencyMatrix(build(cluster()), desired);
    expect(bad(m)).toEqual([]);
    expect(m.nodes.map((n) => n.problems.map((p) => p.code))).toEqual([[], ['LEASE_MAC_MISMATCH'], []]);
    expect(matrixGrid(m).rows[1][2]).toBe('annotation MAC stale');
  });

  it('a node without flannel.1 is its own problem and makes its column unknown, not a crash', () => {
    const c = cluster();
    c[2].links = c[2].links!.filter((l) => l.kind !== 'vxlan');
    const m = consistencyMatrix(build(c));
    expect(m.nodes[2].problems.map((p) => p.code)).toEqual(['VXLAN_DEVICE_MISSING']);
    // the kernel drops every neighbour and route of a deleted device: node3's own view of its peers is empty
    expect(bad(m)).toEqual(['node3->node1:NEIGH_MISSING+FDB_MISSING+ROUTE_MISSING', 'node3->node2:NEIGH_MISSING+FDB_MISSING+ROUTE_MISSING']);
    // nothing to compare node1's and node2's view of node3 against: unverified, not a problem
    expect(m.cells.filter((x) => x.to === 'node3').map((x) => x.unverified)).toEqual([['peer'], ['peer']]);
  });

  it("LEASE_IP_MISMATCH needs the node's link list (vxlan local): without it the diagonal is unverified with what to paste, and nothing is added", () => {
    // node1's lease announces PublicIP 192.168.56.99 while its flannel.1 is local 192.168.56.11 (removal-cases.ts)
    const leases = leasesWithNode1At;
    const noLinks = withoutNode1Links;
    const codes = (m: ReturnType<typeof consistencyMatrix>): string[] => [...new Set(matrixFindings(m).map((f) => f.code))].sort();
    const full = consistencyMatrix(build(cluster()), leases('192.168.56.99'));
    expect(full.nodes[0].problems.map((p) => p.code)).toEqual(['LEASE_IP_MISMATCH']);
    expect(full.nodes[0].unverified).toBeUndefined();
    const less = consistencyMatrix(noLinks(), leases('192.168.56.99'));
    expect(less.nodes[0].problems).toEqual([]);
    expect(less.nodes[0].unverified?.[0]).toMatch(/vxlan local .*`ip -d link show`/);
    const base = consistencyMatrix(noLinks(), leases('192.168.56.11'));
    expect(codes(less).filter((x) => !codes(base).includes(x))).toEqual([]);
    expect(less.ok).toBe(base.ok);
  });

  it('a node whose link list was not read has no "no flannel.1" on its diagonal: absence of data is not absence of the device', () => {
    const c = cluster();
    c[2].links = [];
    c[2].commands = [{ name: 'ip-link', ok: false, error: 'ip: not found' }, { name: 'ip-neigh', ok: true }, { name: 'ip-route', ok: true }, { name: 'bridge-fdb', ok: true }];
    const m = consistencyMatrix(build(c));
    expect(m.nodes[2].problems).toEqual([]);
    // its own tables still show every peer as flanneld programs it
    expect(bad(m)).toEqual([]);
  });

  it('a table the row node did not collect (bridge missing in its image) is "n/a", not "missing"', () => {
    const c = cluster();
    c[0].fdb = [];
    c[0].commands = [{ name: 'ip-neigh', ok: true }, { name: 'ip-route', ok: true }, { name: 'bridge-fdb', ok: false, error: 'bridge: not found' }];
    const m = consistencyMatrix(build(c));
    expect(bad(m)).toEqual([]);
    expect(m.cells.filter((x) => x.unverified).map((x) => `${x.from}->${x.to}:${x.unverified!.join(',')}`)).toEqual(['node1->node2:fdb', 'node1->node3:fdb']);
    expect(matrixGrid(m).rows[0]).toEqual(['node1', '·', '✓ (fdb n/a)', '✓ (fdb n/a)']);
    // the same empty fdb after a step that worked is the real F2 failure: every peer's entry is gone
    c[0].commands[2] = { name: 'bridge-fdb', ok: true };
    expect(bad(consistencyMatrix(build(c)))).toEqual(['node1->node2:FDB_MISSING', 'node1->node3:FDB_MISSING']);
  });
});
