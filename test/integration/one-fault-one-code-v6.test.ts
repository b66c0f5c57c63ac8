// One fault, one code over IPv6 (issue 12; the IPv4 faults are in one-fault-one-code.test.ts): each IPv6 fault
// injected on node1 of a namespace dual-stack cluster (flannel.1 and flannel-v6.1 programmed as flanneld programs
// them, test/netns/flannel-cluster-v6.ts) is named with the same codes by trace (node1 -> a pod on node2), doctor
// (node1), repair's plan (node1, dry run), the probe (one ICMPv6 echo from node1's pod: its one code is one of them)
// and the cluster matrix (`doctor --cluster` on a directory collected
// node by node as `collect --netns -o DIR/<node>.json` writes it, nodes.json beside). The matrix must put it in
// exactly one place: node1's IPv6 view of node2 (or node1's own IPv6 diagonal), every other IPv4 and IPv6 cell ok.
// What each fault must be called comes from flannel-node-state.md and the kernel, not from the code: a down device
// loses its routes and neighbours and keeps flannel's permanent fdb entries. The commands run in-process through
// the services the CLI calls (one CLI start is ~0.5–2 s on this machine; this file makes ~50 calls).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MatrixCell } from '../../src/analyze/matrix.js';
import { collectService } from '../../src/services/collect.js';
import { probeService } from '../../src/services/probe.js';
import { doctorService } from '../../src/services/doctor.js';
import { type FlagValues, toOptions } from '../../src/services/options.js';
import { repairService, type RepairOutcome } from '../../src/services/repair.js';
import { traceService } from '../../src/services/trace.js';
import { buildDualStackCluster, type DualCluster, type DualNode, dualNodeObject, programPeers6, V6_MTU } from '../netns/flannel-cluster-v6.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { leftovers } from '../netns/pids.js';

describeNetns('one fault, one code over IPv6: trace, doctor, repair\'s plan and the matrix of a collected dual-stack cluster', () => {
  const lab = new Lab('o6');
  let cluster: DualCluster;
  let n1: DualNode;
  let n2: DualNode;
  let tmp: string;
  let nodesFile: string;
  let dir: string;

  const opts = (f: FlagValues) => toOptions({ json: true, nodes: nodesFile, 'journal-dir': join(tmp, 'journal'), ...f });
  // fresh IPv6 links hold their link-local addresses tentative (DAD) for a moment: up to 3 pings, 1 s each
  const ping6 = (ns: string, dst: string): boolean => [0, 1, 2].some(() => lab.ping(ns, dst));
  const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
  /** doctor on node1, without the info notes (the lab has no subnet.env, its flannel.1 tx checksum offload on) */
  const doctorCodes = async (): Promise<string[]> => sorted((await doctorService(opts({ netns: n1.netns }))).result.doc.findings.filter((f) => f.severity !== 'info').map((f) => f.code));
  const traceCodes = async (): Promise<string[]> => sorted((await traceService(opts({ netns: n1.netns }), n2.pods[0].ip6)).result.problems);
  /** the dry run's actions: the code each one carries, and each one's family */
  const plan = async (): Promise<{ codes: string[]; families: string[] }> => {
    const doc = ((await repairService(opts({ netns: n1.netns }), async () => false)).result as RepairOutcome).doc;
    expect(doc.applied).toBe(false);
    return { codes: sorted(doc.actions.map((a) => a.code!)), families: sorted(doc.actions.map((a) => a.family!)) };
  };
  const collect = async (n: DualNode): Promise<void> => {
    const r = await collectService(opts({ netns: n.netns, output: join(dir, `${n.netns}.json`) }));
    expect(r.exit).toBe(0);
  };
  /** node1 collected again into the cluster directory, then `doctor --cluster DIR` */
  const matrix = async () => {
    await collect(n1);
    const doc = (await doctorService(toOptions({ json: true, cluster: dir }))).result.doc;
    return doc.matrix!;
  };
  type Matrix = Awaited<ReturnType<typeof matrix>>;
  const broken = (m: Matrix): string[] => {
    const cell = (c: MatrixCell) => `${c.from}->${c.to} ${c.family ?? 'v4'}: ${c.problems.map((p) => p.code).sort().join('+')}`;
    const own = m.nodes.flatMap((n) => [...n.problems.map((p) => `${n.name} v4: ${p.code}`), ...(n.problems6 ?? []).map((p) => `${n.name} v6: ${p.code}`)]);
    return [...own, ...[...m.cells, ...(m.cells6 ?? [])].filter((c) => !c.ok).map(cell)].sort();
  };
  const matrixCodes = (m: Matrix): string[] =>
    sorted([...m.nodes.filter((n) => n.name === n1.netns).flatMap((n) => [...n.problems, ...(n.problems6 ?? [])]), ...[...m.cells, ...(m.cells6 ?? [])].filter((c) => c.from === n1.netns).flatMap((c) => c.problems)].map((p) => p.code));

  beforeAll(async () => {
    cluster = buildDualStackCluster(lab, { nodes: 3, podsPerNode: 1 });
    [n1, n2] = cluster.nodes;
    tmp = mkdtempSync(join(tmpdir(), 'flanctl-one-fault6-'));
    nodesFile = join(tmp, 'nodes.json');
    writeFileSync(nodesFile, JSON.stringify({ kind: 'List', items: cluster.nodes.map(dualNodeObject) }));
    dir = join(tmp, 'cluster');
    mkdirSync(dir);
    copyFileSync(nodesFile, join(dir, 'nodes.json'));
    for (const n of cluster.nodes) await collect(n);
  });
  afterAll(() => {
    lab.teardown();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the healthy cluster: pods ping each other in IPv6; every IPv4 and IPv6 cell ok; doctor, trace and the plan find nothing', async () => {
    expect(ping6(n1.pods[0].netns, n2.pods[0].ip6)).toBe(true);
    const m = await matrix();
    expect(m.cells).toHaveLength(6);
    expect(m.cells6).toHaveLength(6);
    expect(m.cells6!.every((c) => c.path === 'vxlan')).toBe(true);
    expect(broken(m)).toEqual([]);
    expect(await doctorCodes()).toEqual([]);
    expect(await traceCodes()).toEqual([]);
    expect(await plan()).toEqual({ codes: [], families: [] });
  });

  const gw2 = (): string => n2.subnet6.split('/')[0];
  const faults: { name: string; inject: () => void; codes: string[]; cells: () => string[] }[] = [
    { name: 'v6 neighbour deleted', inject: () => lab.ip(n1.netns, ['-6', 'neigh', 'del', gw2(), 'dev', 'flannel-v6.1']), codes: ['NEIGH_MISSING'], cells: () => [`${n1.netns}->${n2.netns} v6: NEIGH_MISSING`] },
    { name: 'v6 fdb entry deleted', inject: () => lab.exec(n1.netns, ['bridge', 'fdb', 'del', n2.vtepMac6, 'dev', 'flannel-v6.1', 'dst', n2.ip6, 'self']), codes: ['FDB_MISSING'], cells: () => [`${n1.netns}->${n2.netns} v6: FDB_MISSING`] },
    { name: 'v6 route deleted', inject: () => lab.ip(n1.netns, ['-6', 'route', 'del', n2.subnet6, 'dev', 'flannel-v6.1']), codes: ['ROUTE_MISSING'], cells: () => [`${n1.netns}->${n2.netns} v6: ROUTE_MISSING`] },
    {
      name: 'v6 neighbour with a MAC node2\'s flannel-v6.1 does not have',
      inject: () => lab.ip(n1.netns, ['-6', 'neigh', 'replace', gw2(), 'lladdr', '02:5e:1a:7e:00:99', 'dev', 'flannel-v6.1', 'nud', 'permanent']),
      codes: ['VTEP_MAC_MISMATCH'],
      cells: () => [`${n1.netns}->${n2.netns} v6: VTEP_MAC_MISMATCH`],
    },
    // down: the kernel drops the device's routes and neighbours for every peer; flannel's permanent fdb entries stay
    {
      name: 'flannel-v6.1 down',
      inject: () => lab.ip(n1.netns, ['link', 'set', 'flannel-v6.1', 'down']),
      codes: ['NEIGH_MISSING', 'ROUTE_MISSING', 'VXLAN_DEVICE_DOWN'],
      cells: () => [`${n1.netns} v6: VXLAN_DEVICE_DOWN`, ...cluster.nodes.slice(1).map((p) => `${n1.netns}->${p.netns} v6: NEIGH_MISSING+ROUTE_MISSING`)].sort(),
    },
    // deleted: its neighbours, fdb entries and routes go with it
    {
      name: 'flannel-v6.1 deleted',
      inject: () => lab.ip(n1.netns, ['link', 'del', 'flannel-v6.1']),
      codes: ['FDB_MISSING', 'NEIGH_MISSING', 'ROUTE_MISSING', 'VXLAN_DEVICE_MISSING'],
      cells: () => [`${n1.netns} v6: VXLAN_DEVICE_MISSING`, ...cluster.nodes.slice(1).map((p) => `${n1.netns}->${p.netns} v6: FDB_MISSING+NEIGH_MISSING+ROUTE_MISSING`)].sort(),
    },
  ];
  /** flanneld's flannel-v6.1 on node1 (test/netns/flannel-cluster-v6.ts), when the fault took it away */
  const recreate = (): void => {
    if (lab.tryExec(n1.netns, ['ip', 'link', 'show', 'flannel-v6.1']).status === 0) return;
    lab.ip(n1.netns, ['link', 'add', 'flannel-v6.1', 'address', n1.vtepMac6, 'type', 'vxlan', 'id', '1', 'local', n1.ip6, 'dev', 'eth0', 'dstport', '8472', 'nolearning']);
    lab.ip(n1.netns, ['link', 'set', 'flannel-v6.1', 'mtu', String(V6_MTU)]);
    lab.ip(n1.netns, ['-6', 'addr', 'add', `${n1.subnet6.split('/')[0]}/128`, 'dev', 'flannel-v6.1', 'nodad']);
  };

  it.each(faults.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
    f.inject();
    try {
      expect(lab.ping(n1.pods[0].netns, n2.pods[0].ip6), 'the fault breaks ping6').toBe(false);
      const m = await matrix();
      expect(broken(m), 'exactly the faulty IPv6 view, every IPv4 cell ok').toEqual(f.cells());
      const [doctor, trace, planned] = [await doctorCodes(), await traceCodes(), await plan()];
      expect({ doctor, trace, matrix: matrixCodes(m), plan: planned.codes }).toEqual({ doctor: f.codes, trace: f.codes, matrix: f.codes, plan: f.codes });
      // the probe: one ICMPv6 echo from node1's pod, watched on node1's hops; lost, and called what trace calls it
      const probed = (await probeService(opts({ netns: n1.netns, from: n1.pods[0].netns, count: 1, timeout: 1 }), n2.pods[0].ip6)).result;
      expect({ ok: probed.ok, replied: probed.replied }, probed.summary).toEqual({ ok: false, replied: false });
      expect(f.codes).toContain(probed.code);
      for (const ns of [n1.netns, n1.pods[0].netns]) expect(leftovers(ns, ['tcpdump', 'timeout', 'ping']), `left running in ${ns}`).toEqual([]);
      expect(planned.families, 'only IPv6 actions').toEqual(['v6']);
    } finally {
      recreate();
      lab.ip(n1.netns, ['link', 'set', 'flannel-v6.1', 'up']);
      programPeers6(lab, n1, cluster.nodes);
    }
  });

  it('after the faults, healed as flanneld programs it: ping6 again, the matrix clean', async () => {
    expect(ping6(n1.pods[0].netns, n2.pods[0].ip6)).toBe(true);
    expect(broken(await matrix())).toEqual([]);
  });
});
