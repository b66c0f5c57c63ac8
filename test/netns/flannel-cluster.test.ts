import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildFlannelCluster, type LabCluster } from './flannel-cluster.js';
import { Lab } from './lab.js';
import { describeNetns } from './needs.js';

// The lab itself must behave like a flannel cluster, or every test built on it proves nothing.
describeNetns('namespace flannel cluster', () => {
  const lab = new Lab('cl');
  let cluster: LabCluster;
  beforeAll(() => {
    cluster = buildFlannelCluster(lab, { nodes: 3, podsPerNode: 1 });
  });
  afterAll(() => lab.teardown());

  it('pods ping each other across nodes through VXLAN', () => {
    const [a, b, c] = cluster.nodes;
    expect(lab.ping(a.pods[0].netns, b.pods[0].ip)).toBe(true);
    expect(lab.ping(c.pods[0].netns, a.pods[0].ip)).toBe(true);
  });

  it('stops working when the fdb entry is gone', () => {
    const [a, b] = cluster.nodes;
    lab.exec(a.netns, ['bridge', 'fdb', 'del', b.vtepMac, 'dev', 'flannel.1', 'dst', b.ip, 'self']);
    expect(lab.ping(a.pods[0].netns, b.pods[0].ip)).toBe(false);
  });
});
