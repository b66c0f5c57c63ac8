// The cluster transports wait for ssh / kubectl, not for what it leaves running. Older OpenSSH (its bug 1988) left the
// ControlPersist master (or the ProxyCommand under it) holding ssh's stderr for minutes; a node
// that answered must not then wait for it (and be reported as timed out). Real processes: a fake program that
// starts such a holder (setsid, its stderr inherited) and prints the holder's pid; the kernel says the holder still
// runs and holds the pipe when the call has returned. The expected output is the fake's own text.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openProgram, runProgram } from '../../src/cluster/transport.js';

const real = (program: string): string => spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim();
const [SH, SLEEP, SETSID] = [real('sh'), real('sleep'), real('setsid')];
const dir = mkdtempSync(join(tmpdir(), 'fct-transport-leftover-'));

/** A fake ssh: leaves a holder of its stderr behind, prints the holder's pid, then does `body`. */
function fake(name: string, body: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, [`#!${SH}`, `${SETSID} ${SLEEP} 30 </dev/null >/dev/null &`, 'echo $!', ...body, ''].join('\n'));
  chmodSync(path, 0o755);
  return path;
}

const holders: number[] = [];
const holderIn = (stdout: string): number => {
  const pid = Number(stdout.split('\n')[0]);
  holders.push(pid);
  return pid;
};
afterEach(() => {
  for (const pid of holders.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const running = (pid: number): boolean => existsSync(`/proc/${pid}/stat`) && /^[RS]$/.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0]);
// node's stdio pipes are socketpairs
const holdsStderr = (pid: number): boolean => readlinkSync(`/proc/${pid}/fd/2`).startsWith('socket:');

describe('transport: a process ssh left holding its stderr', () => {
  it('runProgram returns the program\'s own result, the holder still running', { timeout: 15_000 }, async () => {
    const path = fake('ssh-run', ['cat', 'echo "warning: from the node" >&2', 'exit 4']);
    const r = await runProgram([path], 'the script\n', new AbortController().signal);
    const pid = holderIn(r.stdout);
    expect(r).toEqual({ stdout: `${pid}\nthe script\n`, stderr: 'warning: from the node\n', exitCode: 4 });
    expect(running(pid)).toBe(true);
    expect(holdsStderr(pid)).toBe(true);
  });

  it.each([1, 2, 3])('every byte of a large output is read though the holder keeps the stderr (round %i)', { timeout: 15_000 }, async () => {
    const size = 3_000_000;
    const path = fake('ssh-large', ['cat >/dev/null', `${real('head')} -c ${size} /dev/zero`, `${real('head')} -c ${size} /dev/zero >&2`]);
    const r = await runProgram([path], 'the script\n', new AbortController().signal);
    const pid = holderIn(r.stdout);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBe(`${pid}\n`.length + size);
    expect(r.stderr.length).toBe(size);
    expect(running(pid)).toBe(true);
  });

  it('openProgram (probe\'s session) finishes once the program ended, the holder still running', { timeout: 15_000 }, async () => {
    const path = fake('ssh-open', ['while IFS= read -r line; do [ "$line" != ready ] || echo waiting; done', 'echo finished']);
    const session = openProgram([path], 'ready\n', new AbortController().signal);
    const first = await session.until((out) => out.includes('waiting'), 10_000);
    const pid = holderIn(first);
    expect(first).toBe(`${pid}\nwaiting\n`);
    const r = await session.finish('stop\n');
    expect(r).toEqual({ stdout: `${pid}\nwaiting\nfinished\n`, stderr: '', exitCode: 0 });
    expect(running(pid)).toBe(true);
    expect(holdsStderr(pid)).toBe(true);
  });
});
