import { describe, expect, it } from 'vitest';
import { fanOut } from '../../src/cluster/fanout.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    });
  });

describe('fanOut', () => {
  it('runs at most `parallel` jobs at once and keeps the input order', async () => {
    let running = 0;
    let peak = 0;
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const out = await fanOut(names, { parallel: 3, timeoutMs: 5000 }, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(20);
      running--;
      return n.toUpperCase();
    });
    expect(peak).toBe(3);
    expect(out.map((r) => r.value)).toEqual(names.map((n) => n.toUpperCase()));
  });

  it('is parallel, not a loop: 8 jobs that each wait for all 8 to have started all finish', async () => {
    // a loop would leave the first job waiting for the others until its timeout
    let started = 0;
    let allStarted: () => void = () => {};
    const barrier = new Promise<void>((resolve) => (allStarted = resolve));
    const out = await fanOut(['1', '2', '3', '4', '5', '6', '7', '8'], { parallel: 8, timeoutMs: 5000 }, async (n) => {
      if (++started === 8) allStarted();
      await barrier;
      return n;
    });
    expect(out.map((r) => r.value)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
  });

  it('a failing node and a hanging node are results; the others still finish', async () => {
    const events: string[] = [];
    const out = await fanOut(
      ['ok', 'refused', 'hangs'],
      { parallel: 3, timeoutMs: 150, onEvent: (n, s, d) => events.push(`${n}:${s}${d ? `:${d}` : ''}`) },
      async (n, signal) => {
        if (n === 'refused') throw new Error('ssh 10.0.0.2: connect to host 10.0.0.2 port 22: Connection refused\nmore');
        if (n === 'hangs') await new Promise(() => {}); // ignores its signal: the deadline still holds
        await sleep(10, signal);
        return 1;
      },
    );
    expect(out.map((r) => [r.name, r.ok, r.error ?? null, r.timedOut ?? false])).toEqual([
      ['ok', true, null, false],
      ['refused', false, 'ssh 10.0.0.2: connect to host 10.0.0.2 port 22: Connection refused', false],
      ['hangs', false, 'timed out after 0.15 s', true],
    ]);
    expect(events).toContain('hangs:failed:timed out after 0.15 s');
    expect(events.filter((e) => e.endsWith(':waiting'))).toHaveLength(3);
  });
});
