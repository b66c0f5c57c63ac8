// One fault, one code (issue 13): each fault injected on node1 of a namespace flannel VXLAN cluster is named with
// the same codes by doctor (node1), trace (node1 -> a pod on node2), the cluster matrix (`doctor --cluster`:
// node1's row and its diagonal) and repair's dry-run plan (node1: the code each action carries). What each fault
// must be called comes from flannel-node-state.md, not from the code: the kernel drops a down or deleted device's
// routes and neighbours, keeps its permanent fdb entries when it is only down, and a deleted device takes its fdb
// with it. The IPv6 faults: one-fault-one-code-v6.test.ts (dual-stack lab).
// The commands run in-process through the services the CLI calls, as the IPv6 file does (49 calls: one CLI start
// each was most of this file's time); the CLI itself is run end to end by trace.test.ts and the binary suites.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collectService } from '../../src/services/collect.js';
import { doctorService } from '../../src/services/doctor.js';
import { type FlagValues, toOptions } from '../../src/services/options.js';
import { repairService, type RepairOutcome } from '../../src/services/repair.js';
import { traceService } from '../../src/services/trace.js';
import { buildFlannelCluster, nodesJson, programPeers, type LabCluster, type LabNode } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';

describeNetns('one fault, one code: doctor, trace, the cluster matrix and repair\'s plan agree', () => {
  const lab = new Lab('ofc');
  let cluster: LabCluster;
  let n1: LabNode;
  let n2: LabNode;
  let dir: string;
  let nodesFile: string;

  const opts = (f: FlagValues) => toOptions({ json: true, nodes: nodesFile, 'journal-dir': join(dir, 'journal'), ...f });
  /** doctor on node1, without the info notes (the lab's flannel.1 has tx checksum offload on) */
  const doctorCodes = async (): Promise<Set<string>> => new Set((await doctorService(opts({ netns: n1.netns }))).result.doc.findings.filter((f) => f.severity !== 'info').map((f) => f.code));
  const traceCodes = async (): Promise<Set<string>> => new Set((await traceService(opts({ netns: n1.netns }), n2.pods[0].ip)).result.problems);
  /** repair's dry run on node1: the code of each planned action */
  const planCodes = async (): Promise<Set<string>> => {
    const { doc } = (await repairService(opts({ netns: n1.netns }), async () => false)).result as RepairOutcome;
    expect(doc.applied).toBe(false);
    expect(doc.actions.every((a) => a.family === 'v4')).toBe(true);
    return new Set(doc.actions.map((a) => a.code ?? `${a.op} without a code`));
  };
  /** every node collected into a cluster directory, then the matrix: node1's own row and its diagonal */
  const matrixCodes = async (): Promise<Set<string>> => {
    const out = mkdtempSync(join(dir, 'cluster-'));
    for (const n of cluster.nodes) {
      const r = await collectService(opts({ netns: n.netns, output: join(out, `${n.netns}.json`) }));
      expect(r.exit).toBe(0);
    }
    const m = (await doctorService(opts({ cluster: out }))).result.doc.matrix!;
    const host = m.nodes.find((n) => n.name === n1.netns)!;
    expect(host, 'node1 is in the matrix').toBeDefined();
    return new Set([...host.problems.map((p) => p.code), ...m.cells.filter((c) => c.from === host.name).flatMap((c) => c.problems.map((p) => p.code))]);
  };
  const restore = (node: LabNode) => programPeers(lab, node, cluster.nodes);
  const sorted = (s: Set<string>): string[] => [...s].sort();

  beforeAll(() => {
    cluster = buildFlannelCluster(lab, { nodes: 3, podsPerNode: 1 });
    [n1, n2] = cluster.nodes;
    dir = mkdtempSync(join(tmpdir(), 'flanctl-one-fault-'));
    mkdirSync(dir, { recursive: true });
    nodesFile = join(dir, 'nodes.json');
    writeFileSync(nodesFile, nodesJson(cluster));
  });
  afterAll(() => {
    lab.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the healthy cluster: doctor, trace, the matrix and the plan find nothing', async () => {
    expect(sorted(await doctorCodes())).toEqual([]);
    expect(sorted(await planCodes())).toEqual([]);
    expect(sorted(await traceCodes())).toEqual([]);
    expect(sorted(await matrixCodes())).toEqual([]);
  });

  const faults: { name: string; inject: () => void; heal: () => void; codes: string[] }[] = [
    { name: 'fdb entry deleted', inject: () => lab.exec(n1.netns, ['bridge', 'fdb', 'del', n2.vtepMac, 'dev', 'flannel.1', 'dst', n2.ip, 'self']), heal: () => restore(n1), codes: ['FDB_MISSING'] },
    { name: 'neighbour deleted', inject: () => lab.ip(n1.netns, ['neigh', 'del', `${n2.subnet.split('/')[0]}`, 'dev', 'flannel.1']), heal: () => restore(n1), codes: ['NEIGH_MISSING'] },
    { name: 'route deleted', inject: () => lab.ip(n1.netns, ['route', 'del', n2.subnet]), heal: () => restore(n1), codes: ['ROUTE_MISSING'] },
    {
      name: 'stale neighbour MAC (node1 points node2 at a MAC node2 does not have)',
      inject: () => lab.ip(n1.netns, ['neigh', 'replace', `${n2.subnet.split('/')[0]}`, 'dev', 'flannel.1', 'lladdr', '02:5e:1a:7e:00:99', 'nud', 'permanent']),
      heal: () => restore(n1),
      codes: ['VTEP_MAC_MISMATCH'],
    },
    // down: the kernel drops the device's routes and neighbours; flannel's permanent fdb entries stay
    { name: 'flannel.1 down', inject: () => lab.ip(n1.netns, ['link', 'set', 'flannel.1', 'down']), heal: () => (lab.ip(n1.netns, ['link', 'set', 'flannel.1', 'up']), restore(n1)), codes: ['NEIGH_MISSING', 'ROUTE_MISSING', 'VXLAN_DEVICE_DOWN'] },
    {
      name: 'flannel.1 deleted',
      inject: () => lab.ip(n1.netns, ['link', 'del', 'flannel.1']),
      heal: () => {
        lab.ip(n1.netns, ['link', 'add', 'flannel.1', 'address', n1.vtepMac, 'type', 'vxlan', 'id', '1', 'local', n1.ip, 'dev', 'eth0', 'dstport', '8472', 'nolearning']);
        lab.ip(n1.netns, ['link', 'set', 'flannel.1', 'mtu', '1450']);
        lab.ip(n1.netns, ['addr', 'add', `${n1.subnet.split('/')[0]}/32`, 'dev', 'flannel.1']);
        lab.ip(n1.netns, ['link', 'set', 'flannel.1', 'up']);
        restore(n1);
      },
      codes: ['FDB_MISSING', 'NEIGH_MISSING', 'ROUTE_MISSING', 'VXLAN_DEVICE_MISSING'],
    },
  ];

  it.each(faults.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
    f.inject();
    try {
      const doctor = await doctorCodes();
      const trace = await traceCodes();
      const matrix = await matrixCodes();
      const plan = await planCodes();
      expect({ doctor: sorted(doctor), trace: sorted(trace), matrix: sorted(matrix), plan: sorted(plan) }).toEqual({ doctor: f.codes, trace: f.codes, matrix: f.codes, plan: f.codes });
    } finally {
      f.heal();
    }
  });
});
