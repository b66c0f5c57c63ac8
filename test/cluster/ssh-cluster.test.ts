// Cluster mode end to end over real ssh: five namespace nodes each running a real sshd on its underlay IP,
// the built flanctl CLI (bin/run.js) in a client namespace on the same underlay. One node has a stale view of one peer (the VtepMAC it
// had before flannel.1 was recreated); collect finds it in the matrix, trace shows the broken hop, repair
// fixes it over ssh (journal on the node), and a node made unreachable gives a partial, reported result.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../collect/cli.js';
import { buildFlannelCluster, flannelNodeObject, type LabCluster, nodesJson, randomMac } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { SshLab } from './sshd.js';

describeNetns('cluster mode over ssh (5 namespace nodes, real sshd)', () => {
  const lab = new Lab('cls');
  let ssh: SshLab;
  let cluster: LabCluster;
  let hosts: string;
  const staleMac = randomMac();

  /** flanctl (the built CLI) from the client namespace, --json */
  const flanctl = (args: string[]) => runCli([...args, '--json'], { prefix: ['ip', 'netns', 'exec', ssh.clientNs] });
  const collect = (out: string, timeout = 20) =>
    flanctl(['collect', '--all', '--ssh-hosts', hosts, ...ssh.flanctlSshFlags(), '--parallel', '10', '--timeout', String(timeout), '-o', out]);
  const doctor = (dir: string) => flanctl(['doctor', '--cluster', dir]);
  const traceCmd = (dir: string, src: string, dst: string) => flanctl(['trace', src, dst, '--cluster', dir]);
  const repair = (dir: string, journalDir: string, apply: boolean) => flanctl(['repair', '--cluster', dir, '--journal-dir', journalDir, ...ssh.flanctlSshFlags(), ...(apply ? ['--apply', '--yes'] : [])]);

  beforeAll(async () => {
    ssh = new SshLab(lab);
    cluster = buildFlannelCluster(lab, { nodes: 5, podsPerNode: 1 });
    ssh.addClient(cluster);
    await Promise.all(cluster.nodes.map((n) => ssh.start(n.netns, n.ip, n.name)));
    // node2 still points node4's VTEP at the MAC node4's flannel.1 had before it was recreated
    const [node2, node4] = [cluster.nodes[1], cluster.nodes[3]];
    lab.ip(node2.netns, ['neigh', 'replace', '10.244.4.0', 'lladdr', staleMac, 'dev', 'flannel.1', 'nud', 'permanent']);
    lab.exec(node2.netns, ['bridge', 'fdb', 'del', node4.vtepMac, 'dev', 'flannel.1', 'dst', node4.ip, 'self']);
    lab.exec(node2.netns, ['bridge', 'fdb', 'replace', staleMac, 'dev', 'flannel.1', 'dst', node4.ip, 'self', 'permanent']);
    // an ansible inventory, as seed 004 uses
    hosts = join(ssh.dir, 'inventory.ini');
    writeFileSync(hosts, ['[k8s]', ...cluster.nodes.map((n) => `${n.name} ansible_host=${n.ip} ansible_user=root`), ''].join('\n'));
  });

  afterAll(() => {
    ssh?.stop();
    lab.teardown();
  });

  it('collects all five nodes in parallel, one snapshot each, parsed from the raw outputs', () => {
    // traffic first, so node1's cni0 has learnt its pod (the trace below starts from it)
    expect(lab.ping(cluster.nodes[0].pods[0].netns, cluster.nodes[3].pods[0].ip)).toBe(true);
    const dir = join(ssh.dir, 'c1');
    const r = collect(dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.json.nodes.map((n: { name: string; ok: boolean }) => [n.name, n.ok])).toEqual(cluster.nodes.map((n) => [n.name, true]));
    const snap = JSON.parse(readFileSync(join(dir, 'node4.json'), 'utf8'));
    expect(snap.host).toBe('node4');
    expect(snap.source).toEqual({ kind: 'ssh', name: 'node4' });
    expect(snap.links.find((l: { name: string }) => l.name === 'flannel.1').mac).toBe(cluster.nodes[3].vtepMac);
    expect(existsSync(join(dir, 'raw/node4/ip-neigh.txt'))).toBe(true);
  });

  it('the consistency matrix flags exactly node2 -> node4, and trace shows the broken hop there', () => {
    const dir = join(ssh.dir, 'c1');
    const d = doctor(dir);
    expect(d.status).toBe(1);
    const doc = d.json;
    expect(doc.ok).toBe(false);
    const bad = doc.matrix.cells.filter((c: { ok: boolean }) => !c.ok);
    expect(bad.map((c: { from: string; to: string }) => `${c.from}->${c.to}`)).toEqual(['node2->node4']);
    expect(bad[0].problems.map((p: { code: string }) => p.code)).toEqual(['VTEP_MAC_MISMATCH', 'FDB_MISSING']);
    expect(doc.matrix.cells).toHaveLength(20);

    const pod1 = cluster.nodes[0].pods[0];
    const pod2 = cluster.nodes[1].pods[0];
    const pod4 = cluster.nodes[3].pods[0];
    const good = traceCmd(dir, pod1.ip, pod4.ip).json;
    expect(good.source.node).toBe('node1');
    // the source pod on its node: its MAC learnt on cni0 names its veth (traffic before the collection)
    expect(good.hops[0]).toMatchObject({ step: 'source', node: 'node1', device: pod1.hostVeth, ok: true });
    expect(good.targetNode.name ?? good.targetNode.ip).toMatch(/node4|192\.168\.56\.14/);
    expect(good.ok).toBe(true);
    expect(good.reverse?.ok).toBe(true);
    const brokenRun = traceCmd(dir, pod2.ip, pod4.ip);
    expect(brokenRun.status).toBe(1);
    const broken = brokenRun.json;
    expect(broken.ok).toBe(false);
    expect(broken.source.node).toBe('node2');
    expect(broken.hops.filter((h: { ok: boolean }) => !h.ok).map((h: { node: string; problem: string }) => `${h.node}:${h.problem}`)).toEqual(['node2:VTEP_MAC_MISMATCH']);
  });

  it('repair --cluster applies node2 only, over ssh, with the journal on the node; the pods then reach each other', () => {
    const dir = join(ssh.dir, 'c1');
    const [pod2, pod4] = [cluster.nodes[1].pods[0], cluster.nodes[3].pods[0]];
    expect(lab.ping(pod2.netns, pod4.ip)).toBe(false);
    const journalDir = join(ssh.dir, 'journal');
    const dry = repair(dir, journalDir, false).json;
    expect(dry.actions.map((a: { node: string; status: string }) => `${a.node}:${a.status}`)).toEqual(['node2:planned', 'node2:planned']);
    expect(lab.ping(pod2.netns, pod4.ip)).toBe(false);
    const r = repair(dir, journalDir, true).json;
    expect(r.actions.map((a: { status: string }) => a.status)).toEqual(['applied', 'applied']);
    expect(r.nodes.map((n: { node: string; status: string }) => `${n.node}:${n.status}`)).toEqual([
      'node1:nothing-to-do',
      'node2:applied',
      'node3:nothing-to-do',
      'node4:nothing-to-do',
      'node5:nothing-to-do',
    ]);
    expect(r.actions.map((a: { command: string }) => a.command)).toEqual([
      `ip neigh replace 10.244.4.0 dev flannel.1 lladdr ${cluster.nodes[3].vtepMac} nud permanent`,
      `bridge fdb replace ${cluster.nodes[3].vtepMac} dev flannel.1 dst 192.168.56.14 self permanent`,
    ]);
    expect(r.applied).toBe(true);
    expect(r.actions.every((a: { node: string }) => a.node === 'node2')).toBe(true);
    const journal = JSON.parse(readFileSync(r.nodes[1].journal, 'utf8'));
    expect(journal).toMatchObject({ node: 'node2', status: 'applied', applied: r.actions.length });
    expect(lab.ping(pod2.netns, pod4.ip)).toBe(true);

    const again = join(ssh.dir, 'c2');
    expect(collect(again).json.nodes.every((n: { ok: boolean }) => n.ok)).toBe(true);
    expect(doctor(again).json.matrix.ok).toBe(true);
  });

  it('a node that cannot be reached is reported; the other four are collected and analysed', () => {
    lab.ip(cluster.switchNs, ['link', 'set', 'p-node5', 'down']);
    try {
      const dir = join(ssh.dir, 'c3');
      const r = collect(dir, 3);
      expect(r.status).toBe(1);
      const node5 = r.json.nodes.find((n: { name: string }) => n.name === 'node5');
      expect(node5.ok).toBe(false);
      expect(node5.error).toMatch(/timed out|192\.168\.56\.15/);
      expect(r.json.nodes.filter((n: { ok: boolean }) => n.ok)).toHaveLength(4);
      const doc = doctor(dir).json;
      expect(doc.nodes.map((n: { node: string }) => n.node)).toEqual(['node1', 'node2', 'node3', 'node4']);
      expect(doc.unreachable.map((u: { name: string }) => u.name)).toEqual(['node5']);
      expect(doc.findings.filter((f: { code: string }) => f.code === 'NODE_UNREACHABLE').map((f: { node: string }) => f.node)).toEqual(['node5']);
      expect(doc.matrix.ok).toBe(true);
      expect(doc.matrix.cells).toHaveLength(12);
    } finally {
      lab.ip(cluster.switchNs, ['link', 'set', 'p-node5', 'up']);
    }
  });

  it('repair --cluster stops at the first node that fails: its journal says so, later nodes are untouched', () => {
    const [node2, node3, node4] = [cluster.nodes[1], cluster.nodes[2], cluster.nodes[3]];
    // node2 and node3 both get a stale view of node4
    for (const n of [node2, node3]) lab.ip(n.netns, ['neigh', 'replace', '10.244.4.0', 'lladdr', staleMac, 'dev', 'flannel.1', 'nud', 'permanent']);
    const dir = join(ssh.dir, 'c4');
    expect(collect(dir).json.nodes.every((n: { ok: boolean }) => n.ok)).toBe(true);
    // then node2's flannel.1 disappears: its planned `ip neigh replace … dev flannel.1` cannot run
    lab.ip(node2.netns, ['link', 'del', 'flannel.1']);
    const journalDir = join(ssh.dir, 'journal-c4');
    const r = repair(dir, journalDir, true).json;
    expect(r.applied).toBe(false);
    expect(r.nodes.map((n: { node: string; status: string }) => `${n.node}:${n.status}`)).toEqual([
      'node1:nothing-to-do',
      'node2:failed',
      'node3:not-run',
      'node4:nothing-to-do',
      'node5:nothing-to-do',
    ]);
    expect(r.nodes[1].error).toMatch(/^ip neigh replace 10\.244\.4\.0 .*: Cannot find device/);
    expect(JSON.parse(readFileSync(r.nodes[1].journal, 'utf8'))).toMatchObject({ node: 'node2', status: 'failed', applied: 0, failed: { index: 0 } });
    // node3 kept its stale entry: nothing ran there
    expect(lab.ip(node3.netns, ['neigh', 'show', '10.244.4.0', 'dev', 'flannel.1'])).toContain(staleMac);
    expect(node4.vtepMac).not.toBe(staleMac);
  });

  it('repair --cluster --apply streams a 5,000-peer plan (15,000 actions) to one node over ssh; undo on the node removes it', () => {
    const node1 = cluster.nodes[0];
    const dir = join(ssh.dir, 'c5');
    expect(collect(dir).json.nodes[0].ok).toBe(true);
    const doc = JSON.parse(nodesJson(cluster));
    for (let i = 0; i < 5000; i++) {
      const mac = `0a:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:00:00:05`;
      doc.items.push(flannelNodeObject({ name: `peer${i}`, ip: `172.16.${i >> 8}.${i & 255}`, subnet: `10.${100 + (i >> 8)}.${i & 255}.0/24`, vtepMac: mac }));
    }
    const nodesFile = join(ssh.dir, 'big-nodes.json');
    writeFileSync(nodesFile, JSON.stringify(doc));
    const journalDir = join(ssh.dir, 'journal-c5');
    const r = flanctl(['repair', '--cluster', dir, '--node', 'node1', '--nodes', nodesFile, '--journal-dir', journalDir, ...ssh.flanctlSshFlags(), '--apply', '--yes']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.nodes.map((n: { node: string; status: string; applied: number }) => `${n.node}:${n.status}:${n.applied}`)).toEqual(['node1:applied:15000']);
    // the kernel of node1 has them (counted from iproute2's own output)
    const routes = JSON.parse(lab.ip(node1.netns, ['-j', 'route', 'show', 'dev', 'flannel.1'])) as { dst: string }[];
    expect(routes.filter((x) => x.dst.startsWith('10.1')).length).toBe(5000);
    const journal = JSON.parse(readFileSync(r.json.nodes[0].journal, 'utf8'));
    expect(journal).toMatchObject({ node: 'node1', status: 'applied', applied: 15000 });
    // undo on the node itself (the journal is there; its commands carry no namespace, so run it in node1's)
    const undo = runCli(['repair', '--undo', journal.id, '--journal-dir', journalDir, '--json'], { prefix: ['ip', 'netns', 'exec', node1.netns] });
    expect(undo.status, undo.stderr).toBe(0);
    const after = JSON.parse(lab.ip(node1.netns, ['-j', 'route', 'show', 'dev', 'flannel.1'])) as { dst: string }[];
    expect(after.filter((x) => x.dst.startsWith('10.1')).length).toBe(0);
  });
});
