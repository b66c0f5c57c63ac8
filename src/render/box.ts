// The table cli-table3 draws with render/table.ts's options, drawn here for the common case: every cell one line of
// printable ASCII once its colour codes are stripped, fitting its column, with every colour it opens closed on it.
// cli-table3 ran ≈ 3 ms of code for the seed trace's one small table in a fresh process (options merged per cell, a
// layout built for spans these tables never have); this is a few string operations. Anything else (wide or combining
// characters, a line too long for its column, a colour left open, a cell of several lines) stays cli-table3's, and
// test/render/table.test.ts holds the two byte for byte equal.

// the SGR sequences cli-table3 strips to measure a line and reads to carry colours (its utils.codeRegex)
// eslint-disable-next-line no-control-regex -- escape sequences are what it matches
const SGR = /\u001b\[((?:\d*;){0,5}\d*)m/g;
// one column each, as string-width counts them (bin/string-width.cjs answers these itself too)
const ONE_COLUMN = /^[\x20-\x7e\u2026]*$/;
// the attributes cli-table3 tracks (utils.codeCache), each turned on and off by one exact sequence
const ATTRS: Record<string, [string, boolean]> = {
  '\x1b[1m': ['bold', true],
  '\x1b[22m': ['bold', false],
  '\x1b[3m': ['italics', true],
  '\x1b[23m': ['italics', false],
  '\x1b[4m': ['underline', true],
  '\x1b[24m': ['underline', false],
  '\x1b[7m': ['inverse', true],
  '\x1b[27m': ['inverse', false],
  '\x1b[9m': ['strikethrough', true],
  '\x1b[29m': ['strikethrough', false],
};

/** Does the line leave no colour or attribute on, as cli-table3 reads it (utils.readState)? It appends closing codes otherwise. */
function closed(line: string): boolean {
  let fg: string | undefined;
  let bg: string | undefined;
  const on = new Map<string, boolean>();
  for (const m of line.matchAll(SGR)) {
    const code = m[1] ? parseInt(m[1].split(';')[0]) : 0;
    if ((code >= 30 && code <= 39) || (code >= 90 && code <= 97)) fg = m[0];
    else if ((code >= 40 && code <= 49) || (code >= 100 && code <= 107)) bg = m[0];
    else if (code === 0) {
      fg = undefined;
      bg = undefined;
      on.clear();
    } else if (ATTRS[m[0]]) on.set(ATTRS[m[0]][0], ATTRS[m[0]][1]);
  }
  return ![...on.values()].some(Boolean) && (fg === undefined || fg === '\x1b[39m') && (bg === undefined || bg === '\x1b[49m');
}

const rule = (widths: number[], left: string, mid: string, right: string): string => left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right;

/**
 * The table cli-table3 draws for `head` and single-line `rows` in columns of content width `widths` (compact, no
 * rule between rows, one space of padding each side), or undefined when a cell is one cli-table3 must draw.
 */
export function drawBox(head: string[], rows: string[][], widths: number[]): string | undefined {
  if (head.length === 0 || widths.length !== head.length || !widths.every((w) => Number.isSafeInteger(w) && w >= 0)) return undefined;
  const lines = [rule(widths, '┌', '┬', '┐')];
  for (const row of [head, ...rows]) {
    if (row.length !== widths.length) return undefined;
    let line = '│';
    for (let i = 0; i < row.length; i++) {
      const cell = row[i];
      const bare = cell.includes('\x1b') ? cell.replace(SGR, '') : cell;
      if (bare.length > widths[i] || !ONE_COLUMN.test(bare) || (bare !== cell && !closed(cell))) return undefined;
      line += ` ${cell}${' '.repeat(widths[i] - bare.length)} │`;
    }
    lines.push(line);
  }
  lines.push(rule(widths, '└', '┴', '┘'));
  return lines.join('\n');
}
