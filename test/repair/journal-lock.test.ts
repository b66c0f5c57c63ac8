import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvironmentError, UsageError } from '../../src/errors.js';
import { type Journal, newJournalId, readJournal, writeJournal } from '../../src/repair/journal.js';
import { acquireLock, lockPath } from '../../src/repair/lock.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'flanctl-jl-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('repair lock', () => {
  it('is exclusive while its owner lives, and released by its owner', async () => {
    const dir = tmp();
    const release = await acquireLock(dir);
    await expect(acquireLock(dir)).rejects.toThrow(EnvironmentError);
    await expect(acquireLock(dir)).rejects.toMatchObject({ exitCode: 3, message: new RegExp(`pid ${process.pid}`) });
    await release();
    expect(existsSync(lockPath(dir))).toBe(false);
    await (await acquireLock(dir))();
  });

  it('takes over a lock whose owner is gone', async () => {
    const dir = tmp();
    // pid_max on Linux is at most 2^22: this pid cannot exist
    writeFileSync(lockPath(dir), '4194305\n');
    const release = await acquireLock(dir);
    await release();
  });
});

describe('repair journal', () => {
  const journal = (id: string): Journal => ({ id, time: '2026-11-23T17:00:00.000Z', node: 'node1', status: 'applied', applied: 1, actions: [{ op: 'neigh-replace', target: 't', command: 'ip neigh replace …', program: 'ip', args: ['neigh', 'replace'], undo: [{ program: 'ip', args: ['neigh', 'del', '10.244.2.0', 'dev', 'flannel.1'] }] }] });

  it('round-trips, and --undo without an id takes the newest', async () => {
    const dir = tmp();
    const older = newJournalId(new Date('2026-11-23T17:00:00.000Z'));
    const newer = newJournalId(new Date('2026-11-23T18:00:00.000Z'));
    expect(older).toBe('2026-11-23T17-00-00-000Z');
    await writeJournal(dir, journal(newer));
    await writeJournal(dir, journal(older));
    expect((await readJournal(dir)).id).toBe(newer);
    expect(await readJournal(dir, older)).toEqual(journal(older));
  });

  it('refuses ids that are not journal ids, and files that are not journals', async () => {
    const dir = tmp();
    await expect(readJournal(dir, '../etc/passwd')).rejects.toThrow(UsageError);
    await expect(readJournal(dir)).rejects.toThrow(/no repair journal/);
    writeFileSync(join(dir, 'x.json'), '{"hello":1}');
    await expect(readJournal(dir, 'x')).rejects.toThrow(/not a flanctl repair journal/);
    writeFileSync(join(dir, 'y.json'), '{"id":');
    await expect(readJournal(dir, 'y')).rejects.toThrow(UsageError);
  });
});
