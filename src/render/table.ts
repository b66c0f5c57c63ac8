import Table from 'cli-table3';
import { drawBox } from './box.js';
import { fitColumns, type View, visibleLength, wrapText } from './layout.js';

type Cell = string | number | boolean | undefined;

export interface TableOptions extends View {
  /** colour for the lines of a column's cells (applied after wrapping, so widths stay right) */
  paint?: Record<number, (line: string) => string>;
}

/** cli-table3's options for content widths `widths`: no colours of its own, no rule between rows */
export function tableOptions(widths: number[]): Table.TableConstructorOptions {
  return {
    colWidths: widths.map((w) => w + 2),
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  };
}

/**
 * The table cli-table3 draws for cells of one or more lines. A row is pushed as one table row per line: cli-table3
 * measures a cell's whole text again for every line it draws (a debug-only truncate), so a cell of n lines cost n²
 * measurements (≈ 4,500 string-width calls for the seed trace's table, 490 this way). It draws the same: compact
 * style has no rule between rows, and a line whose colour is opened and closed on it carries nothing into the next.
 * A row whose `raw` text (before `paint`) holds an escape sequence of its own keeps cli-table3's multi-line cells,
 * which carry an unclosed colour across lines. Tables of plain lines are drawn by render/box.ts, the rest by cli-table3.
 */
export function drawTable(head: string[], rows: string[][], widths: number[], raw: string[][] = rows): string {
  const pushed: string[][] = [];
  rows.forEach((row, r) => {
    if (raw[r].some((c) => c.includes('\x1b'))) {
      pushed.push(row);
      return;
    }
    const lines = row.map((c) => c.split('\n'));
    const height = Math.max(...lines.map((l) => l.length));
    for (let l = 0; l < height; l++) pushed.push(lines.map((c) => c[l] ?? ''));
  });
  const box = drawBox(head, pushed, widths);
  if (box !== undefined) return box;
  const table = new Table({ head, ...tableOptions(widths) });
  for (const row of pushed) table.push(row);
  return table.toString();
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
  const cells = text.map((row) => row.map((c, i) => cell(c, i, o.colour ? o.paint?.[i] : undefined)));
  return drawTable(head.map((h, i) => cell(h, i)), cells, widths, text);
}
