// repair --undo re-checks what it restored (issue 16 leftovers): the state is changed between the repair and the
// undo, the way another actor (flanneld, an admin) would, so the undo commands run but the kernel does not end up
// as the journal recorded it. The kernel's own `bridge fdb` / `ip link` after the run is the judge; the journal
// keeps the outcome and `repair --list` shows it to a later reader.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { readJournal } from '../../src/repair/journal.js';
import { buildFlannelCluster, type LabCluster, nodesJson, programPeers } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { runCli } from '../collect/cli.js';
import { cli } from './netns-helpers.js';

describeNetns('repair --undo re-check: fdb entries and flannel.1 (netns cluster)', () => {
  const lab = new Lab('urc');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-undo-recheck-'));
  const journal = join(tmp, 'journal');
  let cluster: LabCluster;
  let ns: string;

  /** node1's flannel.1 as the lab builds it, up, with every peer's triplet */
  const heal = (): void => {
    const n1 = cluster.nodes[0];
    if (lab.tryExec(ns, ['ip', 'link', 'show', 'flannel.1']).status !== 0) {
      lab.ip(ns, ['link', 'add', 'flannel.1', 'address', n1.vtepMac, 'type', 'vxlan', 'id', '1', 'local', n1.ip, 'dev', 'eth0', 'dstport', '8472', 'nolearning']);
      lab.ip(ns, ['link', 'set', 'flannel.1', 'mtu', '1450']);
      lab.ip(ns, ['addr', 'add', '10.244.1.0/32', 'dev', 'flannel.1']);
    }
    lab.ip(ns, ['link', 'set', 'flannel.1', 'up']);
    for (const n of cluster.nodes.slice(1)) lab.tryExec(ns, ['bridge', 'fdb', 'del', n.vtepMac, 'dev', 'flannel.1']);
    programPeers(lab, n1, cluster.nodes);
  };

  beforeAll(() => {
    cluster = buildFlannelCluster(lab, { nodes: 3, podsPerNode: 0 });
    ns = cluster.nodes[0].netns;
    writeFileSync(join(tmp, 'nodes.json'), nodesJson(cluster));
  });
  afterEach(heal);
  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  const repair = (): ReturnType<typeof cli> => cli(['repair', '--netns', ns, '--nodes', join(tmp, 'nodes.json'), '--apply', '--yes', '--json'], { journalDir: journal });
  // `bridge fdb show` as the kernel prints it: one line per destination
  const fdbDsts = (mac: string): string[] =>
    lab
      .exec(ns, ['bridge', 'fdb', 'show', 'dev', 'flannel.1'])
      .split('\n')
      .filter((l) => l.startsWith(`${mac} `))
      .map((l) => / dst (\S+)/.exec(l)?.[1] ?? '-')
      .sort();

  // node2's fdb entry deleted (FDB_MISSING); the repair adds it (undo: `bridge fdb del <MAC> dst <node2>`); then
  // someone points that MAC at node3. The undo's del finds no entry with node2's dst, which it takes as already
  // gone, so it has no error to report; the journal recorded no entry for that MAC at all. Before, the re-check
  // looked for the repair's dst only and called this restored.
  it('an fdb entry the repair added and someone re-pointed before undo: exit 1, named, journaled, listed', async () => {
    const [, n2, n3] = cluster.nodes;
    lab.exec(ns, ['bridge', 'fdb', 'del', n2.vtepMac, 'dev', 'flannel.1']);
    expect(fdbDsts(n2.vtepMac)).toEqual([]);
    const apply = repair();
    expect(apply.status, apply.stderr).toBe(0);
    expect(apply.json.actions.map((a: { op: string }) => a.op)).toEqual(['fdb-replace']);
    expect(fdbDsts(n2.vtepMac)).toEqual([n2.ip]);
    lab.exec(ns, ['bridge', 'fdb', 'replace', n2.vtepMac, 'dev', 'flannel.1', 'dst', n3.ip, 'self', 'permanent']);

    const undo = cli(['repair', '--undo', apply.json.journal, '--json'], { journalDir: journal });
    expect(undo.status, undo.stderr + undo.stdout).toBe(1);
    // the kernel: the entry is there, re-pointed
    expect(fdbDsts(n2.vtepMac)).toEqual([n3.ip]);
    const mismatch = `fdb ${n2.vtepMac} dev flannel.1: expected absent (the repair added it), found dst ${n3.ip}`;
    expect(undo.json.undo).toMatchObject({ verified: false, errors: [], mismatches: [mismatch] });

    // written into the journal, which stays a journal the validator reads
    const j = await readJournal(journal, apply.json.journal);
    expect(j.status).toBe('undone');
    expect(j.undone).toMatchObject({ verified: false, mismatches: [mismatch], errors: [] });
    expect(readFileSync(join(journal, `${apply.json.journal}.json`), 'utf8')).toContain(mismatch);

    // a wide terminal: lines are not wrapped
    const list = runCli(['repair', '--list'], { env: { ...process.env, FLANCTL_JOURNAL_DIR: journal, COLUMNS: '1000' } });
    expect(list.status, list.stderr).toBe(0);
    const lines = list.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith(`  ${apply.json.journal}  `));
    expect(lines[at]).toContain('undo INCOMPLETE');
    expect(lines[at + 1]).toBe(`      not restored: ${mismatch}`);
    const listJson = cli(['repair', '--list', '--json'], { journalDir: journal });
    expect(listJson.json.journals.find((x: { id: string }) => x.id === apply.json.journal)).toMatchObject({ status: 'undone', undone: { verified: false, mismatches: [mismatch] } });
  });

  // flannel.1 down: the repair raises it (undo: set it down again) and re-adds what the kernel dropped. Then the
  // device is deleted (flanneld restarting). `ip link set dev flannel.1 down` fails, and the re-check names the
  // link the journal recorded as present and down: exit 3 (a command failed), the object listed as not restored.
  it('flannel.1 the repair raised, deleted before undo: its undo fails and the re-check names it', () => {
    lab.ip(ns, ['link', 'set', 'flannel.1', 'down']);
    const apply = repair();
    expect(apply.status, apply.stderr).toBe(0);
    expect(apply.json.actions[0].op).toBe('link-up');
    lab.ip(ns, ['link', 'del', 'flannel.1']);
    const undo = cli(['repair', '--undo', apply.json.journal, '--json'], { journalDir: journal });
    expect(undo.status, undo.stderr + undo.stdout).toBe(3);
    expect(lab.tryExec(ns, ['ip', 'link', 'show', 'flannel.1']).status).not.toBe(0);
    expect(undo.json.undo.errors).toEqual([expect.stringMatching(/^ip -n \S+ link set dev flannel\.1 down: .*Cannot find device/)]);
    expect(undo.json.undo.mismatches).toEqual(['link flannel.1: expected down, found none']);
    expect(undo.json.undo.verified).toBe(false);
  });

  // flannel.1 down: the repair raises it. Then flanneld restarts: flannel.1 deleted and created again, up. The undo's
  // `ip link set dev flannel.1 down` runs without error — on the new device, which the repair never touched; the
  // re-check compares it with the device the journal recorded (its ifindex) and says so: exit 1.
  it('flannel.1 the repair raised, recreated before undo: the undo downed another device -> exit 1, named', () => {
    const before = JSON.parse(lab.ip(ns, ['-j', 'link', 'show', 'flannel.1']))[0].ifindex as number;
    lab.ip(ns, ['link', 'set', 'flannel.1', 'down']);
    const apply = repair();
    expect(apply.status, apply.stderr).toBe(0);
    expect(apply.json.actions[0].op).toBe('link-up');
    lab.ip(ns, ['link', 'del', 'flannel.1']);
    heal();
    const now = JSON.parse(lab.ip(ns, ['-j', 'link', 'show', 'flannel.1']))[0].ifindex as number;
    expect(now).not.toBe(before);
    const undo = cli(['repair', '--undo', apply.json.journal, '--json'], { journalDir: journal });
    expect(undo.status, undo.stderr + undo.stdout).toBe(1);
    expect(undo.json.undo.errors).toEqual([]);
    expect(undo.json.undo.mismatches).toContain(`link flannel.1: recreated since the repair (ifindex ${now}, the repair raised ${before}): the undo took down a device it never raised`);
    // the kernel: the new device is down
    expect(JSON.parse(lab.ip(ns, ['-j', 'link', 'show', 'flannel.1']))[0].flags).not.toContain('UP');
  });

  // The clean cycles: a device the repair raised, and one it created, are down / gone again after undo; the
  // re-check read the links and found them as recorded (the same cycles in netns-device run through repairCycle).
  it.each([
    ['raised', (): unknown => lab.ip(ns, ['link', 'set', 'flannel.1', 'down']), 'link-up'],
    ['created', (): unknown => lab.ip(ns, ['link', 'del', 'flannel.1']), 'link-add'],
  ])('flannel.1 the repair %s: undo verifies clean', (_, fault, op) => {
    fault();
    const before = lab.tryExec(ns, ['ip', '-d', 'link', 'show', 'flannel.1']);
    const apply = repair();
    expect(apply.status, apply.stderr).toBe(0);
    expect(apply.json.actions[0].op).toBe(op);
    const undo = cli(['repair', '--undo', apply.json.journal, '--json'], { journalDir: journal });
    expect(undo.status, undo.stderr + undo.stdout).toBe(0);
    expect(undo.json.undo).toMatchObject({ verified: true, mismatches: [], errors: [] });
    const after = lab.tryExec(ns, ['ip', '-d', 'link', 'show', 'flannel.1']);
    expect(after.status).toBe(before.status);
    if (op === 'link-up') expect(after.stdout).not.toMatch(/<[^>]*\bUP\b/);
  });
});
