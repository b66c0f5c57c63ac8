// run()'s time limit holds for what a program leaves running. A program that forks a child keeping the output pipe
// open (a wrapper script, a daemonising tool) must not keep run() waiting: at the limit its whole process group is
// stopped, and a process that escaped the group (setsid) and still holds the pipe is let go of. Real processes: fake
// wrappers in a directory of the test's own that print the pid of what they started; the kernel says whether it lives
// and which pipe it holds. The expected output is the wrappers' own text.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { launch, run } from '../../src/collect/runner.js';

const real = (program: string): string => spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim();
const [SH, SLEEP, SETSID, HEAD] = [real('sh'), real('sleep'), real('setsid'), real('head')];
const dir = mkdtempSync(join(tmpdir(), 'fct-leftover-'));
const LIMIT = 500;

/** A wrapper script in the test's directory; its path, for run(). */
function wrapper(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, [`#!${SH}`, ...lines, ''].join('\n'));
  chmodSync(path, 0o755);
  return path;
}

// what the wrappers started, killed after each case whatever happened
const started: number[] = [];
const pidIn = (stdout: string): number => {
  const pid = Number(stdout.split('\n')[0]);
  started.push(pid);
  return pid;
};
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The kernel's word: running (R/S/D...), Z (dead, not yet reaped by whoever adopted it) or gone. */
const state = (pid: number): string => (existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] : 'gone');
/** What the process's fd 1 is: `socket:[INODE]` while it holds run()'s output pipe (node's stdio pipes are socketpairs). */
const stdoutOf = (pid: number): string => readlinkSync(`/proc/${pid}/fd/1`);

/** Resolves once `test()` holds, checking every 20 ms for at most `ms` (then false): waiting, not timing. */
async function until(test: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (test()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return test();
}

describe('run() and what a program leaves running', () => {
  it('at its time limit a wrapper is stopped with the child it started (its process group)', { timeout: 15_000 }, async () => {
    const path = wrapper('group', [`${SLEEP} 30 &`, 'echo $!', 'wait']);
    const r = await run([path], { timeoutMs: LIMIT });
    expect(r).toMatchObject({ ok: false, timedOut: true, error: `${path} timed out after ${LIMIT} ms` });
    const pid = pidIn(r.stdout);
    expect(pid).toBeGreaterThan(0);
    expect(await until(() => ['gone', 'Z'].includes(state(pid)), 5000)).toBe(true);
  });

  it('a program that exited while a process it left (setsid) holds the pipe: its result, the process still alive', { timeout: 15_000 }, async () => {
    const path = wrapper('escaped', [`${SETSID} ${SLEEP} 30 &`, 'echo $!', 'echo "done here" >&2', 'exit 3']);
    const r = await run([path], { timeoutMs: 10_000 });
    const pid = pidIn(r.stdout);
    expect(r).toMatchObject({ ok: false, exitCode: 3, error: `${path}: done here`, stdout: `${pid}\n`, stderr: 'done here\n' });
    expect(r.timedOut).toBeUndefined();
    // returned while the escaped process lives and still holds the output pipe
    expect(state(pid)).toMatch(/^[RS]$/);
    expect(stdoutOf(pid)).toMatch(/^socket:/);
  });

  it('at its time limit, with an escaped process holding the pipe: timed out, returned, the escaped one untouched', { timeout: 15_000 }, async () => {
    const path = wrapper('escaped-hung', [`${SETSID} ${SLEEP} 30 &`, 'echo $!', `exec ${SLEEP} 30`]);
    const r = await run([path], { timeoutMs: LIMIT });
    expect(r).toMatchObject({ ok: false, timedOut: true });
    const pid = pidIn(r.stdout);
    expect(state(pid)).toMatch(/^[RS]$/);
  });

  it('at its time limit, with an escaped process that writes without end: returned all the same', { timeout: 15_000 }, async () => {
    const path = wrapper('escaped-writer', [`${SETSID} ${SH} -c 'echo $$; while :; do echo more; done' &`, `exec ${SLEEP} 30`]);
    const r = await run([path], { timeoutMs: LIMIT });
    expect(r).toMatchObject({ ok: false, timedOut: true });
    pidIn(r.stdout);
    expect(r.stdout.split('\n').slice(1, -1).every((l) => l === 'more')).toBe(true);
  });

  // the drain after the program's exit keeps every byte it wrote: several times over, pipes filled many times
  it.each([1, 2, 3, 4, 5])('all of a large output is read though an escaped process holds the pipe (round %i)', { timeout: 15_000 }, async () => {
    const size = 3_000_000;
    const path = wrapper('escaped-large', [`${SETSID} ${SLEEP} 30 &`, 'echo $!', `${HEAD} -c ${size} /dev/zero`]);
    const r = await run([path], { timeoutMs: 10_000 });
    const pid = pidIn(r.stdout);
    expect(r).toMatchObject({ ok: true, exitCode: 0 });
    expect(r.stdout.length).toBe(`${pid}\n`.length + size);
    expect(state(pid)).toMatch(/^[RS]$/);
  });
});

// collect's launcher (launch(): one sh that starts the programs) ends when its sh has, though a program it left
// outside its group still holds the outputs: stdout and fd 4 here, both read to the end
describe('launch() and what its script leaves running', () => {
  it('the sh exited while a process it left (setsid) holds stdout and fd 4: done, not timed out, every output read', { timeout: 15_000 }, async () => {
    const outputs = new Map<number, string>();
    const launched = launch(`${SETSID} ${SLEEP} 30 & echo $!; echo four >&4`, [], {
      fds: [1, 4],
      onOutput: (fd, text) => outputs.set(fd, (outputs.get(fd) ?? '') + text),
      timeoutMs: 10_000,
    });
    launched!.write('', true);
    expect(await launched!.done).toEqual({});
    const pid = pidIn(outputs.get(1) ?? '');
    expect(outputs.get(4)).toBe('four\n');
    // returned while the escaped process lives and still holds the launcher's stdout
    expect(state(pid)).toMatch(/^[RS]$/);
    expect(stdoutOf(pid)).toMatch(/^socket:/);
  });
});
