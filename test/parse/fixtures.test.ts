// Every parser fixture is checked against an answer from outside the parser: fixtures/<parser>/<case>.facts,
// written by a person reading the raw output (see test/parse/facts.ts), or for namespace captures
// (netns-*) the other form of the same output captured at the same moment (test/parse/agreement.test.ts).
// No expected file is generated from a parser. An optional <case>.arg holds the parser's second argument;
// an expected file {"parseError": "text"} asserts a rejection with a ParseError containing that text.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { PARSERS, parserFor } from '../../src/parse/index.js';
import { failedFacts, parseFacts } from './facts.js';

const root = join(import.meta.dirname, '..', '..', 'fixtures');
// fixtures/ also holds other owners' folders (nodes/, pcap/): only parser names are parser fixtures
const dirs = Object.keys(PARSERS);

describe('fixtures', () => {
  it('every parser has a fixture folder', () => {
    expect(dirs.filter((d) => !existsSync(join(root, d)))).toEqual([]);
  });

  for (const dir of dirs) {
    const files = readdirSync(join(root, dir));
    const cases = files.filter((f) => /\.(txt|json|conflist)$/.test(f) && !f.endsWith('.expected.json'));
    describe(dir, () => {
      it('no expected file copied from a parser\'s output', () => {
        const copied = files.filter((f) => f.endsWith('.expected.json') && !('parseError' in JSON.parse(readFileSync(join(root, dir, f), 'utf8'))));
        expect(copied, 'write <case>.facts by hand from the raw output instead').toEqual([]);
      });
      for (const file of cases) {
        const base = file.replace(/\.(txt|json|conflist)$/, '');
        const argPath = join(root, dir, `${base}.arg`);
        const arg = existsSync(argPath) ? readFileSync(argPath, 'utf8').trim() : undefined;
        const parse = () => parserFor(dir)(readFileSync(join(root, dir, file), 'utf8'), arg);
        const factsPath = join(root, dir, `${base}.facts`);
        const rejectPath = join(root, dir, `${base}.expected.json`);
        it(file, () => {
          if (existsSync(rejectPath)) {
            const { parseError } = JSON.parse(readFileSync(rejectPath, 'utf8'));
            expect(parse).toThrow(ParseError);
            expect(parse).toThrow(parseError);
            return;
          }
          if (!existsSync(factsPath)) {
            expect(base, `${dir}/${base}: no ${base}.facts (and not a namespace capture checked by agreement.test.ts)`).toMatch(/^netns-/);
            expect(parse).not.toThrow();
            return;
          }
          const facts = parseFacts(readFileSync(factsPath, 'utf8'));
          expect(facts.length, `${dir}/${base}.facts is empty`).toBeGreaterThan(0);
          expect(failedFacts(JSON.parse(JSON.stringify(parse())), facts)).toEqual([]);
        });
      }
    });
  }
});
