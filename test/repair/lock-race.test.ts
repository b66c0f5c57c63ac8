// Issue 16 item 6: the stale-lock takeover raced (read pid -> unlink -> create): 2-9 simultaneous holders in 19 of
// 20 trials with 12 contenders. Here 12 processes (the built lib, as flanctl runs it) are released at once on a
// lock left by a dead process (and, every other trial, on no lock); each that gets the lock keeps holding it
// until all have answered. Exactly one may hold it.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEntry, ROOT } from '../collect/cli.js';
import { lockPath } from '../../src/repair/lock.js';

const tmp = mkdtempSync(join(tmpdir(), 'flanctl-lock-race-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TRIALS = 20;
const CONTENDER = join(tmp, 'contender.mjs');
writeFileSync(
  CONTENDER,
  [
    `import { acquireLock } from ${JSON.stringify(join(ROOT, 'dist/repair/lock.js'))};`,
    "process.stdin.once('data', async () => {",
    "  try { await acquireLock(process.argv[2]); process.stdout.write('got\\n'); }",
    "  catch (e) { process.stdout.write(`busy ${e.exitCode} ${e.message}\\n`); }",
    '});',
    "process.stdin.on('end', () => process.exit(0));",
    "process.stdout.write('ready\\n');",
    '',
  ].join('\n'),
);

/** The next line a contender prints. */
function line(p: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    const on = (d: Buffer): void => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i < 0) return;
      p.stdout.off('data', on);
      resolve(buf.slice(0, i));
    };
    p.stdout.on('data', on);
  });
}

describe('repair lock: one holder', () => {
  it('12 contenders released at once, 20 trials (a stale lock of a dead pid, or none): exactly one holder each time', async () => {
    cliEntry(); // fails on a stale build: the contenders run dist/
    const holders: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = join(tmp, `t${trial}`);
      if (trial % 2 === 0) {
        mkdirSync(dir, { recursive: true });
        // pid_max on Linux is at most 2^22: this pid cannot exist
        writeFileSync(lockPath(dir), '4194305 0123456789abcdef\n');
      }
      const procs = Array.from({ length: 12 }, () => spawn(process.execPath, [CONTENDER, dir]));
      expect(await Promise.all(procs.map(line))).toEqual(Array(12).fill('ready'));
      const answers = procs.map(line);
      for (const p of procs) p.stdin.write('go\n');
      const said = await Promise.all(answers);
      holders.push(said.filter((s) => s === 'got').length);
      // the others were told, in one line, that it is held (exit 3)
      for (const s of said.filter((x) => x !== 'got')) expect(s).toMatch(/^busy 3 /);
      const exited = procs.map((p) => new Promise((r) => p.once('exit', r)));
      for (const p of procs) p.stdin.end();
      await Promise.all(exited);
    }
    expect(holders).toEqual(Array(TRIALS).fill(1));
  }, 300_000);
});
