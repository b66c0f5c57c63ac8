import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/pcap/progress.js';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { isTTY, text: '', write(chunk: string) { s.text += chunk; return true; } };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe('progress bar', () => {
  it('draws on a terminal for a large file, and clears its line at the end', () => {
    const tty = fakeStream(true);
    const bar = progressBar(100 * 1048576, tty);
    expect(bar).toBeDefined();
    bar?.(50 * 1048576, 1_500_000);
    bar?.done();
    expect(tty.text).toContain('\rdecode [###############               ]  50% 1.5M packets');
    expect(tty.text.endsWith('\r\x1b[K')).toBe(true);
  });

  it('stays quiet when stderr is not a terminal, or the file is small', () => {
    expect(progressBar(100 * 1048576, fakeStream(false))).toBeUndefined();
    expect(progressBar(1048576, fakeStream(true))).toBeUndefined();
  });
});
