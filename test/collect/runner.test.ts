// The runner returns every failure as a value: a collection never aborts because one program did.
import { describe, expect, it } from 'vitest';
import { run, validateNetns, which } from '../../src/collect/runner.js';
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
    expect(await which('flanctl-no-such-program')).toBeUndefined();
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
