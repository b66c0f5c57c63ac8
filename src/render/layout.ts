// Fitting human output to the terminal: wrap text at word boundaries, share a table's width among its columns.
// Pure: the width comes from the caller (cli/terminal.ts reads the terminal). Widths are counted in code
// points, ANSI colour codes excluded; flanctl's output is ASCII apart from a few one-column symbols (— … ✓).

export interface View {
  /** columns available; undefined: no limit (tests, pipes into files with no COLUMNS are given a default) */
  width?: number;
  /** colour verdicts (a terminal, NO_COLOR unset) */
  colour?: boolean;
}

// eslint-disable-next-line no-control-regex -- the ANSI colour sequences render/colour.ts writes
const ANSI = /\x1b\[[0-9;]*m/g;

export const visibleLength = (s: string): number => [...s.replace(ANSI, '')].length;

/** One line cut into pieces of at most `width` columns: at spaces when it can, inside a word when it must. */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  if (visibleLength(text) <= w) return [text];
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (visibleLength(candidate) <= w) {
      line = candidate;
      continue;
    }
    if (line !== '') out.push(line);
    line = word;
    // a word longer than the line (a long rule, a path) is cut
    while (visibleLength(line) > w) {
      const chars = [...line];
      out.push(chars.slice(0, w).join(''));
      line = chars.slice(w).join('');
    }
  }
  if (line !== '' || out.length === 0) out.push(line);
  return out;
}

/** Every line of `text` that is wider than `width`, wrapped; continuation lines keep the indent plus two. */
export function fitText(text: string, width: number | undefined): string {
  if (width === undefined) return text;
  return text
    .split('\n')
    .flatMap((line) => {
      if (visibleLength(line) <= width) return [line];
      const indent = /^ */.exec(line)![0];
      const more = indent.length + 2 < width / 2 ? `${indent}  ` : '';
      const [first, ...rest] = wrapText(line.slice(indent.length), width - indent.length);
      const tail = rest.join(' ');
      return [indent + first, ...(tail ? wrapText(tail, width - more.length).map((l) => more + l) : [])];
    })
    .join('\n');
}

/**
 * Column widths (content only) that fit `available` columns of content: columns narrower than their fair share
 * keep their natural width, the wide ones share the rest equally (water-filling), none below `min`.
 */
export function fitColumns(natural: number[], available: number, min = 6): number[] {
  if (natural.reduce((a, b) => a + b, 0) <= available) return natural;
  const order = natural.map((w, i) => [w, i]).sort((a, b) => a[0] - b[0]);
  const out = [...natural];
  let left = available;
  let count = natural.length;
  for (const [w, i] of order) {
    const share = Math.floor(left / count);
    out[i] = Math.max(Math.min(w, Math.max(share, min)), Math.min(w, min));
    left -= out[i];
    count--;
  }
  return out;
}
