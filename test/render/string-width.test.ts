// bin/string-width.cjs, the string-width the single executable's bundles use (scripts/sea.sh aliases it): it must
// answer exactly what string-width 4.2.3 answers, for any string. The expected answers come from string-width
// itself; the tables are drawn by cli-table3 twice, bundled by esbuild as scripts/sea.sh does, with and without the
// alias, and must be the same bytes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { styleText } from 'node:util';
import { build } from 'esbuild';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '../..');
const width = require(join(ROOT, 'bin/string-width.cjs')) as (s: unknown) => number;
// the string-width cli-table3 itself loads
const fromTable = createRequire(require.resolve('cli-table3'));
const stringWidth = fromTable('string-width') as (s: string) => number;

const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
// the characters it answers itself: printable ASCII and cli-table3's truncation mark
const oneColumn = [...printable, '…'];
// what string-width treats specially: escape sequences, controls, combining marks, wide and emoji characters
const special = ['\x1b[31m', '\x1b[0m', '\x1b]8;;http://x\x07', '\x9b1m', '\t', '\n', '\x00', '\x7f', '\x85', '\u0301', '\u0300', '中', '文', 'ア', '한', '\uff21', '👍', '👨‍👩‍👧', '🇩🇪', '#\ufe0f\u20e3', '1\ufe0f', '\ufe0f', '\u20e3', '\u200d', '…', '—', '✓', '\ud800'];
const mixed = fc.string({ unit: fc.oneof(fc.constantFrom(...printable), fc.constantFrom(...special)), maxLength: 40 });

describe('bin/string-width.cjs answers what string-width answers', () => {
  it('falls back to the string-width cli-table3 loads, version 4.2.3', () => {
    expect(require.resolve(join(ROOT, 'node_modules/string-width/index.js'))).toBe(fromTable.resolve('string-width'));
    expect((fromTable('string-width/package.json') as { version: string }).version).toBe('4.2.3');
  });

  it('every string of one or two printable ASCII characters and …', () => {
    for (const a of oneColumn) {
      expect(width(a)).toBe(stringWidth(a));
      for (const b of oneColumn) expect(width(a + b)).toBe(stringWidth(a + b));
    }
  });

  it('any string: ASCII, any code point, and ASCII mixed with what string-width treats specially', () => {
    for (const arb of [fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }), mixed]) {
      fc.assert(
        fc.property(arb, (s) => {
          expect(width(s)).toBe(stringWidth(s));
        }),
        { numRuns: 2000 },
      );
    }
  });

  it('what is not a string', () => {
    for (const v of [undefined, null, 0, 12, {}, []]) expect(width(v)).toBe(stringWidth(v as string));
  });
});

type RenderTable = typeof import('../../src/render/table.js').renderTable;

describe('cli-table3 draws the same bytes with and without it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flanctl-sw-'));
  let plain: RenderTable;
  let aliased: RenderTable;

  /** src/render/table.ts bundled as scripts/sea.sh bundles the CLI, with or without the alias */
  async function bundle(name: string, alias: Record<string, string>): Promise<RenderTable> {
    const out = join(dir, `${name}.cjs`);
    const r = await build({ entryPoints: [join(ROOT, 'src/render/table.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, keepNames: true, alias, write: false, logLevel: 'silent' });
    writeFileSync(out, r.outputFiles[0].text);
    return (require(out) as { renderTable: RenderTable }).renderTable;
  }

  beforeAll(async () => {
    plain = await bundle('plain', {});
    aliased = await bundle('aliased', { 'string-width': join(ROOT, 'bin/string-width.cjs') });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const red = (l: string): string => styleText('red', l, { validateStream: false });
  const head = ['step', 'device', 'verdict', 'evidence'];
  const rows: string[][] = [
    ['route', 'flannel.1', 'ok', '10.27.13.0/24 via 10.27.13.0 dev flannel.1 onlink (longest matching prefix /24)'],
    ['节点', 'cni0', '中文路由', '路由表中没有 10.244.1.0/24 的条目，请检查 flanneld 的日志'],
    ['emoji 👍', 'flannel.1', '✓ ok', 'family 👨‍👩‍👧 flag 🇩🇪 keycap #\ufe0f\u20e3 — done…'],
    ['combining', 'e\u0301th0', 'cafe\u0301', 'n\u0303 a\u0300 o\u0308 stacked a\u0301\u0302\u0303 marks'],
    ['ansi', '\x1b[1mbold\x1b[22m', '\x1b[31mbroken\x1b[39m', 'a \x1b[32mgreen\x1b[39m word in a long line that is wrapped'],
    ['controls', 'tab\there', 'x\x7fy', 'line one\nline two\nline three'],
    ['', '', '', ''],
  ];

  it.each([undefined, 120, 60, 40, 20])('width %s, plain and coloured', (w) => {
    for (const colour of [false, true]) {
      const o = { width: w, colour, paint: { 2: red, 3: red } };
      const expected = plain(head, rows, o);
      expect(aliased(head, rows, o)).toBe(expected);
    }
  });

  it('random cells of ASCII and special characters', () => {
    const cells = fc.array(fc.array(mixed, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(cells, fc.option(fc.integer({ min: 20, max: 160 }), { nil: undefined }), fc.boolean(), (body, w, colour) => {
        const o = { width: w, colour, paint: { 1: red } };
        expect(aliased(head, body, o)).toBe(plain(head, body, o));
      }),
      { numRuns: 300 },
    );
  });
});
