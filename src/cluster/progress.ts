// One progress line per node on stderr, redrawn in place — only on a terminal (never in pipes, logs, --json).
import type { NodeState } from './fanout.js';

export interface NodeProgress {
  onEvent(name: string, state: NodeState, detail?: string): void;
  done(): void;
}

const MARK: Record<NodeState, string> = { waiting: ' ', running: '…', done: '✓', failed: '✗' };
const BAR = 12;

export function nodeProgress(names: string[], label: string, stream: NodeJS.WriteStream = process.stderr): NodeProgress {
  if (!stream.isTTY || names.length === 0) return { onEvent: () => {}, done: () => {} };
  const rows = new Map(names.map((n) => [n, { state: 'waiting' as NodeState, detail: '', started: 0, ended: 0 }]));
  const width = Math.max(...names.map((n) => n.length));
  let drawn = false;
  const draw = (): void => {
    const now = performance.now();
    const lines = [...rows].map(([name, r]) => {
      const secs = r.started ? ((r.ended || now) - r.started) / 1000 : 0;
      // a running node's bar fills with elapsed time; finished ones are full
      const fill = r.state === 'done' || r.state === 'failed' ? BAR : r.state === 'running' ? Math.min(BAR - 1, Math.floor(secs * 2)) : 0;
      const bar = '#'.repeat(fill) + '-'.repeat(BAR - fill);
      return `${MARK[r.state]} ${name.padEnd(width)} [${bar}] ${r.state}${r.started ? ` ${secs.toFixed(1)} s` : ''}${r.detail ? `: ${r.detail}` : ''}`;
    });
    const cols = Math.max(20, (stream.columns ?? 80) - 1);
    stream.write((drawn ? `\x1b[${lines.length + 1}A` : '') + [label, ...lines].map((l) => `\r\x1b[K${l.slice(0, cols)}\n`).join(''));
    drawn = true;
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  return {
    onEvent(name, state, detail) {
      const r = rows.get(name);
      if (!r) return;
      if (state === 'running') r.started = performance.now();
      if (state === 'done' || state === 'failed') r.ended = performance.now();
      r.state = state;
      r.detail = detail ?? '';
      draw();
    },
    done() {
      clearInterval(timer);
      if (drawn) draw();
    },
  };
}
