// The captured cluster directory fixtures/cluster/stale-vtep (3 namespace nodes over real ssh; node1 has a
// stale view of node3): the directory loads, the matrix, trace and repair plan agree on the one broken pair,
// and each snapshot is exactly what --from-dir makes of the node's raw outputs.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClusterDir } from '../../src/cluster/dir.js';
import { doctorCluster } from '../../src/cluster/doctor.js';
import { renderClusterDoctor } from '../../src/render/cluster-doctor.js';
import { leasesFromSnapshots, planCluster } from '../../src/cluster/repair.js';
import { traceCluster } from '../../src/cluster/trace.js';
import { loadFromDir } from '../../src/collect/from-dir.js';

const DIR = join(import.meta.dirname, '../../fixtures/cluster/stale-vtep');

describe('fixtures/cluster/stale-vtep', () => {
  it('the matrix finds node1 -> node3 and nothing else; the grid says so', async () => {
    const cluster = await loadClusterDir(DIR);
    expect(cluster.snapshots.map((s) => s.host)).toEqual(['node1', 'node2', 'node3']);
    expect(cluster.unreachable).toEqual([]);
    const doc = doctorCluster(cluster);
    expect(doc.ok).toBe(false);
    expect(doc.findings.map((f) => `${f.node}:${f.code}`)).toEqual(['node1:VTEP_MAC_MISMATCH', 'node1:FDB_MISSING']);
    const text = renderClusterDoctor(doc);
    expect(text).toMatch(/│ node1\s+│ ·\s+│ ✓\s+│ neigh MAC stale, fdb missing │/);
    expect(text).toContain('fix on node1: ip neigh replace 10.244.3.0 dev flannel.1 lladdr');
  });

  it('trace: node2 pod -> node3 pod is clean; node1 pod -> node3 pod breaks on node1 at the VtepMAC', async () => {
    const { snapshots } = await loadClusterDir(DIR);
    const good = traceCluster(snapshots, '10.244.2.2', '10.244.3.2');
    expect(good.ok).toBe(true);
    expect(good.source).toEqual({ ip: '10.244.2.2', node: 'node2' });
    expect(good.hops[0]).toMatchObject({ step: 'source', node: 'node2', ok: true });
    expect(good.hops[0].device).toMatch(/^veth[0-9a-f]{8}$/);
    expect(good.hops.some((h) => h.node === 'node3' && h.step === 'arrive')).toBe(true);
    expect(good.reverse?.ok).toBe(true);
    const bad = traceCluster(snapshots, '10.244.1.2', '10.244.3.2');
    expect(bad.ok).toBe(false);
    expect(bad.hops.filter((h) => !h.ok).map((h) => `${h.node}:${h.problem}`)).toEqual(['node1:VTEP_MAC_MISMATCH']);
  });

  it('an IP on no node, or a pod name nobody has, is one usage error', async () => {
    const { snapshots } = await loadClusterDir(DIR);
    expect(() => traceCluster(snapshots, '10.99.0.1', '10.244.3.2')).toThrow(/not on any node/);
    expect(() => traceCluster(snapshots, 'default/web-0', '10.244.3.2')).toThrow(/no pod named/);
  });

  it('the repair plan from the nodes themselves touches node1 only', async () => {
    const { snapshots } = await loadClusterDir(DIR);
    const plans = planCluster(snapshots, leasesFromSnapshots(snapshots));
    expect(plans.map((p) => [p.node, p.actions.map((a) => a.op)])).toEqual([
      ['node1', ['neigh-replace', 'fdb-replace']],
      ['node2', []],
      ['node3', []],
    ]);
  });

  it.each(['node1', 'node2', 'node3'])('%s.json is what --from-dir makes of raw/%s', async (node) => {
    const { snapshots } = await loadClusterDir(DIR);
    const fromRaw = (await loadFromDir(join(DIR, 'raw', node))).snapshot;
    const saved = snapshots.find((s) => s.host === node)!;
    const strip = ({ host: _h, source: _s, commands: _c, time: _t, ...rest }: typeof saved) => rest;
    expect(strip(fromRaw)).toEqual(strip(saved));
  });
});
