// Run one job per node, at most `parallel` at a time, each under its own deadline. A node that fails
// or times out is a result, not an exception: the others carry on (partial results).
import { mapLimit } from '../collect/limit.js';
import { FlanctlError } from '../errors.js';

export type NodeState = 'waiting' | 'running' | 'done' | 'failed';

export interface NodeOutcome<R> {
  name: string;
  ok: boolean;
  value?: R;
  error?: string;
  timedOut?: boolean;
  ms: number;
}

export interface FanOutOptions {
  parallel: number;
  /** per node; the job's signal is aborted when it passes */
  timeoutMs: number;
  onEvent?: (name: string, state: NodeState, detail?: string) => void;
}

export async function fanOut<R>(
  names: string[],
  opts: FanOutOptions,
  job: (name: string, signal: AbortSignal) => Promise<R>,
): Promise<NodeOutcome<R>[]> {
  for (const n of names) opts.onEvent?.(n, 'waiting');
  return mapLimit(names, Math.max(1, opts.parallel), (name) => runOne(name, opts, job));
}

async function runOne<R>(name: string, opts: FanOutOptions, job: (name: string, signal: AbortSignal) => Promise<R>): Promise<NodeOutcome<R>> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new TimeoutError(opts.timeoutMs));
    }, opts.timeoutMs);
  });
  opts.onEvent?.(name, 'running');
  try {
    // the race guarantees the deadline even when a job ignores its signal
    const value = await Promise.race([job(name, controller.signal), deadline]);
    opts.onEvent?.(name, 'done');
    return { name, ok: true, value, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const timedOut = error instanceof TimeoutError || controller.signal.aborted;
    const message = timedOut ? `timed out after ${opts.timeoutMs / 1000} s` : errorLine(error);
    opts.onEvent?.(name, 'failed', message);
    return { name, ok: false, error: message, ...(timedOut ? { timedOut } : {}), ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

export function errorLine(error: unknown): string {
  if (error instanceof FlanctlError) return error.message + (error.hint ? ` (${error.hint})` : '');
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'failed';
}
