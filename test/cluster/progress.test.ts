import { describe, expect, it } from 'vitest';
import { nodeProgress } from '../../src/cluster/progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 80, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

describe('nodeProgress', () => {
  it('draws one line per node on a terminal, redrawn in place, with the failure reason', () => {
    const { writes, stream } = fakeStream(true);
    const p = nodeProgress(['node1', 'node22'], 'collecting', stream);
    p.onEvent('node1', 'running');
    p.onEvent('node22', 'running');
    p.onEvent('node1', 'done');
    p.onEvent('node22', 'failed', 'timed out after 3 s');
    p.done();
    const last = writes[writes.length - 1];
    expect(writes[0].startsWith('\x1b[')).toBe(false);
    expect(last.startsWith('\x1b[3A')).toBe(true);
    const ESC = String.fromCharCode(27);
    const lines = last.split('\n').map((l) => l.replaceAll(`\r${ESC}[K`, '').replace(new RegExp(`${ESC}\\[\\d+A`), ''));
    expect(lines[0]).toBe('collecting');
    expect(lines[1]).toMatch(/^✓ node1 {2}\[#{12}\] done \d+\.\d s$/);
    expect(lines[2]).toMatch(/^✗ node22 \[#{12}\] failed \d+\.\d s: timed out after 3 s$/);
  });

  it('writes nothing when stderr is not a terminal', () => {
    const { writes, stream } = fakeStream(false);
    const p = nodeProgress(['node1'], 'collecting', stream);
    p.onEvent('node1', 'running');
    p.done();
    expect(writes).toEqual([]);
  });
});
