// prefix() (parse/common.ts) reads a route's destination: `default`, a bare address, or ADDR/LEN. The answer from
// outside: the model's own Cidr schema (zod) says which IPv4 texts are prefixes, and a prefix is kept as written.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { Cidr } from '../../src/model/net.js';
import { prefix, splitRows } from '../../src/parse/common.js';
import { mutated } from './mutate.js';

const read = (t: string): string | undefined => {
  try {
    return prefix('ip route', t);
  } catch (e) {
    if (e instanceof ParseError) return undefined;
    throw e;
  }
};

describe('prefix', () => {
  it('keeps every IPv4 prefix the model takes as written, and takes nothing else with a slash (mutated prefixes, property)', () => {
    const text = mutated(['10.244.3.0/24', '0.0.0.0/0', '255.255.255.255/32', '192.168.1.10/32', '1.2.3.4/8', '10.0.0.0/05'], ['0', '1', '2', '3', '5', '9', '.', '/', ' ', 'a', ':', '-', '00', '25', '256']);
    fc.assert(
      fc.property(text, (t) => {
        if (!t.includes('/') || t.includes(':')) return;
        const valid = Cidr.safeParse(t).success && Number(t.split('/')[1]) <= 32 && /^\d{1,2}$/.test(t.split('/')[1]);
        expect(read(t), t).toBe(valid ? t : undefined);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads default and a bare address as iproute2 means them', () => {
    expect(read('default')).toBe('0.0.0.0/0');
    expect(prefix('ip route', 'default', undefined, true)).toBe('::/0');
    expect(read('10.1.2.3')).toBe('10.1.2.3/32');
    expect(read('fd00::1')).toBe('fd00::1/128');
  });
});

describe('splitRows', () => {
  it('splits as text.split(/\\r?\\n/) does (property; the regex is the definition)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', ' ', '\r', '\n', '\r\n', '\u2028', 'é'), { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        expect(splitRows(text)).toEqual(text.split(/\r?\n/));
      }),
      { numRuns: 2000 },
    );
  });
});
