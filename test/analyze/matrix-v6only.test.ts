// The cluster matrix on a v6-only cluster (fixtures/cluster/v6only, collected from the v6-only lab; its README gives
// the lab's values): no IPv4 cell and no IPv4 problem of any node (there is no flannel.1 to have one), the IPv6 cells
// judged as on a dual-stack cluster — healthy, and with node1's neighbour for node2 taken out of its snapshot.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { consistencyMatrix, matrixFindings } from '../../src/analyze/matrix.js';
import { parseNodesText } from '../../src/leases/nodes-text.js';
import { Snapshot } from '../../src/model/snapshot.js';

const DIR = 'fixtures/cluster/v6only';
const snap = (name: string): Snapshot => Snapshot.parse(JSON.parse(readFileSync(`${DIR}/${name}.json`, 'utf8')));

describe('consistency matrix of a v6-only cluster', () => {
  it('healthy: no IPv4 cell or node problem (no "no flannel.1"), both IPv6 cells ok', async () => {
    const desired = await parseNodesText(readFileSync(`${DIR}/nodes.json`, 'utf8'));
    const m = consistencyMatrix([snap('node1'), snap('node2')], desired);
    expect(m.cells).toEqual([]);
    expect(m.nodes.map((n) => n.problems)).toEqual([[], []]);
    expect(m.cells6?.map((c) => [c.from, c.to, c.ok])).toEqual([
      ['fcttmx6d3c-node1', 'fcttmx6d3c-node2', true],
      ['fcttmx6d3c-node2', 'fcttmx6d3c-node1', true],
    ]);
    expect(m.ok).toBe(true);
    expect(matrixFindings(m)).toEqual([]);
  });

  it("node1's neighbour fd00:10:244:2:: (node2's gateway) removed: that IPv6 cell alone is NEIGH_MISSING", async () => {
    const desired = await parseNodesText(readFileSync(`${DIR}/nodes.json`, 'utf8'));
    const s1 = snap('node1');
    const broken = { ...s1, neigh: s1.neigh.filter((n) => !(n.dev === 'flannel-v6.1' && n.dst === 'fd00:10:244:2::')) };
    const m = consistencyMatrix([broken, snap('node2')], desired);
    expect(m.cells).toEqual([]);
    expect((m.cells6 ?? []).filter((c) => !c.ok).map((c) => [c.from, c.to, c.problems.map((p) => p.code)])).toEqual([['fcttmx6d3c-node1', 'fcttmx6d3c-node2', ['NEIGH_MISSING']]]);
  });
});
