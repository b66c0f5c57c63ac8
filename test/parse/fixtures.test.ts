// One loop over every fixture: fixtures/<parser>/<case>.{txt,json} parsed by PARSERS[<parser>] must equal
// <case>.expected.json. An optional <case>.arg holds the parser's second argument (device / interface name).
// An expected file of the form {"parseError": "text"} asserts the input is rejected with a ParseError
// whose message contains that text.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { PARSERS, parserFor } from '../../src/parse/index.js';

const root = join(import.meta.dirname, '..', '..', 'fixtures');
// fixtures/ also holds other owners' folders (nodes/, pcap/): only parser names are parser fixtures
const dirs = Object.keys(PARSERS);

describe('fixtures', () => {
  it('every parser has a fixture folder', () => {
    expect(dirs.filter((d) => !existsSync(join(root, d)))).toEqual([]);
  });

  for (const dir of dirs) {
    const cases = readdirSync(join(root, dir)).filter((f) => /\.(txt|json|conflist)$/.test(f) && !f.endsWith('.expected.json'));
    describe(dir, () => {
      for (const file of cases) {
        const base = file.replace(/\.(txt|json|conflist)$/, '');
        it(file, () => {
          const expectedPath = join(root, dir, `${base}.expected.json`);
          expect(existsSync(expectedPath), `${dir}/${base}.expected.json is missing`).toBe(true);
          const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));
          const argPath = join(root, dir, `${base}.arg`);
          const arg = existsSync(argPath) ? readFileSync(argPath, 'utf8').trim() : undefined;
          const text = readFileSync(join(root, dir, file), 'utf8');
          const parse = () => parserFor(dir)(text, arg);
          if (expected && typeof expected === 'object' && 'parseError' in expected) {
            expect(parse).toThrow(ParseError);
            expect(parse).toThrow(expected.parseError);
          } else {
            expect(JSON.parse(JSON.stringify(parse()))).toEqual(expected);
          }
        });
      }
    });
  }
});
