// The catalogue of codes and the README agree: the README's table is the generated one, and every code-shaped
// name the README mentions elsewhere is a code of the catalogue (a renamed code cannot linger in the docs).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/model/codes.js';
import { withCodesTable } from '../../src/render/codes-table.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the catalogue of codes', () => {
  it('README carries the table generated from src/model/codes.ts (run `npx tsx scripts/codes-table.ts`)', () => {
    expect(readme).toBe(withCodesTable(readme));
  });

  it('every code the README names is in the catalogue', () => {
    // environment variables and subnet.env keys look like codes: FLANNEL_SUBNET, FLANCTL_JOURNAL_DIR…
    const named = [...readme.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((m) => m[1]).filter((n) => !/^(FLANNEL|FLANCTL|KUBE|NO|CI)_/.test(n));
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((n) => !Object.hasOwn(CODES, n))).toEqual([]);
  });
});
