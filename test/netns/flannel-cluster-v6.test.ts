import { afterAll, beforeAll, expect, it } from 'vitest';
import { collectLive } from '../../src/collect/index.js';
import { parseNodesJson } from '../../src/leases/kube.js';
import { buildDualStackCluster, type DualCluster, dualNodeObject, programPeers6, V6_MTU } from './flannel-cluster-v6.js';
import { Lab } from './lab.js';
import { describeNetns } from './needs.js';

// The dual-stack lab must behave like a flannel cluster in both families, or every v6 test built on it proves
// nothing. With CI=true a machine that cannot build namespaces fails this suite instead of skipping it.
describeNetns('dual-stack namespace flannel cluster', () => {
  const lab = new Lab('ds');
  let cluster: DualCluster;
  beforeAll(() => {
    cluster = buildDualStackCluster(lab, { nodes: 2, podsPerNode: 1 });
  });
  afterAll(() => lab.teardown());

  // fresh IPv6 links hold their link-local addresses tentative (DAD) for a moment: up to 3 pings, 1 s each
  const ping6 = (ns: string, dst: string): boolean => [0, 1, 2].some(() => lab.ping(ns, dst));

  it('pods ping each other across nodes in both families (VXLAN over v4 and over v6)', () => {
    const [a, b] = cluster.nodes;
    expect(ping6(a.pods[0].netns, b.pods[0].ip6)).toBe(true);
    expect(lab.ping(a.pods[0].netns, b.pods[0].ip)).toBe(true);
    expect(lab.ping(a.pods[0].netns, b.pods[0].ip6)).toBe(true);
    expect(lab.ping(b.pods[0].netns, a.pods[0].ip6)).toBe(true);
  });

  it('the kernel refuses a v6 vxlan MTU above the underlay − 70', () => {
    const ns = cluster.nodes[0].netns;
    expect(lab.tryExec(ns, ['ip', 'link', 'set', 'flannel-v6.1', 'mtu', String(V6_MTU + 1)]).status).not.toBe(0);
    expect(lab.tryExec(ns, ['ip', 'link', 'set', 'flannel-v6.1', 'mtu', String(V6_MTU)]).status).toBe(0);
  });

  it('collect reads flannel-v6.1 and its v6 neighbour, fdb and address as the kernel has them (v6 routes are not collected live yet)', async () => {
    const [a, b] = cluster.nodes;
    const { snapshot } = await collectLive({ netns: a.netns });
    const dev = snapshot.links.find((l) => l.name === 'flannel-v6.1');
    expect(dev).toMatchObject({ kind: 'vxlan', vni: 1, local: a.ip6, dev: 'eth0', port: 8472, learning: false, mtu: V6_MTU, mac: a.vtepMac6 });
    const gw = b.subnet6.split('/')[0];
    expect(snapshot.neigh.find((n) => n.dev === 'flannel-v6.1' && n.dst === gw)).toMatchObject({ lladdr: b.vtepMac6, state: ['PERMANENT'] });
    expect(snapshot.fdb.find((f) => f.dev === 'flannel-v6.1' && f.mac === b.vtepMac6)).toMatchObject({ dst: b.ip6, self: true });
    expect(snapshot.addresses.find((x) => x.dev === 'flannel-v6.1' && x.family === 'inet6' && x.scope !== 'link')).toMatchObject({ local: a.subnet6.split('/')[0], prefixlen: 128 });
  });

  it("the nodes' annotations give each lease its v6 half, equal to what the lab programmed", () => {
    const desired = parseNodesJson(JSON.stringify({ items: cluster.nodes.map(dualNodeObject) }));
    expect(desired.problems).toEqual([]);
    for (const n of cluster.nodes) expect(desired.leases.find((l) => l.node === n.name)).toMatchObject({ subnet6: n.subnet6, publicIpv6: n.ip6, vtepMac6: n.vtepMac6 });
  });

  it('stops working in v6 only when the v6 fdb entry is gone, and works again when flannel\'s triplet is back', () => {
    const [a, b] = cluster.nodes;
    lab.exec(a.netns, ['bridge', 'fdb', 'del', b.vtepMac6, 'dev', 'flannel-v6.1', 'dst', b.ip6, 'self']);
    expect(lab.ping(a.pods[0].netns, b.pods[0].ip6)).toBe(false);
    expect(lab.ping(a.pods[0].netns, b.pods[0].ip)).toBe(true);
    programPeers6(lab, a, cluster.nodes);
    expect(lab.ping(a.pods[0].netns, b.pods[0].ip6)).toBe(true);
  });
});
