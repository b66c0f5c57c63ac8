// One Node object as desired state (`kubectl get node NAME -o json|yaml`) is part of the cluster, not all of it:
// an entry on flannel.1 that its lease does not hold may be a live node's that was not pasted. The texts are the
// real kubectl's output (kubectl 1.32 against the API stand-in test/cluster/kube-api.ts, serving the lab's
// fixtures/doctor/vxlan-nodes.json): kubectl, not this code, decides that `get node NAME` prints the Node itself
// and `get nodes` a `"kind": "List"`. The node's files are the lab's node1 (fixtures/doctor/vxlan-node1), which a
// person reads as: flannel.1 routes 10.244.2.0/24 and 10.244.3.0/24 (ip-route.txt), PERMANENT neighbours
// 10.244.2.0 and 10.244.3.0 (ip-neigh.txt), fdb entries b6:19:ba:5f:1d:2d dst 192.168.56.12 and c6:fa:b2:0a:00:08
// dst 192.168.56.13 (bridge-fdb.txt): six entries, node2's and node3's.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNodesText } from '../../src/leases/nodes-text.js';
import { cliEntry } from '../collect/cli.js';
import { type FakeApi, kubeconfigFor, startFakeApi } from '../cluster/kube-api.js';

const NODE = 'fixtures/doctor/vxlan-node1';
const ALL = readFileSync('fixtures/doctor/vxlan-nodes.json', 'utf8');
// node3 deleted from the API (departed): its entries on node1 are stale
const WITHOUT_NODE3 = JSON.stringify({ ...JSON.parse(ALL), items: JSON.parse(ALL).items.slice(0, 2) });
const STALE = ['STALE_ROUTE', 'STALE_NEIGH', 'STALE_FDB'];

const tmp = mkdtempSync(join(tmpdir(), 'fct-onenode-'));
const apis: FakeApi[] = [];
afterAll(async () => {
  await Promise.all(apis.map((a) => a.close()));
  rmSync(tmp, { recursive: true, force: true });
});

/** A kubeconfig for an API server holding these Node objects (its flannel ConfigMap served too, for --kube). */
async function cluster(name: string, nodesJson: string): Promise<string> {
  const api = await startFakeApi({ nodesJson, podNodes: new Map(), flannelConfigMap: true });
  apis.push(api);
  const file = join(tmp, `kubeconfig-${name}`);
  writeFileSync(file, kubeconfigFor(api.url));
  return file;
}

/** What the real kubectl prints, saved to a file as a user does for --nodes. Async: the API answers from this process. */
async function kubectl(kubeconfig: string, args: string[], file: string): Promise<{ text: string; path: string }> {
  const r = await execa('kubectl', ['--kubeconfig', kubeconfig, '--context', 'fake', ...args]);
  const path = join(tmp, file);
  writeFileSync(path, r.stdout);
  return { text: r.stdout, path };
}

async function flanctl(args: string[]): Promise<{ exit: number; stdout: string; stderr: string }> {
  const [node, ...cli] = cliEntry();
  const r = await execa(node, [...cli, ...args], { reject: false });
  return { exit: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const codesOf = (doc: { findings: { code: string }[] }): string[] => doc.findings.map((f) => f.code);

describe('one Node object as desired state (kubectl get node NAME)', () => {
  let all: string;
  let gone: string;
  beforeAll(async () => {
    all = await cluster('all', ALL);
    gone = await cluster('gone', WITHOUT_NODE3);
  });

  it('kubectl prints one Node for `get node NAME` (JSON and YAML): incomplete; the List of `get nodes` is not', async () => {
    const json = await kubectl(all, ['get', 'node', 'node1', '-o', 'json'], 'node1.json');
    const yaml = await kubectl(all, ['get', 'node', 'node1', '-o', 'yaml'], 'node1.yaml');
    const list = await kubectl(all, ['get', 'nodes', '-o', 'json'], 'nodes.json');
    // kubectl's shapes: the Node itself, no `items`; the List wraps the Node objects
    expect(JSON.parse(json.text)).toMatchObject({ kind: 'Node', metadata: { name: 'node1' } });
    expect(yaml.text).toMatch(/^kind: Node$/m);
    expect(JSON.parse(list.text)).toMatchObject({ kind: 'List', items: [{ kind: 'Node' }, { kind: 'Node' }, { kind: 'Node' }] });
    for (const one of [json, yaml]) {
      const d = await parseNodesText(one.text);
      expect(d.leases.map((l) => l.node)).toEqual(['node1']);
      expect(d.incomplete).toBe('one Node object, not `kubectl get nodes`');
    }
    const d = await parseNodesText(list.text);
    expect(d.leases.map((l) => l.node)).toEqual(['node1', 'node2', 'node3']);
    expect(d.incomplete).toBeUndefined();
    // `kubectl get nodes node1 node2` (or with -l) prints the same List shape: whether a List is the whole cluster
    // is not in kubectl's output, so a List is read as all of it
    const named = await kubectl(all, ['get', 'nodes', 'node1', 'node2', '-o', 'json'], 'named.json');
    expect(Object.keys(JSON.parse(named.text)).sort()).toEqual(Object.keys(JSON.parse(list.text)).sort());
    expect((await parseNodesText(named.text)).incomplete).toBeUndefined();
  });

  it('Node objects put together as YAML documents (`---`): each read, the whole incomplete; a lone `---` changes nothing', async () => {
    const one = await kubectl(all, ['get', 'node', 'node1', '-o', 'yaml'], 'doc1.yaml');
    const two = await kubectl(all, ['get', 'node', 'node2', '-o', 'yaml'], 'doc2.yaml');
    // as a loop of `kubectl get node N -o yaml; echo ---` writes them
    const d = await parseNodesText(`${one.text}\n---\n${two.text}\n---\n`);
    expect(d.leases.map((l) => l.node)).toEqual(['node1', 'node2']);
    expect(d.incomplete).toBe('Node objects in several YAML documents, not `kubectl get nodes`');
    for (const text of [`---\n${one.text}`, `${one.text}\n---\n`]) {
      const single = await parseNodesText(text);
      expect(single.leases.map((l) => l.node)).toEqual(['node1']);
      expect(single.incomplete).toBe('one Node object, not `kubectl get nodes`');
    }
    await expect(parseNodesText(`${one.text}\n---\nkind: [\n`)).rejects.toThrow(/not YAML/);

    // doctor: node3's three entries (route, neighbour, fdb) are unverified, not stale; exit as with the full List
    const path = join(tmp, 'two-docs.yaml');
    writeFileSync(path, `${one.text}\n---\n${two.text}\n`);
    const r = await flanctl(['doctor', '--from-dir', NODE, '--nodes', path, '--json']);
    const doc = JSON.parse(r.stdout);
    expect(codesOf(doc).filter((c) => STALE.includes(c))).toEqual([]);
    expect(doc.unverified.map((u: { missing: string }) => u.missing)).toContain(
      'whether 3 route/neigh/fdb entries on flannel.1 belong to a current lease: the desired state given is Node objects in several YAML documents, not `kubectl get nodes`: paste `kubectl get nodes -o yaml`',
    );
    expect(r.exit).toBe(0);
  });

  it('doctor --nodes with one Node: no STALE_* finding, the six entries unverified, exit as with the full List', async () => {
    const full = await flanctl(['doctor', '--from-dir', NODE, '--nodes', (await kubectl(all, ['get', 'nodes', '-o', 'json'], 'full.json')).path, '--json']);
    for (const [args, file] of [[['get', 'node', 'node1', '-o', 'json'], 'one.json'], [['get', 'node', 'node1', '-o', 'yaml'], 'one.yaml']] as const) {
      const r = await flanctl(['doctor', '--from-dir', NODE, '--nodes', (await kubectl(all, [...args], file)).path, '--json']);
      const doc = JSON.parse(r.stdout);
      expect(codesOf(doc).filter((c) => STALE.includes(c))).toEqual([]);
      expect(codesOf(doc)).toEqual(codesOf(JSON.parse(full.stdout)));
      expect(r.exit).toBe(full.exit);
      expect(doc.unverified.map((u: { missing: string }) => u.missing)).toContain(
        'whether 6 route/neigh/fdb entries on flannel.1 belong to a current lease: the desired state given is one Node object, not `kubectl get nodes`: paste `kubectl get nodes -o yaml`',
      );
    }
    // the healthy lab node with every lease: nothing stale, no warning or error
    expect(codesOf(JSON.parse(full.stdout)).filter((c) => STALE.includes(c))).toEqual([]);
    expect(full.exit).toBe(0);
  });

  it('the same faults are still found: node3 departed (List without it) is stale; a missing neighbour of the one Node given is found', async () => {
    const list = await flanctl(['doctor', '--from-dir', NODE, '--nodes', (await kubectl(gone, ['get', 'nodes', '-o', 'json'], 'gone.json')).path, '--json']);
    const stale = JSON.parse(list.stdout).findings.filter((f: { code: string }) => STALE.includes(f.code));
    // node3's entries in node1's files (see the top of this file)
    expect(stale.map((f: { code: string; evidence: string[] }) => `${f.code} ${f.evidence.join(' ')}`).sort()).toEqual([
      'STALE_FDB bridge fdb: c6:fa:b2:0a:00:08 dev flannel.1 dst 192.168.56.13 self permanent',
      'STALE_NEIGH ip neigh: 10.244.3.0 dev flannel.1 lladdr c6:fa:b2:0a:00:08 PERMANENT',
      'STALE_ROUTE ip route: 10.244.3.0/24 via 10.244.3.0 dev flannel.1 onlink',
    ]);
    expect(list.exit).toBe(1);
    // node2's neighbour removed from node1's files: its lease, given alone, still finds it missing
    const dir = join(tmp, 'no-neigh');
    cpSync(NODE, dir, { recursive: true });
    const neigh = JSON.parse(readFileSync(join(dir, 'ip-neigh.txt'), 'utf8')) as { dst: string }[];
    writeFileSync(join(dir, 'ip-neigh.txt'), JSON.stringify(neigh.filter((n) => n.dst !== '10.244.2.0')));
    const one = await flanctl(['doctor', '--from-dir', dir, '--nodes', (await kubectl(gone, ['get', 'node', 'node2', '-o', 'json'], 'node2.json')).path, '--json']);
    const doc = JSON.parse(one.stdout);
    expect(doc.findings.filter((f: { code: string }) => f.code === 'NEIGH_MISSING').map((f: { summary: string }) => f.summary)).toEqual([expect.stringContaining('no neighbour 10.244.2.0 -> b6:19:ba:5f:1d:2d on flannel.1')]);
    expect(codesOf(doc).filter((c) => STALE.includes(c))).toEqual([]);
    expect(one.exit).toBe(1);
  });

  it('repair --prune with one Node is refused (exit 2, one line, nothing planned); with the List it plans node3\'s removal', async () => {
    const one = await flanctl(['repair', '--from-dir', NODE, '--nodes', (await kubectl(gone, ['get', 'node', 'node1', '-o', 'json'], 'prune-one.json')).path, '--prune']);
    expect(one.exit).toBe(2);
    expect(one.stdout).toBe('');
    expect(one.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^flanctl: --prune refused: the desired state given is one Node object, not `kubectl get nodes`/)]);
    const list = await flanctl(['repair', '--from-dir', NODE, '--nodes', (await kubectl(gone, ['get', 'nodes', '-o', 'json'], 'prune-list.json')).path, '--prune', '--json']);
    expect(JSON.parse(list.stdout).actions.map((a: { command: string }) => a.command)).toEqual([
      'ip neigh del 10.244.3.0 dev flannel.1',
      'bridge fdb del c6:fa:b2:0a:00:08 dev flannel.1 dst 192.168.56.13 self',
      'ip route del 10.244.3.0/24 via 10.244.3.0 dev flannel.1 onlink',
    ]);
    expect(list.exit).toBe(1);
  });

  it('--kube asks the API for every node (no selector) and reads them as the whole cluster', async () => {
    const api = apis[0];
    const before = api.requests.length;
    const r = await flanctl(['doctor', '--from-dir', NODE, '--kube', '--kubeconfig', all, '--context', 'fake', '--json']);
    const nodeRequests = api.requests.slice(before).filter((q) => q.startsWith('GET /api/v1/nodes'));
    expect(nodeRequests).toEqual(['GET /api/v1/nodes?limit=500']);
    expect(JSON.parse(r.stdout).unverified.map((u: { check: string }) => u.check)).not.toContain('stale entries on the vxlan device');
    expect(r.exit).toBe(0);
  });
});
