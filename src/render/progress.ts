// A one-line progress indicator on stderr, only when stderr is a terminal (never in pipes, logs or --json captures).

export type ProgressFn = (step: string, done: number, total: number) => void;

export interface Progress {
  update: ProgressFn;
  /** clear the line; call once when the work is over (also on failure) */
  done(): void;
}

export function stderrProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  let shown = false;
  return {
    update(step, done, total) {
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      stream.write(`\r\x1b[K${`${label} [${done}/${Math.max(done, total)}] ${step}`.slice(0, width)}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
