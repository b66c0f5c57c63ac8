// Issue 15: the single binary must run every command. binary.test.ts covers --version, trace, decode, completion,
// collect --netns, probe and collect --all over ssh; here the rest, each run by a copy of the binary where node is
// hidden (hidden-node.ts): whohas, pod-veth, show, repair --apply and --undo on a namespace node, and collect --all
// --kube through the real kubectl against the API stand-in (test/cluster/kube-api.ts). Expected answers come from
// the namespaces this test programs itself and from the kernel (`ip`, `bridge`, ping), never from flanctl.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeApi, kubeconfigFor, startFakeApi } from '../cluster/kube-api.js';
import { buildFlannelCluster, type LabCluster, nodesJson } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { binary, HiddenNode } from './hidden-node.js';

// mount namespaces need root as the lab does: skipped without, failed under CI=true
describeNetns('the single binary, where node is hidden: whohas, pod-veth, show, repair, collect --all --kube', () => {
  const lab = new Lab('bcm');
  let node: HiddenNode;
  let cluster: LabCluster;
  let nodesFile: string;

  beforeAll(() => {
    try {
      node = new HiddenNode(binary());
      cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 1 });
      nodesFile = join(node.dir, 'nodes.json');
      writeFileSync(nodesFile, nodesJson(cluster));
    } catch (error) {
      lab.teardown();
      throw error;
    }
  });
  afterAll(() => {
    lab.teardown();
    node?.remove();
  });

  const json = (args: string[], env: Record<string, string> = {}): ReturnType<typeof JSON.parse> => {
    const r = node.flanctl([...args, '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.status, r.stdout).toBe(0);
    return JSON.parse(r.stdout);
  };
  const gateway = (subnet: string): string => subnet.replace('.0/24', '.0');

  it("whohas: the peer's VtepMAC is its neighbour and fdb entry on flannel.1; a pod's MAC is that pod", () => {
    const [me, peer] = cluster.nodes;
    const vtep = json(['whohas', peer.vtepMac, '--netns', me.netns]);
    expect(vtep.mac).toBe(peer.vtepMac);
    expect(vtep.owners).toContainEqual(expect.objectContaining({ kind: 'neigh', device: 'flannel.1', ip: gateway(peer.subnet) }));
    expect(vtep.owners).toContainEqual(expect.objectContaining({ kind: 'fdb', device: 'flannel.1', nodeIp: peer.ip }));
    const pod = me.pods[0];
    const owned = json(['whohas', pod.mac, '--netns', me.netns]);
    expect(owned.owners).toContainEqual(expect.objectContaining({ kind: 'pod', ip: pod.ip }));
  });

  it("pod-veth: the pod's host veth, its ifindex and the pod's eth0 iflink as the kernel numbers them", () => {
    const [me] = cluster.nodes;
    const pod = me.pods[0];
    const host = JSON.parse(lab.ip(me.netns, ['-j', 'link', 'show', pod.hostVeth]))[0];
    const eth0 = JSON.parse(lab.ip(pod.netns, ['-j', 'link', 'show', 'eth0']))[0];
    const r = json(['pod-veth', '--netns', me.netns]);
    expect(r.pods).toHaveLength(1);
    expect(r.pods[0]).toMatchObject({ netns: pod.netns, ip: pod.ip, mac: pod.mac, hostVeth: pod.hostVeth, hostIfindex: host.ifindex, podIflink: eth0.link_index, bridge: 'cni0' });
  });

  it('show routes: the JSON items and the table (cli-table3, bundled) hold the peer route the lab programmed', () => {
    const [me, peer] = cluster.nodes;
    const doc = json(['show', 'routes', '--netns', me.netns]);
    expect(doc.subject).toBe('routes');
    expect(doc.nodes[0].items).toContainEqual(expect.objectContaining({ dst: peer.subnet, gateway: gateway(peer.subnet), dev: 'flannel.1', onlink: true }));
    const table = node.flanctl(['show', 'routes', '--netns', me.netns], { COLUMNS: '200' });
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout.split('\n').some((l) => l.includes(peer.subnet) && l.includes(gateway(peer.subnet)) && l.includes('flannel.1'))).toBe(true);
  });

  it("repair --apply puts a deleted peer route back (the pods ping again), --undo takes it away and re-checks", () => {
    const [me, peer] = cluster.nodes;
    const journal = { FLANCTL_JOURNAL_DIR: join(node.dir, 'journal') };
    const route = (): string => lab.ip(me.netns, ['route', 'show', peer.subnet]).trim();
    lab.ip(me.netns, ['route', 'del', peer.subnet]);
    expect(lab.ping(me.pods[0].netns, peer.pods[0].ip)).toBe(false);
    try {
      const apply = json(['repair', '--netns', me.netns, '--nodes', nodesFile, '--apply', '--yes'], journal);
      expect(apply.applied).toBe(true);
      expect(apply.actions.map((a: { op: string; status: string }) => `${a.op} ${a.status}`)).toEqual(['route-replace applied']);
      expect(route()).toBe(`${peer.subnet} via ${gateway(peer.subnet)} dev flannel.1 onlink`);
      expect(lab.ping(me.pods[0].netns, peer.pods[0].ip)).toBe(true);
      const undo = json(['repair', '--undo', apply.journal], journal);
      expect(undo.undo).toMatchObject({ restored: 1, errors: [], verified: true, mismatches: [] });
      expect(route()).toBe('');
    } finally {
      lab.ip(me.netns, ['route', 'replace', peer.subnet, 'via', gateway(peer.subnet), 'dev', 'flannel.1', 'onlink']);
    }
  });

  it('collect --all --kube: the real kubectl execs into each flannel pod; doctor --cluster finds the nodes consistent', async () => {
    const podNodes = new Map(cluster.nodes.map((n) => [n.name, { netns: n.netns, hostIp: n.ip }]));
    let api: FakeApi | undefined;
    try {
      api = await startFakeApi({ nodesJson: nodesJson(cluster), podNodes });
      const kubeconfig = join(node.dir, 'kubeconfig');
      writeFileSync(kubeconfig, kubeconfigFor(api.url));
      const home = join(node.dir, 'home');
      mkdirSync(home);
      const dir = join(node.dir, 'kube-collected');
      // the API server answers from this process: the binary runs without blocking it
      const r = await node.execAsync([node.bin, 'collect', '--all', '--kube', '--kubeconfig', kubeconfig, '--context', 'fake', '--timeout', '30', '-o', dir, '--json'], { HOME: home });
      expect(r.stderr).toBe('');
      expect(r.status, r.stdout).toBe(0);
      expect(JSON.parse(r.stdout).nodes.map((n: { name: string; ok: boolean }) => `${n.name}:${n.ok}`)).toEqual(['node1:true', 'node2:true']);
      expect(api.requests.some((q) => /^GET \/api\/v1\/namespaces\/kube-flannel\/pods\/kube-flannel-ds-node1\/exec\?/.test(q))).toBe(true);
      // exit 1: the namespace nodes have no /run/flannel/subnet.env (SUBNET_ENV_MISSING); the matrix is the point
      const d = node.flanctl(['doctor', '--cluster', dir, '--json']);
      expect(d.stderr).toBe('');
      const doc = JSON.parse(d.stdout);
      expect(doc.matrix.nodes.map((n: { name: string; vtepMac: string; publicIp: string }) => [n.name, n.vtepMac, n.publicIp])).toEqual(cluster.nodes.map((n) => [n.name, n.vtepMac, n.ip]));
      expect(doc.matrix.cells).toHaveLength(2);
      expect(doc.matrix.cells.every((cell: { ok: boolean }) => cell.ok)).toBe(true);
    } finally {
      await api?.close();
    }
  });
});
