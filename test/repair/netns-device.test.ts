import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { loadSnapshots } from '../../src/collect/index.js';
import { parseNodesJson } from '../../src/leases/kube.js';
import { applyPlan, undoJournal } from '../../src/repair/apply.js';
import { neighDel, neighReplace, render } from '../../src/model/fix.js';
import { acquireLock } from '../../src/repair/lock.js';
import { planRepair } from '../../src/repair/plan.js';
import { buildFlannelCluster, type LabCluster, nodesJson, programPeers } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { cli, codes, type CycleEnv, flannelState, repairCycle } from './netns-helpers.js';

// The flannel device itself, departed nodes, the lock and a failure midway — node1 of a real 3-node cluster.
describeNetns('doctor and repair: device, prune, lock, failure (netns cluster)', () => {
  const lab = new Lab('rpd');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-repair-'));
  const nodesFile = join(tmp, 'nodes.json');
  let cluster: LabCluster;
  let env: CycleEnv;

  /** flannel.1 on node1 exactly as the lab builds it, and every peer's triplet */
  const heal = (): void => {
    const n1 = cluster.nodes[0];
    if (lab.tryExec(n1.netns, ['ip', 'link', 'show', 'flannel.1']).status !== 0) {
      lab.ip(n1.netns, ['link', 'add', 'flannel.1', 'address', n1.vtepMac, 'type', 'vxlan', 'id', '1', 'local', n1.ip, 'dev', 'eth0', 'dstport', '8472', 'nolearning']);
      lab.ip(n1.netns, ['link', 'set', 'flannel.1', 'mtu', '1450']);
      lab.ip(n1.netns, ['addr', 'add', '10.244.1.0/32', 'dev', 'flannel.1']);
    }
    lab.ip(n1.netns, ['link', 'set', 'flannel.1', 'up']);
    programPeers(lab, n1, cluster.nodes);
  };

  beforeAll(() => {
    cluster = buildFlannelCluster(lab, { nodes: 3, podsPerNode: 1 });
    writeFileSync(nodesFile, nodesJson(cluster));
    const [n1, n2] = cluster.nodes;
    env = { lab, ns: n1.netns, nodesArgs: ['--nodes', nodesFile], journalDir: join(tmp, 'journal'), fromPod: n1.pods[0].netns, toIp: n2.pods[0].ip };
  });
  afterEach(heal);
  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('flannel.1 down -> VXLAN_DEVICE_DOWN; repair brings it up and re-adds what the kernel dropped', () => {
    lab.ip(env.ns, ['link', 'set', 'flannel.1', 'down']);
    repairCycle(env, 'VXLAN_DEVICE_DOWN', expect);
  });

  it('flannel.1 deleted -> VXLAN_DEVICE_MISSING; repair recreates it with the lease VtepMAC', () => {
    lab.ip(env.ns, ['link', 'del', 'flannel.1']);
    repairCycle(env, 'VXLAN_DEVICE_MISSING', expect);
  });

  it('a removed node -> STALE_ROUTE/NEIGH/FDB; only --prune removes them, undo puts them back', () => {
    const [n1, n2, n3] = cluster.nodes;
    const without3 = join(tmp, 'nodes-without-node3.json');
    writeFileSync(without3, nodesJson({ ...cluster, nodes: [n1, n2] }));
    const args = ['--netns', env.ns, '--nodes', without3];
    const doctor = cli(['doctor', ...args, '--json']);
    expect(doctor.status).toBe(1);
    expect(codes(doctor).sort()).toEqual(['STALE_FDB', 'STALE_NEIGH', 'STALE_ROUTE']);
    const pre = flannelState(lab, env.ns);
    expect(cli(['repair', ...args, '--json']).json.actions).toEqual([]);

    const apply = cli(['repair', ...args, '--prune', '--apply', '--yes', '--json'], { journalDir: env.journalDir });
    expect(apply.status, apply.stdout + apply.stderr).toBe(0);
    expect(apply.json.actions.map((a: { op: string }) => a.op)).toEqual(['neigh-del', 'fdb-del', 'route-del']);
    expect(lab.ping(n1.pods[0].netns, n2.pods[0].ip)).toBe(true);
    expect(lab.ping(n1.pods[0].netns, n3.pods[0].ip)).toBe(false);
    expect(cli(['repair', ...args, '--prune', '--apply', '--yes', '--json'], { journalDir: env.journalDir }).json.actions).toEqual([]);

    const undo = cli(['repair', '--undo', '--json'], { journalDir: env.journalDir });
    expect(undo.status, undo.stdout + undo.stderr).toBe(0);
    expect(flannelState(lab, env.ns)).toBe(pre);
    expect(lab.ping(n1.pods[0].netns, n3.pods[0].ip)).toBe(true);
  });

  it('a second repair --apply fails fast on the lock (exit 3)', async () => {
    lab.ip(env.ns, ['route', 'del', '10.244.2.0/24']);
    const dir = join(tmp, 'locked');
    const release = await acquireLock(dir);
    try {
      const r = cli(['repair', '--netns', env.ns, ...env.nodesArgs, '--apply', '--yes'], { journalDir: dir });
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/another flanctl repair is running \(pid \d+/);
      expect(lab.ping(env.fromPod, env.toIp), 'nothing was applied').toBe(false);
    } finally {
      await release();
    }
  });

  it('stops at the first failure, journals exactly what ran, and --undo restores', async () => {
    const n2 = cluster.nodes[1];
    lab.ip(env.ns, ['neigh', 'del', '10.244.2.0', 'dev', 'flannel.1']);
    lab.ip(env.ns, ['route', 'del', '10.244.2.0/24']);
    const pre = flannelState(lab, env.ns);
    const [snapshot] = await loadSnapshots({ netns: env.ns });
    const plan = planRepair({ snapshot, desired: parseNodesJson(readFileSync(nodesFile, 'utf8')), netns: env.ns });
    expect(plan.actions.map((a) => a.op)).toEqual(['neigh-replace', 'route-replace']);
    // a device that vanished between plan and apply, right after the first action
    const gone = neighReplace('fctgone0', '10.244.9.0', n2.vtepMac);
    plan.actions.splice(1, 0, { ...plan.actions[0], op: 'neigh-replace', target: '10.244.9.0 dev fctgone0', ...render(gone, env.ns), args: gone.args, undo: [neighDel('fctgone0', '10.244.9.0')] });
    const dir = join(tmp, 'midway');
    const r = await applyPlan(plan, dir);
    expect(r.applied).toBe(1);
    expect(r.failed?.index).toBe(1);
    expect(r.failed?.error).toMatch(/fctgone0/);
    const journal = JSON.parse(readFileSync(r.journalFile, 'utf8'));
    expect(journal.status).toBe('failed');
    expect(journal.applied).toBe(1);
    // the route after the failure never ran
    expect(lab.ip(env.ns, ['route', 'show', '10.244.2.0/24'])).toBe('');
    expect(lab.ip(env.ns, ['neigh', 'show', '10.244.2.0', 'dev', 'flannel.1'])).toContain(n2.vtepMac);

    // as a crash right after the journal was first written would leave it: every action is undone, and deleting
    // what never existed (the route, the vanished device's neighbour) counts as restored
    writeFileSync(r.journalFile, JSON.stringify({ ...journal, status: 'applying', applied: 0, failed: undefined }));
    const undo = await undoJournal(dir);
    expect(undo.errors).toEqual([]);
    expect(undo.commands).toHaveLength(3);
    expect(flannelState(lab, env.ns)).toBe(pre);
  });
});
