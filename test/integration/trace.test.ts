// trace / whohas / pod-veth as the CLI on a real 3-node flannel VXLAN cluster built in namespaces:
// pods ping across nodes, then every command must agree with the kernel.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildFlannelCluster, nodesJson, type LabCluster, type LabNode } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { runCli as cli } from '../collect/cli.js';

describeNetns('trace, whohas, pod-veth on a namespace flannel cluster', () => {
  const lab = new Lab('trh');
  let cluster: LabCluster;
  let n1: LabNode;
  let n2: LabNode;
  let n3: LabNode;
  let dir: string;
  let nodesFile: string;
  let snapshots: string[];

  beforeAll(() => {
    cluster = buildFlannelCluster(lab, { nodes: 3, podsPerNode: 2 });
    [n1, n2, n3] = cluster.nodes;
    dir = mkdtempSync(join(tmpdir(), 'flanctl-trace-'));
    nodesFile = join(dir, 'nodes.json');
    writeFileSync(nodesFile, nodesJson(cluster));
  });
  afterAll(() => {
    lab.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pods ping across nodes through VXLAN', () => {
    expect(lab.ping(n1.pods[0].netns, n2.pods[0].ip)).toBe(true);
    expect(lab.ping(n3.pods[1].netns, n1.pods[1].ip)).toBe(true);
    expect(lab.ping(n2.pods[1].netns, n3.pods[0].ip)).toBe(true);
  });

  it('trace --netns reaches the right node IP, name and VtepMAC', () => {
    for (const [src, dst] of [[n1, n2], [n3, n1]]) {
      const r = cli(['trace', dst.pods[0].ip, '--netns', src.netns, '--nodes', nodesFile, '--json']);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.json).toMatchObject({ ok: true, backend: 'vxlan', targetNode: { ip: dst.ip, name: dst.name, vtepMac: dst.vtepMac, subnet: dst.subnet } });
      expect(r.json.hops.find((h: { step: string }) => h.step === 'fdb').detail).toContain(`dst ${dst.ip}`);
    }
  });

  it('trace of a local pod names its host veth first thing', () => {
    const pod = n2.pods[1];
    const human = cli(['trace', pod.ip, '--netns', n2.netns]);
    expect(human.status, human.stdout + human.stderr).toBe(0);
    expect(human.stdout.split('\n')[0]).toBe(`${pod.ip} is a local pod behind cni0, host veth ${pod.hostVeth}: OK`);
  });

  it('collect --netns per node, then trace across the snapshots down to the destination veth and back', () => {
    snapshots = cluster.nodes.map((n) => {
      const file = join(dir, `${n.name}.json`);
      const r = cli(['collect', '--netns', n.netns, '-o', file]);
      expect(r.status, r.stderr).toBe(0);
      return file;
    });
    const pod = n2.pods[0];
    const r = cli(['trace', pod.ip, ...snapshots.flatMap((f) => ['--snapshot', f]), '--nodes', nodesFile, '--json']);
    expect(r.status, JSON.stringify(r.json, null, 1)).toBe(0);
    const remote = r.json.hops.filter((h: { node: string }) => h.node === n2.netns);
    expect(remote.map((h: { step: string }) => h.step)).toEqual(['arrive', 'route', 'bridge', 'neigh', 'fdb', 'veth', 'pod']);
    expect(remote.find((h: { step: string }) => h.step === 'veth').device).toBe(pod.hostVeth);
    expect(r.json.reverse.ok).toBe(true);
    expect(r.json.reverse.hops.find((h: { step: string }) => h.step === 'fdb').detail).toContain(`dst ${n1.ip}`);
  });

  it('whohas resolves every VtepMAC to its node and a pod MAC to its pod and veth', () => {
    const all = snapshots.flatMap((f) => ['--snapshot', f]);
    for (const node of cluster.nodes) {
      const r = cli(['whohas', node.vtepMac.toUpperCase().replaceAll(':', '-'), ...all, '--nodes', nodesFile, '--json']);
      expect(r.status, r.stdout).toBe(0);
      expect(r.json.mac).toBe(node.vtepMac);
      expect(r.json.duplicate).toBe(false);
      expect(r.json.owners).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'link', device: 'flannel.1', node: node.netns }),
          expect.objectContaining({ kind: 'fdb', device: 'flannel.1', nodeIp: node.ip }),
          expect.objectContaining({ kind: 'vtep', node: node.name, nodeIp: node.ip }),
        ]),
      );
    }
    // one pod per node from the snapshots, one live through --netns
    for (const node of cluster.nodes) {
      const pod = node.pods[0];
      const r = cli(['whohas', pod.mac.replaceAll(':', ''), ...all, '--json']);
      expect(r.status, r.stdout).toBe(0);
      expect(r.json.owners).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'pod', ip: pod.ip, node: node.netns }), expect.objectContaining({ kind: 'fdb', device: pod.hostVeth })]));
    }
    const live = cli(['whohas', n1.pods[1].mac, '--netns', n1.netns, '--json']);
    expect(live.json.owners).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'pod', ip: n1.pods[1].ip })]));
    const none = cli(['whohas', '02:00:00:00:be:ef', '--snapshot', snapshots[0], '--json']);
    expect(none.status).toBe(1);
    expect(none.json.owners).toEqual([]);
  });

  it('pod-veth maps every pod to its host veth and the kernel ifindex', () => {
    const r = cli(['pod-veth', ...snapshots.flatMap((f) => ['--snapshot', f]), '--json']);
    expect(r.status, r.stdout).toBe(0);
    for (const node of cluster.nodes) {
      for (const pod of node.pods) {
        const ifindex = JSON.parse(lab.ip(node.netns, ['-j', 'link', 'show', pod.hostVeth]))[0].ifindex;
        const iflink = Number(lab.exec(pod.netns, ['cat', '/sys/class/net/eth0/iflink']).trim());
        expect(iflink).toBe(ifindex);
        expect(r.json.pods).toEqual(expect.arrayContaining([expect.objectContaining({ ip: pod.ip, hostVeth: pod.hostVeth, hostIfindex: ifindex, podIflink: iflink, bridge: 'cni0', node: node.netns })]));
      }
    }
    const one = cli(['pod-veth', n1.pods[1].ip, '--netns', n1.netns, '--json']);
    expect(one.json.pods).toEqual([expect.objectContaining({ hostVeth: n1.pods[1].hostVeth })]);
  });
});
