// The kubectl transport with the real kubectl binary against a local API server (kube-api.ts):
// node and flannel-pod discovery, `kubectl exec` over the WebSocket v5 remote-command protocol into the
// flannel pod of each namespace node, the `kubectl debug node/…` fallback (refused by the server), and
// --kubeconfig / --context being honoured. Not tested: SPDY exec (kubectl's fallback when the server
// refuses the WebSocket upgrade) and a debug pod that actually starts and attaches.
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClusterDir } from '../../src/cluster/dir.js';
import { doctorCluster } from '../../src/cluster/doctor.js';
import { discoverKube } from '../../src/cluster/kube.js';
import { collectAll } from '../../src/cluster/service.js';
import { traceCluster } from '../../src/cluster/trace.js';
import { parseNodesJson } from '../../src/leases/kube.js';
import { buildFlannelCluster, type LabCluster, nodesJson } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { cliEntry } from '../collect/cli.js';
import { type FakeApi, kubeconfigFor, startFakeApi } from './kube-api.js';

const tmp = mkdtempSync(join(tmpdir(), 'fct-kube-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('kubectl transport: discovery through the real kubectl', () => {
  let api: FakeApi;
  let kubeconfig: string;
  const nodes = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: ['alpha', 'beta'].map((name) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } })) });

  beforeAll(async () => {
    api = await startFakeApi({ nodesJson: nodes, podNodes: new Map([['alpha', { netns: 'unused', hostIp: '10.0.0.1' }]]) });
    kubeconfig = join(tmp, 'kubeconfig-discovery');
    // the current context points at a port nobody listens on: only --context fake reaches the server
    writeFileSync(kubeconfig, kubeconfigFor(api.url).replace(/(- name: other\n {2}context:\n {4}cluster: )fake/, '$1dead').replace('clusters:\n', `clusters:\n- name: dead\n  cluster:\n    server: http://127.0.0.1:1\n`));
  });
  afterAll(() => api.close());

  it('lists the nodes and the flannel pod per node, with --kubeconfig and --context', async () => {
    const kube = await discoverKube({ kubeconfig, context: 'fake' });
    expect(kube.nodes).toEqual(['alpha', 'beta']);
    expect([...kube.pods]).toEqual([['alpha', { namespace: 'kube-flannel', name: 'kube-flannel-ds-alpha', running: true }]]);
    expect(JSON.parse(kube.nodesJson).items).toHaveLength(2);
    expect(api.requests.some((r) => r.startsWith('GET /api/v1/nodes?'))).toBe(true);
    expect(api.requests.some((r) => r.startsWith('GET /api/v1/pods?labelSelector=app%3Dflannel'))).toBe(true);
  });

  it('without --context kubectl uses the kubeconfig current context, and the failure is one clear line', async () => {
    await expect(discoverKube({ kubeconfig })).rejects.toThrow(/^kubectl get nodes -o json failed: .*127\.0\.0\.1:1/);
  });
});

describeNetns('kubectl transport: exec into the flannel pod on each namespace node', () => {
  const lab = new Lab('kub');
  let cluster: LabCluster;
  let api: FakeApi;
  let kubeconfig: string;

  beforeAll(async () => {
    cluster = buildFlannelCluster(lab, { nodes: 3, podsPerNode: 1 });
    // node3 has no flannel pod: the transport falls back to kubectl debug, which this server refuses
    const podNodes = new Map(cluster.nodes.slice(0, 2).map((n) => [n.name, { netns: n.netns, hostIp: n.ip }]));
    const appPods = cluster.nodes.map((n) => ({ namespace: 'default', name: `web-${n.name}`, ip: n.pods[0].ip, node: n.name }));
    api = await startFakeApi({ nodesJson: nodesJson(cluster), podNodes, appPods });
    kubeconfig = join(tmp, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigFor(api.url));
  });
  afterAll(async () => {
    await api?.close();
    lab.teardown();
  });

  it('collects node1 and node2 through kubectl exec; node3 is reported with both reasons; nodes.json kept', async () => {
    const dir = join(tmp, 'kdir');
    const r = await collectAll({ output: dir, kube: true, kubeconfig, context: 'fake', parallel: 3, timeout: 30 });
    expect(r.transport).toBe('kube');
    expect(r.nodes.map((n) => [n.name, n.ok])).toEqual([
      ['node1', true],
      ['node2', true],
      ['node3', false],
    ]);
    expect(r.nodes[2].error).toMatch(/no flannel pod \(-l app=flannel\) on node3; kubectl debug node\/node3: .*forbidden/);
    // exec went over the WebSocket protocol, with the argv the transport built
    const exec = api.requests.find((q) => q.includes('/pods/kube-flannel-ds-node1/exec'));
    expect(exec).toMatch(/^GET \/api\/v1\/namespaces\/kube-flannel\/pods\/kube-flannel-ds-node1\/exec\?command=sh&command=-s&command=--&command=[0-9a-f]{16}&container=kube-flannel&stderr=true&stdin=true&stdout=true \(upgrade\)$/);
    expect(api.requests.some((q) => q.startsWith('POST /api/v1/namespaces/default/pods'))).toBe(true);
    // the debug pod kubectl asked for: on node3, the documented image, our script via chroot /host
    // (kubectl sends it protobuf-encoded: the strings are checked in place)
    const debugPod = api.posted[0];
    for (const field of ['node3', 'busybox:1.36', 'chroot', '/host', 'sh', '-s']) expect(debugPod).toContain(field);

    const snap = JSON.parse(readFileSync(join(dir, 'node2.json'), 'utf8'));
    expect(snap.source).toEqual({ kind: 'kube', name: 'node2' });
    expect(snap.links.find((l: { name: string }) => l.name === 'flannel.1').mac).toBe(cluster.nodes[1].vtepMac);
    expect(snap.fdb.filter((f: { dev: string }) => f.dev === 'flannel.1')).toHaveLength(2);

    // the annotations came along: doctor compares them with the nodes themselves
    const loaded = await loadClusterDir(dir);
    expect(loaded.nodesFile).toBe(join(dir, 'nodes.json'));
    const doc = doctorCluster(loaded, parseNodesJson(readFileSync(loaded.nodesFile!, 'utf8'), 'nodes-file'));
    expect(doc.matrix.cells.filter((c) => !c.ok)).toEqual([]);
    expect(doc.matrix.nodes.map((n) => n.lease?.vtepMac)).toEqual([cluster.nodes[0].vtepMac, cluster.nodes[1].vtepMac]);
    expect(doc.findings.map((f) => `${f.code}:${f.node}`)).toEqual(['NODE_UNREACHABLE:node3']);

    // pod names came along too (names, IPs, nodes only; hostNetwork flannel pods left out): trace from a pod name
    expect(loaded.pods.map((p) => `${p.namespace}/${p.name}@${p.node}`)).toEqual(['default/web-node1@node1', 'default/web-node2@node2', 'default/web-node3@node3']);
    const path = traceCluster(loaded.snapshots, 'web-node1', cluster.nodes[1].pods[0].ip, undefined, loaded.pods);
    expect(path.source).toEqual({ ip: cluster.nodes[0].pods[0].ip, pod: 'default/web-node1', node: 'node1' });
    // every hop proven but the last: the node script reads no pod namespaces and no traffic taught cni0 the pod's
    // MAC, so nothing maps it to a bridge port: that hop is unverified (ok null), which makes the path null, not false
    expect(path.hops.filter((h) => h.ok !== true).map((h) => `${h.node} ${h.step} ${h.ok}`)).toEqual(['node2 veth null']);
    expect(path.ok).toBeNull();
    expect(() => traceCluster(loaded.snapshots, 'default/web-node3', cluster.nodes[1].pods[0].ip, undefined, loaded.pods)).toThrow(/its node node3 is not in the directory/);
  });

  it('through the CLI: collect --all --kube --kubeconfig --context, then doctor --cluster reads the annotations it saved', async () => {
    const dir = join(tmp, 'kcli');
    const [node, ...cli] = cliEntry();
    // async: the API server answers from this process
    const collected = await execa(node, [...cli, 'collect', '--all', '--kube', '--kubeconfig', kubeconfig, '--context', 'fake', '-o', dir, '--json'], { reject: false });
    expect(collected.exitCode).toBe(1);
    expect(JSON.parse(collected.stdout).nodes.map((n: { name: string; ok: boolean }) => `${n.name}:${n.ok}`)).toEqual(['node1:true', 'node2:true', 'node3:false']);
    const doc = await execa(node, [...cli, 'doctor', '--cluster', dir, '--json'], { reject: false });
    const json = JSON.parse(doc.stdout);
    expect(json.matrix.ok).toBe(true);
    expect(json.matrix.nodes.map((n: { lease?: { source: string } }) => n.lease?.source)).toEqual(['nodes-file', 'nodes-file']);
    expect(json.unreachable.map((u: { name: string }) => u.name)).toEqual(['node3']);
  });
});
