// DirectRouting on the dual-stack namespace lab (issue 12): two nodes on one IPv4 and one IPv6 underlay, programmed
// as flanneld programs them with `Backend.DirectRouting: true` (vxlan_network.go: ip.DirectRouting(PublicIP /
// PublicIPv6) — RouteGet answers without a gateway — gives `<subnet> via <public IP>` and `<subnet6> via
// <public-ipv6>` instead of the vxlan neigh/fdb/route). The net-conf comes the way a user's does, from the
// kube-flannel-cfg ConfigMap through `--kube` (the real kubectl against test/cluster/kube-api.ts). Pods ping each
// other in both families; trace, doctor and the matrix say ok (`doctor --cluster` on the directory `collect --all
// --kube` writes over the lab's kubectl transport; for the fault, one collected node by node); node1's direct IPv6 route deleted is ROUTE_MISSING in each, and repair puts flanneld's route back.
// The commands run in-process through the services the CLI calls.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collectService } from '../../src/services/collect.js';
import { doctorService } from '../../src/services/doctor.js';
import { type FlagValues, toOptions } from '../../src/services/options.js';
import { repairService, type RepairOutcome } from '../../src/services/repair.js';
import { traceService } from '../../src/services/trace.js';
import { type FakeApi, kubeconfigFor, startFakeApi } from '../cluster/kube-api.js';
import { buildDualStackCluster, type DualCluster, type DualNode, dualNodeObject } from '../netns/flannel-cluster-v6.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';

const NET_CONF = { Network: '10.244.0.0/16', IPv6Network: 'fd00:10:244::/56', EnableIPv6: true, Backend: { Type: 'vxlan', DirectRouting: true } };

describeNetns('DirectRouting on the dual-stack lab: direct routes in both families, judged and repaired as flanneld programs them', () => {
  const lab = new Lab('dr6');
  let cluster: DualCluster;
  let n1: DualNode;
  let n2: DualNode;
  let tmp: string;
  let api: FakeApi;
  let kubeconfig: string;

  const opts = (f: FlagValues) => toOptions({ json: true, kube: true, kubeconfig, context: 'fake', 'journal-dir': join(tmp, 'journal'), ...f });
  const ping6 = (ns: string, dst: string): boolean => [0, 1, 2].some(() => lab.ping(ns, dst));
  const doctorCodes = async (): Promise<string[]> => (await doctorService(opts({ netns: n1.netns }))).result.doc.findings.filter((f) => f.severity !== 'info').map((f) => f.code);
  const trace6 = async () => (await traceService(opts({ netns: n1.netns }), n2.pods[0].ip6)).result;
  const plan = async () => ((await repairService(opts({ netns: n1.netns }), async () => false)).result as RepairOutcome).doc;
  const matrix = async () => {
    const dir = mkdtempSync(join(tmp, 'cluster-'));
    for (const n of cluster.nodes) expect((await collectService(opts({ netns: n.netns, output: join(dir, `${n.netns}.json`) }))).exit).toBe(0);
    return (await doctorService(opts({ cluster: dir }))).result.doc.matrix!;
  };
  const route6 = (): string => lab.ip(n1.netns, ['-6', 'route', 'show', n2.subnet6]).trim();

  beforeAll(async () => {
    cluster = buildDualStackCluster(lab, { nodes: 2, podsPerNode: 1 });
    [n1, n2] = cluster.nodes;
    // flanneld with DirectRouting: each peer is on eth0's networks, so no vxlan neigh/fdb, one route per family
    for (const node of cluster.nodes) {
      for (const peer of cluster.nodes.filter((p) => p !== node)) {
        lab.ip(node.netns, ['neigh', 'del', peer.subnet.split('/')[0], 'dev', 'flannel.1']);
        lab.exec(node.netns, ['bridge', 'fdb', 'del', peer.vtepMac, 'dev', 'flannel.1', 'dst', peer.ip, 'self']);
        lab.ip(node.netns, ['route', 'replace', peer.subnet, 'via', peer.ip]);
        lab.ip(node.netns, ['-6', 'neigh', 'del', peer.subnet6.split('/')[0], 'dev', 'flannel-v6.1']);
        lab.exec(node.netns, ['bridge', 'fdb', 'del', peer.vtepMac6, 'dev', 'flannel-v6.1', 'dst', peer.ip6, 'self']);
        lab.ip(node.netns, ['-6', 'route', 'replace', peer.subnet6, 'via', peer.ip6]);
      }
    }
    tmp = mkdtempSync(join(tmpdir(), 'flanctl-dr6-'));
    mkdirSync(join(tmp, 'journal'));
    // a flannel pod per node: `collect --all --kube` execs into it (the pod's commands run in the node's namespace)
    const podNodes = new Map(cluster.nodes.map((n) => [n.name, { netns: n.netns, hostIp: n.ip }]));
    api = await startFakeApi({ nodesJson: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: cluster.nodes.map(dualNodeObject) }), podNodes, netConf: NET_CONF });
    kubeconfig = join(tmp, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigFor(api.url));
  });
  afterAll(async () => {
    await api?.close();
    lab.teardown();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('healthy: pods ping in both families over the direct routes; trace, doctor, the matrix and the plan say ok', async () => {
    expect(route6()).toBe(`${n2.subnet6} via ${n2.ip6} dev eth0 metric 1024 pref medium`);
    expect(ping6(n1.pods[0].netns, n2.pods[0].ip6)).toBe(true);
    expect(lab.ping(n1.pods[0].netns, n2.pods[0].ip)).toBe(true);
    const t = await trace6();
    expect(t).toMatchObject({ ok: true, family: 'v6', directRouting: true, targetNode: { ip: n2.ip6 } });
    expect(t.hops[0]).toMatchObject({ step: 'route', device: 'eth0', ok: true });
    expect(await doctorCodes()).toEqual([]);
    // the cluster directory as a user writes it: `collect --all --kube -o DIR`, then `doctor --cluster DIR --kube`
    const dir = join(tmp, 'collected');
    const all = await collectService(opts({ all: true, output: dir, parallel: 2 }));
    expect(all.exit).toBe(0);
    const m = (await doctorService(opts({ cluster: dir }))).result.doc.matrix!;
    expect(m.nodes.map((n) => n.name)).toEqual(cluster.nodes.map((n) => n.name));
    expect([...m.cells, ...m.cells6!].map((c) => `${c.family ?? 'v4'} ${c.path} ${c.ok}`).sort()).toEqual(['v4 direct true', 'v4 direct true', 'v6 direct true', 'v6 direct true']);
    expect((await plan()).actions).toEqual([]);
  });

  it("node1's direct IPv6 route deleted: ROUTE_MISSING in trace, doctor, the matrix and the plan; repair --apply restores ping6, a second plan is empty", async () => {
    lab.ip(n1.netns, ['-6', 'route', 'del', n2.subnet6, 'via', n2.ip6]);
    expect(lab.ping(n1.pods[0].netns, n2.pods[0].ip6)).toBe(false);
    const t = await trace6();
    expect(t.problems).toEqual(['ROUTE_MISSING']);
    expect(t.hops.filter((h) => h.ok === false).map((h) => h.step)).toEqual(['route']);
    expect(await doctorCodes()).toEqual(['ROUTE_MISSING']);
    const m = await matrix();
    const bad = [...m.cells, ...m.cells6!].filter((c) => !c.ok);
    expect(bad.map((c) => [c.from, c.to, c.family, c.path, c.problems.map((p) => p.code)])).toEqual([[n1.netns, n2.netns, 'v6', 'direct', ['ROUTE_MISSING']]]);
    const dry = await plan();
    // flanneld's v6DirectRoute: `<subnet6> via <public-ipv6>`, no device
    expect(dry.actions.map((a) => [a.op, a.family, a.argv.slice(-5)])).toEqual([['route-replace', 'v6', ['route', 'replace', n2.subnet6, 'via', n2.ip6]]]);
    const applied = (await repairService(opts({ netns: n1.netns, apply: true, yes: true }), async () => true)).result as RepairOutcome;
    expect(applied.doc.applied).toBe(true);
    expect(route6()).toBe(`${n2.subnet6} via ${n2.ip6} dev eth0 metric 1024 pref medium`);
    expect(ping6(n1.pods[0].netns, n2.pods[0].ip6)).toBe(true);
    expect((await plan()).actions).toEqual([]);
  });
});
