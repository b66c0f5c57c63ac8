// SectionReader.unfinished(): when the launcher is stopped at its time limit, the section that began and never
// ended is the program that hung, and its text is what that program printed until then. The streams are written as
// frame.ts's header says step() prints them (`\n@@flanctl-NONCE begin NAME\n`, the output, `\n@@flanctl-NONCE end
// NAME RC ERR\n`), cut into pieces at arbitrary points; the expected text is the generated output itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SectionReader } from '../../src/collect/frame.js';

const NONCE = '0123456789abcdef';
const begin = (name: string): string => `\n@@flanctl-${NONCE} begin ${name}\n`;
const end = (name: string, rc: number): string => `\n@@flanctl-${NONCE} end ${name} ${rc} \n`;
// a program's output: lines that are not markers, with or without a final newline
const line = fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).filter((l) => !l.includes('\n') && !l.startsWith('@@flanctl'));
const output = fc.tuple(fc.array(line, { maxLength: 6 }), fc.boolean()).map(([lines, nl]) => lines.join('\n') + (nl && lines.length > 0 ? '\n' : ''));
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);

/** `text` pushed in pieces cut at `cuts` (positions, any order). */
function pushed(text: string, cuts: number[]): SectionReader {
  const r = new SectionReader(NONCE);
  const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...at, text.length]) {
    r.push(text.slice(from, to));
    from = to;
  }
  return r;
}

describe('SectionReader.unfinished', () => {
  it('a section that began and did not end: its name and everything its program printed, after any sections that ended', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, output), { maxLength: 3 }), name, output, fc.array(fc.nat(), { maxLength: 6 }), (done, hung, printed, cuts) => {
        const text = done.map(([n, o]) => begin(n) + o + end(n, 0)).join('') + begin(hung) + printed;
        expect(pushed(text, cuts).unfinished()).toEqual({ name: hung, text: printed });
      }),
    );
  });

  it('every section ended, or none began: nothing unfinished', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, output), { maxLength: 3 }), fc.array(fc.nat(), { maxLength: 6 }), (done, cuts) => {
        const text = 'noise before\n' + done.map(([n, o]) => begin(n) + o + end(n, 1)).join('');
        expect(pushed(text, cuts).unfinished()).toBeUndefined();
      }),
    );
  });

  it("a pods slice stopped in its third pod: two complete JSON lines, then the third's partial line", () => {
    const printed = '[{"ifname":"lo"}]\n[{"ifname":"eth0"}]\n[{"ifna';
    const got = pushed(begin('pods-5') + printed, [7, 40, 71]).unfinished();
    expect(got?.text.split('\n').slice(0, -1)).toEqual(['[{"ifname":"lo"}]', '[{"ifname":"eth0"}]']);
  });
});
