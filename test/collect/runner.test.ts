// The runner returns every failure as a value: a collection never aborts because one program did.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { launch, run, validateNetns, which } from '../../src/collect/runner.js';
import { EnvironmentError, UsageError } from '../../src/errors.js';
import { canUseNetns } from '../netns/lab.js';
import { itNeeding } from '../netns/needs.js';

describe('runner', () => {
  it('runs argv without a shell, in the C locale', async () => {
    const r = await run(['sh', '-c', 'echo "$LC_ALL" "$0"', '$(touch /nonexistent)']);
    expect(r).toMatchObject({ ok: true, exitCode: 0, stdout: 'C $(touch /nonexistent)\n' });
    expect(r.ms).toBeGreaterThanOrEqual(0);
  });

  it('a missing program is a typed result, not an exception', async () => {
    const r = await run(['flanctl-no-such-program', '-x']);
    expect(r).toMatchObject({ ok: false, missing: true, error: 'flanctl-no-such-program not installed' });
    expect(which('flanctl-no-such-program')).toBeUndefined();
  });

  it('a failing program carries its first stderr line', async () => {
    const r = await run(['sh', '-c', 'echo "first problem" >&2; echo more >&2; exit 4']);
    expect(r).toMatchObject({ ok: false, exitCode: 4, error: 'sh: first problem' });
  });

  it('a permission error is flagged', async () => {
    const r = await run(['sh', '-c', 'echo "cat: /x: Permission denied" >&2; exit 1']);
    expect(r).toMatchObject({ ok: false, permission: true });
  });

  it('a hung program is stopped at its timeout', async () => {
    const r = await run(['sleep', '5'], { timeoutMs: 150 });
    expect(r).toMatchObject({ ok: false, timedOut: true, error: 'sleep timed out after 150 ms' });
  });

  it('a hung launcher is stopped at its time limit with the programs it started (its process group)', async () => {
    let out = '';
    // a program the script started prints its pid, then hangs with the pipe open
    const l = launch('sleep 30 & echo $!; wait', [], { fds: [1], timeoutMs: 300, onOutput: (_fd, text) => (out += text) });
    expect(await l!.done).toEqual({ error: 'sh timed out after 300 ms', timedOut: true });
    const pid = Number(out.trim());
    expect(pid).toBeGreaterThan(0);
    // the kernel's word: /proc/PID is gone, or its state is Z (dead, left for whichever process reaps orphans here)
    await new Promise((resolve) => setTimeout(resolve, 100));
    const state = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] : 'gone';
    expect(['gone', 'Z']).toContain(state);
  });

  it('rejects a malformed namespace name before it reaches a command line', async () => {
    await expect(validateNetns('../etc')).rejects.toThrow(UsageError);
    await expect(validateNetns('a b')).rejects.toThrow(UsageError);
  });

  itNeeding(canUseNetns(), 'root and ip netns')('an unknown namespace is an environment error (exit 3)', async () => {
    const err = await validateNetns('fctnosuchns-x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).message).toBe('no network namespace named fctnosuchns-x');
  });
});
