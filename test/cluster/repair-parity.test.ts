// `repair --cluster DIR --prune` plans exactly what `repair --prune` plans on each node (issue 13). Three
// namespace nodes with real sshd; a fourth node has left the cluster (no lease) but node1 and node2 still hold its
// neigh/fdb/route, as flannel leaves them when a node is deleted while flanneld is down. The expected
// removals come from what the test programmed, the comparison from the CLI run on each node itself.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../collect/cli.js';
import { buildFlannelCluster, type LabCluster, nodesJson, randomMac } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { SshLab } from './sshd.js';

/** the built CLI inside a namespace, --json */
const flanctlIn = (ns: string, args: string[]) => runCli([...args, '--json'], { prefix: ['ip', 'netns', 'exec', ns] });

describeNetns('repair --cluster plans what repair plans on each node', () => {
  const lab = new Lab('rpp');
  let ssh: SshLab;
  let cluster: LabCluster;
  let dir: string;
  let nodesFile: string;
  const departedMac = randomMac();
  const departed = { ip: '192.168.56.19', subnet: '10.244.9.0/24', gw: '10.244.9.0' };

  beforeAll(async () => {
    ssh = new SshLab(lab);
    cluster = buildFlannelCluster(lab, { nodes: 3, podsPerNode: 0 });
    ssh.addClient(cluster);
    await Promise.all(cluster.nodes.map((n) => ssh.start(n.netns, n.ip, n.name)));
    for (const n of cluster.nodes.slice(0, 2)) {
      lab.ip(n.netns, ['neigh', 'replace', departed.gw, 'lladdr', departedMac, 'dev', 'flannel.1', 'nud', 'permanent']);
      lab.exec(n.netns, ['bridge', 'fdb', 'replace', departedMac, 'dev', 'flannel.1', 'dst', departed.ip, 'self', 'permanent']);
      lab.ip(n.netns, ['route', 'replace', departed.subnet, 'via', departed.gw, 'dev', 'flannel.1', 'onlink']);
    }
    nodesFile = join(ssh.dir, 'nodes.json');
    writeFileSync(nodesFile, nodesJson(cluster));
    const hosts = join(ssh.dir, 'hosts.txt');
    writeFileSync(hosts, cluster.nodes.map((n) => `${n.ip}`).join('\n') + '\n');
    dir = join(ssh.dir, 'c');
    const r = flanctlIn(ssh.clientNs, ['collect', '--all', '--ssh-hosts', hosts, ...ssh.flanctlSshFlags(), '-o', dir]);
    expect(r.status, r.stderr).toBe(0);
  });

  afterAll(() => {
    ssh?.stop();
    lab.teardown();
  });

  it('each node: the same actions, and the departed node\'s neigh, fdb and route are removed on node1 and node2 only', () => {
    const clusterRun = flanctlIn(ssh.clientNs, ['repair', '--cluster', dir, '--nodes', nodesFile, '--prune']);
    expect(clusterRun.status, clusterRun.stderr).toBe(1);
    const hosts = clusterRun.json.nodes.map((n: { node: string }) => n.node);
    expect(hosts).toEqual(cluster.nodes.map((n) => n.ip));
    cluster.nodes.forEach((n, i) => {
      const local = flanctlIn(n.netns, ['repair', '--nodes', nodesFile, '--prune']);
      const onNode = local.json.actions.map((a: { command: string }) => a.command);
      const fromCluster = clusterRun.json.actions.filter((a: { node: string }) => a.node === hosts[i]).map((a: { command: string }) => a.command);
      expect(fromCluster).toEqual(onNode);
      const removals = i < 2 ? [`ip neigh del ${departed.gw} `, `bridge fdb del ${departedMac} `, `ip route del ${departed.subnet} `] : [];
      for (const cmd of removals) expect(onNode.some((c: string) => c.startsWith(cmd))).toBe(true);
      if (i === 2) expect(onNode).toEqual([]);
    });
  });

  it('--node picks one node of the directory and plans it as repair --node does there', () => {
    const one = flanctlIn(ssh.clientNs, ['repair', '--cluster', dir, '--nodes', nodesFile, '--prune', '--node', 'node2']);
    const local = flanctlIn(cluster.nodes[1].netns, ['repair', '--nodes', nodesFile, '--prune', '--node', 'node2']);
    expect(one.json.nodes.map((n: { node: string }) => n.node)).toEqual([cluster.nodes[1].ip]);
    expect(one.json.actions.map((a: { command: string }) => a.command)).toEqual(local.json.actions.map((a: { command: string }) => a.command));
  });

  it('--prune without leases is refused in cluster mode: an unreachable node would look departed', () => {
    const r = flanctlIn(ssh.clientNs, ['repair', '--cluster', dir, '--prune']);
    expect(r.status).toBe(2);
  });
});
