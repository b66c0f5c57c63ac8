import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { buildDualStackCluster, type DualCluster, type DualNode, dualNodeObject } from '../netns/flannel-cluster-v6.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { cli, codes } from './netns-helpers.js';
import { v6Cycle, v6Faults } from './v6-cycle.js';

// The "Done when" for IPv6 (issue 12) on node1 of a dual-stack namespace cluster (flannel.1 and
// flannel-v6.1 programmed as flanneld programs them, leases as flanneld annotates dual-stack nodes): each v6 fault
// through doctor, trace, repair --apply, a second plan and --undo (v6-cycle.ts), IPv4 untouched throughout.
describeNetns('doctor, repair and undo: IPv6 faults on a dual-stack node (netns cluster)', () => {
  const lab = new Lab('r6');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-repair6-'));
  let cluster: DualCluster;
  let a: DualNode;
  let b: DualNode;
  let nodesArgs: string[];
  const journalDir = join(tmp, 'journal');

  beforeAll(() => {
    cluster = buildDualStackCluster(lab, { nodes: 2, podsPerNode: 1 });
    [a, b] = cluster.nodes;
    writeFileSync(join(tmp, 'nodes.json'), JSON.stringify({ kind: 'List', items: cluster.nodes.map(dualNodeObject) }));
    nodesArgs = ['--nodes', join(tmp, 'nodes.json')];
  });
  const v6 = v6Cycle(lab, () => cluster.nodes, () => nodesArgs, journalDir, { v4: true });
  // node1's flannel-v6.1 as the lab builds it (flanneld's programming), whatever the last fault left
  afterEach(() => v6.restore());
  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('healthy: nothing found, nothing planned in either family', () => {
    const doctor = cli(['doctor', '--netns', a.netns, ...nodesArgs, '--json']);
    expect(codes(doctor)).toEqual([]);
    const dry = cli(['repair', '--netns', a.netns, ...nodesArgs, '--json']);
    expect(dry.status, dry.stdout).toBe(0);
    expect(dry.json.actions).toEqual([]);
    expect(v6.ping6()).toBe(true);
  });

  for (const [name, code, step, inject] of v6Faults(lab, () => a, () => b)) {
    it(name, () => {
      inject();
      v6.cycle(code, step);
    });
  }

  it('flannel-v6.1 deleted -> VXLAN_DEVICE_MISSING; recreated with the own v6 VtepMAC, local public-ipv6, MTU underlay − 70', () => v6.deviceDeleted());
});
