// Wrapping and column fitting: properties any layout must keep (nothing lost, nothing wider than asked),
// and the cases a person can check by eye.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitColumns, fitText, visibleLength, wrapText } from '../../src/render/layout.js';
import { renderTable } from '../../src/render/table.js';

const word = fc.string({ minLength: 1, maxLength: 30, unit: fc.constantFrom(...'abcdefghij0123456789:./-'.split('')) });
const words = fc.array(word, { minLength: 1, maxLength: 40 }).map((w) => w.join(' '));

describe('wrapText', () => {
  it('no piece is wider than the width, and the words come back in order', () => {
    fc.assert(
      fc.property(words, fc.integer({ min: 1, max: 120 }), (text, width) => {
        const pieces = wrapText(text, width);
        expect(pieces.every((p) => visibleLength(p) <= width)).toBe(true);
        expect(pieces.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
      }),
    );
  });

  it('breaks at spaces, and inside a word only when the word is longer than the line', () => {
    expect(wrapText('10.18.19.0/24 dev bond0; 10.18.19.129 not in the ARP cache', 24)).toEqual(['10.18.19.0/24 dev bond0;', '10.18.19.129 not in the', 'ARP cache']);
    expect(wrapText('aaaaaaaaaa bb', 4)).toEqual(['aaaa', 'aaaa', 'aa', 'bb']);
  });
});

describe('fitText', () => {
  it('keeps short lines and the indent of wrapped ones', () => {
    expect(fitText('short\n    fix: ip neigh replace 10.244.3.0 dev flannel.1', 30)).toBe('short\n    fix: ip neigh replace\n      10.244.3.0 dev flannel.1');
  });
  it('leaves the text alone without a width', () => {
    const long = 'x '.repeat(200);
    expect(fitText(long, undefined)).toBe(long);
  });
});

describe('fitColumns', () => {
  it('keeps natural widths that fit', () => {
    expect(fitColumns([5, 10, 20], 40)).toEqual([5, 10, 20]);
  });
  it('narrow columns keep their width, the wide ones share the rest', () => {
    expect(fitColumns([12, 12, 7, 91], 64)).toEqual([12, 12, 7, 33]);
    expect(fitColumns([4, 50, 50], 44)).toEqual([4, 20, 20]);
  });
  it('never more than available when every column can reach the minimum', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 60, max: 300 }), (natural, available) => {
        const w = fitColumns(natural, available);
        expect(w.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(available);
        w.forEach((x, i) => expect(x).toBeLessThanOrEqual(natural[i]));
      }),
    );
  });
});

describe('renderTable with a width', () => {
  it('every line fits, and every cell word is still there', () => {
    const detail = '10.27.13.0/24 via 10.27.13.0 dev flannel.1 onlink (longest matching prefix /24)';
    const out = renderTable(['step', 'device', 'verdict', 'evidence'], [['route', 'flannel.1', 'ok', detail]], { width: 50 });
    expect(out.split('\n').every((l) => [...l].length <= 50)).toBe(true);
    for (const w of detail.split(' ')) expect(out).toContain(w);
  });
});
