import Table from 'cli-table3';
import { fitColumns, type View, visibleLength, wrapText } from './layout.js';

type Cell = string | number | boolean | undefined;

export interface TableOptions extends View {
  /** colour for the lines of a column's cells (applied after wrapping, so widths stay right) */
  paint?: Record<number, (line: string) => string>;
}

/**
 * A plain table that pastes cleanly into a ticket (no colours unless asked), sized to `width`: the wide columns
 * (evidence, summaries) are wrapped at word boundaries so no line is wider than the terminal.
 */
export function renderTable(head: string[], rows: Cell[][], o: TableOptions = {}): string {
  const text = rows.map((row) => head.map((_, i) => (row[i] === undefined ? '' : String(row[i]))));
  // each column: 2 of padding, 1 of border; one more border at the right
  const natural = head.map((h, i) => Math.max(visibleLength(h), ...text.map((r) => Math.max(...r[i].split('\n').map(visibleLength)))));
  const widths = o.width === undefined ? natural : fitColumns(natural, o.width - 3 * head.length - 1);
  const cell = (s: string, i: number, paint?: (line: string) => string): string =>
    s
      .split('\n')
      .flatMap((l) => wrapText(l, widths[i]))
      .map((l) => (paint && l ? paint(l) : l))
      .join('\n');
  const table = new Table({
    head: head.map((h, i) => cell(h, i)),
    colWidths: widths.map((w) => w + 2),
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of text) table.push(row.map((c, i) => cell(c, i, o.colour ? o.paint?.[i] : undefined)));
  return table.toString();
}
