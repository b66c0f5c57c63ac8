// REPAIR_SCRIPT as a node runs it (sh -s inside a namespace node, exactly what sshd or kubectl exec would
// start): journal first, commands in order, stop at the first failure, the repair helper's lock and journal
// format (readJournal parses what the script leaves).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { remoteJournal, repairScript } from '../../src/cluster/repair.js';
import type { Code } from '../../src/model/codes.js';
import { readJournal } from '../../src/repair/journal.js';
import type { RepairPlan } from '../../src/repair/plan.js';
import { buildFlannelCluster, type LabCluster } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';

// what each op puts back: the peer's missing entry, or the device that is down
const CODE: Record<string, Code> = { 'neigh-replace': 'NEIGH_MISSING', 'fdb-replace': 'FDB_MISSING', 'route-replace': 'ROUTE_MISSING', 'link-up': 'VXLAN_DEVICE_DOWN' };
const action = (op: string, program: 'ip' | 'bridge', args: string[]): RepairPlan['actions'][number] => ({
  op,
  family: 'v4',
  code: CODE[op],
  target: args[2],
  argv: [program, ...args],
  command: [program, ...args].join(' '),
  reason: 'test',
  node: 'node1',
  program,
  args,
  undo: [],
  before: [],
});

describeNetns('REPAIR_SCRIPT on a namespace node', () => {
  const lab = new Lab('rps');
  const dir = mkdtempSync(join(tmpdir(), 'fct-journal-'));
  let cluster: LabCluster;
  beforeAll(() => {
    cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 0 });
  });
  afterAll(() => {
    lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  function run(plan: RepairPlan, id: string) {
    const { script, args } = repairScript('cafe0123cafe0123', dir, remoteJournal(plan, id, new Date('2026-11-23T18:00:00Z')), plan);
    const r = spawnSync('ip', ['netns', 'exec', cluster.nodes[0].netns, 'sh', '-s', '--', ...args], { input: script, encoding: 'utf8', maxBuffer: 1 << 26 });
    return { status: r.status, said: r.stdout.split('\n').filter((l) => l.startsWith('@@flanctl-cafe0123cafe0123 ')).map((l) => l.slice(27)) };
  }

  it('runs every command, then marks the journal applied', async () => {
    const plan: RepairPlan = { node: 'node1', skipped: [], actions: [action('neigh-replace', 'ip', ['neigh', 'replace', '10.244.9.0', 'lladdr', '0a:00:00:00:00:09', 'dev', 'flannel.1', 'nud', 'permanent'])] };
    const r = run(plan, 'ok-1');
    expect(r.status).toBe(0);
    expect(r.said).toEqual([`journal ${dir}/ok-1.json`, 'done 1']);
    expect(lab.ip(cluster.nodes[0].netns, ['neigh', 'show', '10.244.9.0', 'dev', 'flannel.1'])).toContain('0a:00:00:00:00:09 PERMANENT');
    expect(await readJournal(dir, 'ok-1')).toMatchObject({ id: 'ok-1', node: 'node1', status: 'applied', applied: 1 });
  });

  it('stops at the failing command (a route, with its /24) and records index, command and error', async () => {
    const plan: RepairPlan = {
      node: 'node1',
      skipped: [],
      actions: [
        action('neigh-replace', 'ip', ['neigh', 'replace', '10.244.8.0', 'lladdr', '0a:00:00:00:00:08', 'dev', 'flannel.1', 'nud', 'permanent']),
        action('route-replace', 'ip', ['route', 'replace', '10.244.8.0/24', 'via', '10.244.8.0', 'dev', 'nosuchdev', 'onlink']),
        action('fdb-replace', 'bridge', ['fdb', 'replace', '0a:00:00:00:00:08', 'dev', 'flannel.1', 'dst', '192.168.56.99', 'self', 'permanent']),
      ],
    };
    const r = run(plan, 'fail-1');
    expect(r.status).toBe(1);
    expect(r.said[1]).toMatch(/^failed 1 Cannot find device/);
    const j = await readJournal(dir, 'fail-1');
    expect(j).toMatchObject({ status: 'failed', applied: 1, failed: { index: 1, command: 'ip route replace 10.244.8.0/24 via 10.244.8.0 dev nosuchdev onlink' } });
    expect(j.actions).toHaveLength(3);
    // the first action ran, the third never did
    expect(lab.ip(cluster.nodes[0].netns, ['neigh', 'show', '10.244.8.0', 'dev', 'flannel.1'])).toContain('0a:00:00:00:00:08');
    expect(spawnSync('ip', ['netns', 'exec', cluster.nodes[0].netns, 'bridge', 'fdb', 'show', 'dev', 'flannel.1'], { encoding: 'utf8' }).stdout).not.toContain('192.168.56.99');
  });

  it('respects the repair lock: a live owner refuses (exit 3), a dead one is taken over', () => {
    const plan: RepairPlan = { node: 'node1', skipped: [], actions: [action('link-up', 'ip', ['link', 'set', 'dev', 'flannel.1', 'up'])] };
    writeFileSync(join(dir, 'repair.lock'), `${process.pid}\n`);
    const held = run(plan, 'lock-1');
    expect(held.status).toBe(3);
    expect(held.said).toEqual([`error another flanctl repair is running (pid ${process.pid}, lock ${dir}/repair.lock)`]);
    writeFileSync(join(dir, 'repair.lock'), '4194303\n');
    expect(run(plan, 'lock-2').said).toEqual([`journal ${dir}/lock-2.json`, 'done 1']);
    expect(() => readFileSync(join(dir, 'repair.lock'))).toThrow();
  });

  it('carries a plan of any size on stdin: 20,000 fdb entries with random MACs (over the old 128 KiB argv limit)', async () => {
    const hex = (k: number) => (k & 0xffffff).toString(16).padStart(6, '0').replace(/(..)(..)(..)/, '$1:$2:$3');
    const huge: RepairPlan = { node: 'node1', skipped: [], actions: Array.from({ length: 20000 }, (_, k) => action('fdb-replace', 'bridge', ['fdb', 'replace', `0a:00:00:${hex(k * 7919)}`, 'dev', 'flannel.1', 'dst', `192.168.${k >> 8}.${k & 255}`, 'self', 'permanent'])) };
    expect(repairScript('n', dir, remoteJournal(huge, 'huge', new Date()), huge).script.length).toBeGreaterThan(128 * 1024);
    expect(run(huge, 'big-1').said).toEqual([`journal ${dir}/big-1.json`, 'done 20000']);
    expect(await readJournal(dir, 'big-1')).toMatchObject({ status: 'applied', applied: 20000 });
    const fdb = spawnSync('ip', ['netns', 'exec', cluster.nodes[0].netns, 'bridge', 'fdb', 'show', 'dev', 'flannel.1'], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout;
    // the last entry, as the plan wrote it (k = 19999)
    expect(fdb).toContain(`0a:00:00:${hex(19999 * 7919)} dst 192.168.78.31 self permanent`);
  });

  it('a stream cut short runs nothing: the batch files and journal may be partial, main never starts', () => {
    const plan: RepairPlan = { node: 'node1', skipped: [], actions: [action('neigh-replace', 'ip', ['neigh', 'replace', '10.244.7.0', 'lladdr', '0a:00:00:00:00:77', 'dev', 'flannel.1', 'nud', 'permanent'])] };
    const { script, args } = repairScript('cafe0123cafe0123', dir, remoteJournal(plan, 'cut-1', new Date()), plan);
    for (const cut of [script.length - 2, script.indexOf('main() {') + 20, script.indexOf('@@flanctl-data') + 30]) {
      spawnSync('ip', ['netns', 'exec', cluster.nodes[0].netns, 'sh', '-s', '--', ...args], { input: script.slice(0, cut), encoding: 'utf8' });
      expect(lab.ip(cluster.nodes[0].netns, ['neigh', 'show', '10.244.7.0', 'dev', 'flannel.1']), `cut at ${cut}`).toBe('');
    }
  });
});
