// Issue 16 item 10: `repair --undo` trusted journal contents. A journal planted by another user in a shared
// --journal-dir ran `sh -c …` as root; the id in the file became a path; a journal for one network namespace
// could be undone in another. Each is now refused (exit 2, one line) and runs nothing.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../collect/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'flanctl-journal-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ID = '2026-11-29T21-00-00-000Z';
const marker = join(tmp, 'ran');
const journal = (undo: { program: string; args: string[] }[], extra: object = {}): string =>
  JSON.stringify({ id: ID, time: '2026-11-29T21:00:00.000Z', node: 'node1', status: 'applied', applied: 1, actions: [{ op: 'neigh-replace', target: 't', command: 'c', program: 'ip', args: ['neigh', 'replace'], undo }], ...extra });

function plant(name: string, text: string, mode = 0o700): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  chmodSync(dir, mode);
  writeFileSync(join(dir, `${ID}.json`), text, { mode: 0o600 });
  return dir;
}

function undo(dir: string) {
  const r = runCli(['repair', '--undo', '--journal-dir', dir]);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(existsSync(marker)).toBe(false);
  return r;
}

describe('repair --undo refuses journals it did not write', () => {
  it('an undo command that is not one flanctl writes (ip netns exec … sh -c, ip -batch FILE, extra words)', () => {
    const hostile = [
      ['netns', 'exec', 'x', 'sh', '-c', `touch ${marker}`],
      ['-force', '-batch', join(tmp, 'cmds')],
      ['neigh', 'del', '10.244.2.0', 'dev', 'flannel.1', 'extra'],
      ['route', 'replace', '10.244.2.0/24', 'via', '10.244.2.0', 'dev', 'flannel.1', 'table', '255'],
      // IPv6 values the builders refuse: a zone, a /129, a gateway of the other family, a word after an address
      ['neigh', 'replace', 'fe80::1%eth0', 'dev', 'flannel-v6.1', 'lladdr', '02:00:00:00:00:01', 'nud', 'permanent'],
      ['route', 'del', 'fd00:10:244:2::/129', 'via', 'fd00:10:244:2::', 'dev', 'flannel-v6.1', 'onlink'],
      ['route', 'replace', 'fd00:10:244:2::/64', 'via', '10.244.2.0', 'dev', 'flannel-v6.1', 'onlink'],
      ['neigh', 'del', 'fd00:10:244:2::', 'dev', 'flannel-v6.1', 'extra'],
    ];
    hostile.forEach((args, i) => {
      const r = undo(plant(`cmd${i}`, journal([{ program: 'ip', args }])));
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/refused/);
    });
  });

  it('a journal directory writable by others, and a journal file writable by its group', () => {
    const open = plant('open', journal([{ program: 'ip', args: ['neigh', 'del', '10.244.2.0', 'dev', 'flannel.1'] }]), 0o777);
    expect(statSync(open).mode & 0o777).toBe(0o777);
    expect(undo(open).stderr).toMatch(/writable by others: refused/);
    const group = plant('group', journal([{ program: 'ip', args: ['neigh', 'del', '10.244.2.0', 'dev', 'flannel.1'] }]));
    chmodSync(join(group, `${ID}.json`), 0o660);
    expect(undo(group).stderr).toMatch(/writable by its group: refused/);
  });

  it('an id in the file that is not the file name', () => {
    const dir = plant('id', journal([], { id: '..-..-etc' }));
    const r = undo(dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/holds journal id/);
  });

  it('a journal from another network namespace (its nsfs inode is not this one)', () => {
    const dir = plant('ns', journal([{ program: 'ip', args: ['neigh', 'del', '10.244.2.0', 'dev', 'flannel.1'] }], { netnsInode: 1 }));
    const r = undo(dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/another network namespace/);
  });
});

// repair --list reads every journal through the same checks: a refused one is listed as refused, never summarised
// as if flanctl had written it; a group-writable directory refuses the whole list.
describe('repair --list', () => {
  it('lists a valid journal with its undo outcome and a planted one as refused', () => {
    const dir = join(tmp, 'list');
    mkdirSync(dir, { mode: 0o700 });
    const undone = { time: '2026-11-29T21:05:00.000Z', restored: 1, errors: [], verified: false, mismatches: ['route 10.244.2.0/24: expected absent, found via 10.244.3.0 dev flannel.1'] };
    writeFileSync(join(dir, `${ID}.json`), journal([{ program: 'ip', args: ['neigh', 'del', '10.244.2.0', 'dev', 'flannel.1'] }], { status: 'undone', undone }), { mode: 0o600 });
    const planted = '2026-11-29T22-00-00-000Z';
    writeFileSync(join(dir, `${planted}.json`), journal([{ program: 'ip', args: ['netns', 'exec', 'x', 'sh', '-c', `touch ${marker}`] }], { id: planted }), { mode: 0o600 });
    const r = runCli(['repair', '--list', '--journal-dir', dir, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.journals).toEqual([
      { id: planted, error: expect.stringMatching(/: refused, not a command flanctl writes: ip netns exec$/) },
      { id: ID, time: '2026-11-29T21:00:00.000Z', node: 'node1', status: 'undone', applied: 1, actions: 1, undone },
    ]);
    const human = runCli(['repair', '--list', '--journal-dir', dir], { env: { ...process.env, COLUMNS: '1000' } });
    expect(human.stdout.split('\n')).toEqual([
      `repair journals in ${dir} (newest first):`,
      `  ${planted}  refused: ${r.json.journals[0].error}`,
      `  ${ID}  undo INCOMPLETE  node1  1/1 action(s)  undone at 2026-11-29T21:05:00.000Z`,
      `      not restored: ${undone.mismatches[0]}`,
      '',
    ]);
    expect(existsSync(marker)).toBe(false);
    chmodSync(dir, 0o770);
    const open = runCli(['repair', '--list', '--journal-dir', dir]);
    expect(open.status).toBe(2);
    expect(open.stderr).toMatch(/writable by its group: refused/);
  });
});
