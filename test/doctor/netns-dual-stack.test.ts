import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { buildDualStackCluster, type DualCluster, dualNodeObject, programPeers6 } from '../netns/flannel-cluster-v6.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { cli, codes } from '../repair/netns-helpers.js';

// doctor on node1 of a dual-stack namespace cluster (flannel.1 and flannel-v6.1 programmed as flanneld does),
// leases as flanneld annotates dual-stack nodes. Each IPv6 fault is named with the IPv4 code for the same fault.
describeNetns('doctor: IPv6 faults on a dual-stack node (netns cluster)', () => {
  const lab = new Lab('d6');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-dual-'));
  let cluster: DualCluster;
  let args: string[];
  beforeAll(() => {
    cluster = buildDualStackCluster(lab, { nodes: 2, podsPerNode: 1 });
    writeFileSync(join(tmp, 'nodes.json'), JSON.stringify({ kind: 'List', items: cluster.nodes.map(dualNodeObject) }));
    args = ['doctor', '--netns', cluster.nodes[0].netns, '--nodes', join(tmp, 'nodes.json'), '--json'];
  });
  afterEach(() => {
    const a = cluster.nodes[0];
    if (lab.tryExec(a.netns, ['ip', 'link', 'show', 'flannel-v6.1']).status === 0) {
      lab.ip(a.netns, ['link', 'set', 'flannel-v6.1', 'up']);
      // taken down, the device lost its IPv6 addresses: its lease's /128 too
      lab.ip(a.netns, ['-6', 'addr', 'replace', `${a.subnet6.split('/')[0]}/128`, 'dev', 'flannel-v6.1', 'nodad']);
      programPeers6(lab, a, cluster.nodes);
    }
  });
  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  const summaries = (r: ReturnType<typeof cli>, code: string): string[] => r.json.findings.filter((f: { code: string }) => f.code === code).map((f: { summary: string }) => f.summary);

  it('healthy: nothing found in either family', () => {
    const r = cli(args);
    expect(r.status, r.stdout).toBe(0);
    expect(codes(r)).toEqual([]);
  });

  it('v6 neighbour deleted -> NEIGH_MISSING on flannel-v6.1', () => {
    const [a, b] = cluster.nodes;
    lab.ip(a.netns, ['-6', 'neigh', 'del', b.subnet6.split('/')[0], 'dev', 'flannel-v6.1']);
    const r = cli(args);
    expect(codes(r)).toEqual(['NEIGH_MISSING']);
    expect(summaries(r, 'NEIGH_MISSING')[0]).toContain('flannel-v6.1');
  });

  it('v6 fdb entry deleted -> FDB_MISSING on flannel-v6.1', () => {
    const [a, b] = cluster.nodes;
    lab.exec(a.netns, ['bridge', 'fdb', 'del', b.vtepMac6, 'dev', 'flannel-v6.1', 'dst', b.ip6, 'self']);
    const r = cli(args);
    expect(codes(r)).toEqual(['FDB_MISSING']);
    expect(summaries(r, 'FDB_MISSING')[0]).toContain(`dst ${b.ip6} on flannel-v6.1`);
  });

  it('flannel-v6.1 down -> VXLAN_DEVICE_DOWN and NEIGH_MISSING; the permanent fdb entries stay, as on flannel.1', () => {
    const [a, b] = cluster.nodes;
    lab.ip(a.netns, ['link', 'set', 'flannel-v6.1', 'down']);
    expect(lab.exec(a.netns, ['bridge', 'fdb', 'show', 'dev', 'flannel-v6.1'])).toContain(`${b.vtepMac6} dst ${b.ip6} self permanent`);
    const r = cli(args);
    expect(codes(r)).toEqual(expect.arrayContaining(['VXLAN_DEVICE_DOWN', 'NEIGH_MISSING']));
    expect(codes(r)).not.toContain('FDB_MISSING');
    expect(summaries(r, 'VXLAN_DEVICE_DOWN')[0]).toContain('flannel-v6.1');
  });

  it('v6 route deleted, seen through a pasted `ip -6 route` -> ROUTE_MISSING', () => {
    const [a, b] = cluster.nodes;
    lab.ip(a.netns, ['-6', 'route', 'del', b.subnet6, 'dev', 'flannel-v6.1']);
    const dir = join(tmp, 'node1');
    const collected = cli(['collect', '--netns', a.netns, '--raw-dir', dir, '-o', join(tmp, 'node1.json')]);
    expect(collected.status, collected.stderr).toBe(0);
    writeFileSync(join(dir, 'ip6-route.txt'), lab.ip(a.netns, ['-6', 'route', 'show']));
    const r = cli(['doctor', '--from-dir', dir, '--nodes', join(tmp, 'nodes.json'), '--json']);
    expect(codes(r)).toEqual(['ROUTE_MISSING']);
    expect(summaries(r, 'ROUTE_MISSING')[0]).toContain(`${b.subnet6} via ${b.subnet6.split('/')[0]} dev flannel-v6.1 onlink`);
  });

  it('flannel-v6.1 deleted -> VXLAN_DEVICE_MISSING', () => {
    lab.ip(cluster.nodes[0].netns, ['link', 'del', 'flannel-v6.1']);
    const r = cli(args);
    expect(codes(r)).toEqual(expect.arrayContaining(['VXLAN_DEVICE_MISSING']));
    expect(summaries(r, 'VXLAN_DEVICE_MISSING')[0]).toContain('flannel-v6.1');
  });
});
