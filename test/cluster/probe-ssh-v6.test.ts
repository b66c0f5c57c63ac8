// probe <IPv6 pod IP> in cluster mode: the dual-stack namespace cluster, node1 read with --netns, node2 reached over
// real ssh (an sshd in its namespace) and listened on too: its underlay (VXLAN over IPv6 matched), flannel-v6.1,
// cni0 and the destination pod's veth. Expectations come from how the lab was built.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { runCli } from '../collect/cli.js';
import { buildDualStackCluster, type DualCluster, type DualNode, dualNodeObject } from '../netns/flannel-cluster-v6.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { leftovers } from '../netns/pids.js';
import { SshLab } from './sshd.js';

interface Hop {
  node: string;
  device: string;
  side: string;
  seen: boolean | null;
  outer?: Record<string, unknown>;
}

describeNetns('probe <IPv6 pod IP> across nodes: the target node listened on over ssh', () => {
  const lab = new Lab('pc6');
  let ssh: SshLab;
  let cluster: DualCluster;
  let n1: DualNode;
  let n2: DualNode;
  let hosts: string;
  let nodes: string;

  beforeAll(async () => {
    ssh = new SshLab(lab);
    cluster = buildDualStackCluster(lab, { nodes: 2, podsPerNode: 1 });
    [n1, n2] = cluster.nodes;
    ssh.addClient(cluster);
    await ssh.start(n2.netns, n2.ip, n2.name);
    hosts = join(ssh.dir, 'inventory.ini');
    writeFileSync(hosts, ['[k8s]', `${n2.name} ansible_host=${n2.ip} ansible_user=root`, ''].join('\n'));
    nodes = join(ssh.dir, 'nodes.json');
    writeFileSync(nodes, JSON.stringify({ kind: 'List', items: cluster.nodes.map(dualNodeObject) }));
    // traffic first, so node2's cni0 has learnt the destination pod's MAC and its fdb names the pod's veth
    lab.tryExec(n1.pods[0].netns, ['ping', '-6', '-c', '1', '-W', '2', n2.pods[0].ip6]);
  });
  afterEach(() => {
    for (const ns of [n1.netns, n2.netns, n1.pods[0].netns, n2.pods[0].netns]) expect(leftovers(ns), ns).toEqual([]);
  });
  afterAll(() => {
    ssh?.stop();
    lab.teardown();
  });

  it('healthy: seen on the four hops of each node (flannel-v6.1 on both), the outer IPv6 header on node2 too; answered', () => {
    const [a] = n1.pods;
    const [b] = n2.pods;
    const r = runCli(['probe', b.ip6, '--from', a.netns, '--netns', n1.netns, '--nodes', nodes, '--ssh-hosts', hosts, ...ssh.flanctlSshFlags(), '--json'], {
      prefix: ['ip', 'netns', 'exec', ssh.clientNs],
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, delivered: true, replied: true, lostAfter: null });
    const target = (r.json.hops as Hop[]).filter((h) => h.side === 'target');
    expect(target.map((h) => `${h.device}=${h.seen}`)).toEqual(['eth0=true', 'flannel-v6.1=true', 'cni0=true', `${b.hostVeth}=true`]);
    expect(target[0].outer).toMatchObject({ encap: 'vxlan', vni: 1, src: n1.ip6, dst: n2.ip6, innerDstMac: n2.vtepMac6 });
  });
});
