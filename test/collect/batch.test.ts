// Batching the iproute2 reads: which steps share a process (read off the step list in src/collect/commands.ts),
// and splitting a batch's output back into one text per command.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planBatches, slices, splitBatchOutput } from '../../src/collect/batch.js';
import { STEPS, type Step } from '../../src/collect/commands.js';
import { NETNS_IDS_STEP } from '../../src/collect/pods.js';

const step = (name: string, argv: string[]): Step => ({ name, attempts: [{ argv, form: 'json', file: `${name}.txt`, apply: () => undefined }] });

describe('planBatches', () => {
  it('the live step list: ip -j reads in one ip, bridge -j reads in one bridge, ip -j -d link and the other programs alone', () => {
    const { batches, single } = planBatches([...STEPS, NETNS_IDS_STEP]);
    const ip = batches.find((b) => b.argv[0] === 'ip');
    const bridge = batches.find((b) => b.argv[0] === 'bridge');
    expect(ip?.argv).toEqual(['ip', '-j', '-force', '-batch', '-']);
    expect(Object.fromEntries(ip!.steps.map((s, i) => [s.name, ip!.lines[i]]))).toMatchObject({
      'ip-addr': 'addr show',
      'ip-route': 'route show table main',
      'ip-neigh': 'neigh show',
      'netns-list-id': 'netns list-id',
    });
    expect(bridge).toMatchObject({ argv: ['bridge', '-j', '-force', '-batch', '-'], lines: ['fdb show', 'link show'] });
    expect(bridge!.steps.map((s) => s.name)).toEqual(['bridge-fdb', 'bridge-link']);
    // -d would change `ip -j route` (it adds the route type); brctl, iptables-save, nft, sysctl, uname are no iproute2 reads
    expect(single.map((s) => s.name)).toEqual(expect.arrayContaining(['ip-link', 'brctl-show', 'iptables-save', 'nft', 'sysctl', 'kernel']));
    expect(single.map((s) => s.name)).not.toEqual(expect.arrayContaining(['ip-addr', 'ip-route', 'ip-neigh', 'bridge-fdb', 'bridge-link', 'netns-list-id']));
  });

  it('puts link show after addr show (iproute2 6.1 lists no addresses after a link show in the same batch)', () => {
    const { batches } = planBatches([step('l', ['ip', '-j', 'link', 'show']), step('a', ['ip', '-j', 'addr', 'show']), step('r', ['ip', '-j', 'route', 'show'])]);
    expect(batches[0].lines).toEqual(['addr show', 'route show', 'link show']);
    expect(batches[0].steps.map((s) => s.name)).toEqual(['a', 'r', 'l']);
  });

  it('groups by program and options; a lone read, text output, options with values and unsafe words run alone', () => {
    const { batches, single } = planBatches([
      step('v4', ['ip', '-j', 'route', 'show']),
      step('v6', ['ip', '-6', '-j', 'route', 'show']),
      step('v6n', ['ip', '-6', '-j', 'neigh', 'show']),
      step('text', ['ip', 'addr', 'show']),
      step('ns', ['ip', '-n', 'x', '-j', 'addr', 'show']),
      step('quote', ['ip', '-j', 'route', 'show', "'x"]),
      step('hash', ['ip', '-j', 'route', 'show', '#']),
      step('other', ['ss', '-j', 'x']),
    ]);
    expect(batches.map((b) => [b.argv, b.lines])).toEqual([[['ip', '-6', '-j', '-force', '-batch', '-'], ['route show', 'neigh show']]]);
    expect(single.map((s) => s.name).sort()).toEqual(['hash', 'ns', 'other', 'quote', 'text', 'v4']);
  });
});

describe('splitBatchOutput', () => {
  const jsonLine = fc.array(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.array(fc.string()))), { maxLength: 4 }).map((a) => JSON.stringify(a));

  it('gives back each command its own output, newline included (property)', () => {
    fc.assert(
      fc.property(fc.array(jsonLine, { minLength: 1, maxLength: 8 }), (outs) => {
        expect(splitBatchOutput(outs.map((o) => `${o}\n`).join(''), outs.length)).toEqual(outs.map((o) => `${o}\n`));
      }),
    );
  });

  it('refuses output that is not exactly one JSON array per command (property: the steps then run alone)', () => {
    fc.assert(
      fc.property(fc.array(jsonLine, { minLength: 1, maxLength: 8 }), fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0), (outs, d) => {
        expect(splitBatchOutput(outs.map((o) => `${o}\n`).join(''), outs.length + d)).toBeUndefined();
      }),
    );
    expect(splitBatchOutput('[]\n[]', 2)).toBeUndefined();
    expect(splitBatchOutput('[]\nCommand failed -:2\n', 2)).toBeUndefined();
    expect(splitBatchOutput('', 1)).toBeUndefined();
  });
});

describe('slices (the pods read side by side)', () => {
  it('20 pods, 8 a slice, 2 cores: two slices of 10; 3 pods: one; 100 pods on 4 cores: four of 25', () => {
    const n = (k: number): number[] => Array.from({ length: k }, (_, i) => i);
    expect(slices(n(20), 8, 2)).toEqual([n(10), n(10).map((i) => i + 10)]);
    expect(slices(n(3), 8, 2)).toEqual([n(3)]);
    expect(slices(n(100), 8, 4).map((s) => s.length)).toEqual([25, 25, 25, 25]);
    expect(slices([], 8, 2)).toEqual([]);
  });

  it('property: every item once, in order, no slice empty, ceil(n / per) slices but at most max, sizes within one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 16 }), (items, per, max) => {
        const out = slices(items, per, max);
        expect(out.flat()).toEqual(items);
        expect(out.every((s) => s.length > 0)).toBe(true);
        expect(out.length).toBe(Math.min(max, Math.ceil(items.length / per)));
        const sizes = out.map((s) => s.length);
        if (sizes.length) expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
