// drawTable pushes a row of multi-line cells as one cli-table3 row per line (cli-table3 measures a whole cell again
// for every line it draws). The answer it must give comes from cli-table3 itself: the same cells pushed as
// multi-line cells, with the same options, drawn by cli-table3 — byte for byte, painted or not, truncated or not.
import Table from 'cli-table3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawBox } from '../../src/render/box.js';
import { drawTable, tableOptions } from '../../src/render/table.js';

/** cli-table3 drawing each row's cells as the multi-line cells they are */
function multiLine(head: string[], rows: string[][], widths: number[]): string {
  const table = new Table({ head, ...tableOptions(widths) });
  for (const row of rows) table.push(row);
  return table.toString();
}

// colours as render/colour.ts (node:util styleText) writes them: opened and closed on the line (one style, or two nested)
const paints = [(l: string) => l, (l: string) => `\x1b[31m${l}\x1b[39m`, (l: string) => `\x1b[1m\x1b[33m${l}\x1b[39m\x1b[22m`, (l: string) => `\x1b[32m${l}\x1b[39m`];
const unit = fc.constantFrom(...'abcdefghij0123456789 :./-'.split(''), '…', '—', '中', '👍', 'e\u0301');
const line = fc.string({ unit, maxLength: 30 });
const text = fc.array(line, { minLength: 1, maxLength: 5 }).map((ls) => ls.join('\n'));

/** Tables of 1–4 columns: a head, up to `maxRows` rows, and per column one `column` value and one of `paints`. */
function tables(head: fc.Arbitrary<string>, cell: fc.Arbitrary<string>, maxRows: number, column: fc.Arbitrary<number>) {
  return fc.integer({ min: 1, max: 4 }).chain((n) =>
    fc.record({
      head: fc.array(head, { minLength: n, maxLength: n }),
      rows: fc.array(fc.array(cell, { minLength: n, maxLength: n }), { maxLength: maxRows }),
      column: fc.array(column, { minLength: n, maxLength: n }),
      paint: fc.array(fc.integer({ min: 0, max: paints.length - 1 }), { minLength: n, maxLength: n }),
    }),
  );
}

describe('drawTable draws what cli-table3 draws for multi-line cells', () => {
  it('any cells, widths (narrower than the text too) and line colours', () => {
    fc.assert(
      fc.property(
        tables(line, text, 5, fc.integer({ min: 1, max: 40 })),
        ({ head, rows, column: widths, paint }) => {
          const painted = rows.map((row) => row.map((c, i) => c.split('\n').map((l) => (l ? paints[paint[i]](l) : l)).join('\n')));
          expect(drawTable(head, painted, widths, rows)).toBe(multiLine(head, painted, widths));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a row's own unclosed colour still runs on across its lines, as cli-table3 carries it", () => {
    const rows = [['\x1b[31mred\nstill red', 'x'], ['plain', 'y\nz']];
    const out = drawTable(['a', 'b'], rows, [10, 3]);
    expect(out).toBe(multiLine(['a', 'b'], rows, [10, 3]));
    // cli-table3 reopens the colour on the second line and closes it on each
    expect(out.split('\n').find((l) => l.includes('still red'))).toContain('\x1b[31mstill red');
  });

  it('plain lines (printable ASCII, fitting, colours closed on the line) are drawn by render/box.ts, as cli-table3 draws them', () => {
    const ascii = fc.string({ unit: fc.constantFrom(...'abcdefghij0123456789 :./-…'.split('')), maxLength: 12 });
    fc.assert(
      fc.property(
        tables(ascii, ascii, 6, fc.integer({ min: 0, max: 5 })),
        ({ head, rows, column: extra, paint }) => {
          const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + extra[i]);
          const painted = rows.map((row) => row.map((c, i) => (c ? paints[paint[i]](c) : c)));
          const box = drawBox(head, painted, widths);
          expect(box).toBeTypeOf('string');
          expect(box).toBe(multiLine(head, painted, widths));
          expect(drawTable(head, painted, widths, rows)).toBe(box);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves to cli-table3 what it draws otherwise: a colour left open, a line too long, a wide character, several lines', () => {
    for (const [cell, width] of [['\x1b[31mopen', 4], ['\x1b[1mbold', 4], ['\x1b[44mbg\x1b[0m\x1b[45m', 2], ['toolong', 3], ['中', 2], ['a\nb', 1], ['\x1b]8;;x\x07a', 1]] as const) {
      expect(drawBox(['h'], [[cell]], [width])).toBeUndefined();
      expect(drawTable(['h'], [[cell]], [width], [['']])).toBe(multiLine(['h'], [[cell]], [width]));
    }
    // closed again (reset, or the closing codes cli-table3 looks for): drawn here, the same
    for (const cell of ['\x1b[31mred\x1b[0m', '\x1b[41mbg\x1b[49m', '\x1b[4mu\x1b[24m\x1b[90mx\x1b[39m']) {
      expect(drawBox(['h'], [[cell]], [5])).toBe(multiLine(['h'], [[cell]], [5]));
    }
  });
});
