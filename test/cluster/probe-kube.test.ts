// probe --kube in cluster mode: the leases come from the API and the target node is listened on through
// `kubectl exec` into its flannel pod — the real kubectl against the recorded API (kube-api.ts), whose exec runs
// the command inside the node's namespace as a hostNetwork pod would. Faults and expectations come from the lab.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { cliEntry } from '../collect/cli.js';
import { buildFlannelCluster, nodesJson, type LabNode, type LabPod } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { leftovers, processesIn as ours } from '../netns/pids.js';
import { type FakeApi, kubeconfigFor, startFakeApi } from './kube-api.js';

const captureDirs = (): string[] => readdirSync('/tmp').filter((f) => f.startsWith('flanctl-probe-capture-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Hop {
  node: string;
  device: string;
  side: string;
  seen: boolean | null;
}

describeNetns('probe --kube: the target node listened on through kubectl exec into its flannel pod', () => {
  const lab = new Lab('prk');
  const tmp = mkdtempSync(join(tmpdir(), 'fct-probe-kube-'));
  let api: FakeApi;
  let kubeconfig: string;
  let n1: LabNode;
  let n2: LabNode;
  let a: LabPod;
  let b: LabPod;

  // async: the API server answers from this process
  const probe = async (): Promise<{ status: number; json: { hops: Hop[] } & Record<string, unknown>; stderr: string }> => {
    const [node, entry] = cliEntry();
    const r = await execa(node, [entry, 'probe', b.ip, '--from', a.netns, '--netns', n1.netns, '--kube', '--kubeconfig', kubeconfig, '--context', 'fake', '--json'], { reject: false, timeout: 60_000 });
    return { status: r.exitCode ?? -1, json: JSON.parse(r.stdout || 'null'), stderr: r.stderr };
  };
  const seen = (hops: Hop[]): string[] => hops.map((h) => `${h.node}/${h.device}=${h.seen}`);

  beforeAll(async () => {
    const cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 1 });
    [n1, n2] = cluster.nodes;
    [a] = n1.pods;
    [b] = n2.pods;
    const podNodes = new Map(cluster.nodes.map((n) => [n.name, { netns: n.netns, hostIp: n.ip }]));
    api = await startFakeApi({ nodesJson: nodesJson(cluster), podNodes, flannelConfigMap: true });
    kubeconfig = join(tmp, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigFor(api.url));
    // traffic first, so node2's cni0 has learnt the destination pod's MAC (the collection does not enter pods)
    expect([0, 1, 2].some(() => lab.ping(a.netns, b.ip))).toBe(true);
  });
  afterEach(() => {
    for (const ns of [n1.netns, n2.netns, a.netns, b.netns]) expect(leftovers(ns), ns).toEqual([]);
    expect(captureDirs()).toEqual([]);
  });
  afterAll(async () => {
    await api?.close();
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('healthy: seen on the four hops of each node, the target\'s through kubectl exec into kube-flannel-ds-node2; answered', async () => {
    const r = await probe();
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, delivered: true, replied: true, lostAfter: null });
    expect(seen(r.json.hops)).toEqual([
      `${n1.netns}/${a.hostVeth}=true`,
      `${n1.netns}/cni0=true`,
      `${n1.netns}/flannel.1=true`,
      `${n1.netns}/eth0=true`,
      'node2/eth0=true',
      'node2/flannel.1=true',
      'node2/cni0=true',
      `node2/${b.hostVeth}=true`,
    ]);
    // the node's state and its captures both came through the flannel pod on node2, over the WebSocket exec
    const execs = api.requests.filter((q) => q.includes('/pods/kube-flannel-ds-node2/exec'));
    expect(execs.length).toBeGreaterThanOrEqual(2);
    expect(api.requests.some((q) => q.includes('/pods/kube-flannel-ds-node1/exec'))).toBe(false);
  });

  it('SIGKILL mid-probe: kubectl passes the EOF on, the script in the flannel pod stops its captures and removes their directory', async () => {
    const [node, entry] = cliEntry();
    const child = execa(node, [entry, 'probe', b.ip, '--from', a.netns, '--netns', n1.netns, '--kube', '--kubeconfig', kubeconfig, '--context', 'fake', '--count', '20', '--json'], { reject: false });
    for (let i = 0; i < 200 && !leftovers(a.netns).includes('ping'); i++) await sleep(100);
    expect(leftovers(n2.netns)).toContain('tcpdump');
    expect(captureDirs()).toHaveLength(1);
    child.kill('SIGKILL');
    expect((await child).signal).toBe('SIGKILL');
    for (let i = 0; i < 100 && (leftovers(n2.netns).length || captureDirs().length); i++) await sleep(100);
    expect(leftovers(n2.netns)).toEqual([]);
    expect(captureDirs()).toEqual([]);
    // the local captures and the sender end by their own `timeout`; stopped here, by pid, for the next test
    for (const ns of [n1.netns, a.netns]) for (const p of ours(ns)) process.kill(Number(p.pid), 'SIGKILL');
    for (let i = 0; i < 50 && [n1.netns, a.netns].some((ns) => leftovers(ns).length); i++) await sleep(100);
  });

  it('FORWARD policy DROP on the target: seen on its flannel.1, not on its cni0; doctor\'s code from its iptables', async () => {
    lab.exec(n2.netns, ['iptables', '-P', 'FORWARD', 'DROP']);
    try {
      const r = await probe();
      expect(r.status, r.stderr).toBe(1);
      const target = Object.fromEntries(r.json.hops.filter((h) => h.side === 'target').map((h) => [h.device, h.seen]));
      expect(target).toMatchObject({ eth0: true, 'flannel.1': true, cni0: false });
      expect(r.json).toMatchObject({ ok: false, replied: false, lostAfter: { node: 'node2', device: 'flannel.1', direction: 'request' }, code: 'FORWARD_DROP_NO_FLANNEL_FWD' });
    } finally {
      lab.exec(n2.netns, ['iptables', '-P', 'FORWARD', 'ACCEPT']);
    }
  });
});
