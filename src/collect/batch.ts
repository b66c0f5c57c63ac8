// Many iproute2 reads in one process. `ip -batch -` (and `bridge -batch -`) reads one command per line on stdin;
// with -j every command prints one JSON array on one line (json_writer escapes newlines in strings and only -p
// pretty-prints; checked on iproute2 6.1), so the output splits back into one text per command by lines.
// `-force` keeps going after a failed command; the batch then exits 1 and its steps run one by one instead,
// as they do on an iproute2 without -j or -batch. Pure: the live collector runs what is planned here.
import type { Step } from './commands.js';

export interface Batch {
  /** the batch process: the program, the options its steps share, `-force -batch -` */
  argv: string[];
  /** one command per step, in step order, as written to stdin */
  lines: string[];
  steps: Step[];
}

const PROGRAMS = new Set(['ip', 'bridge']);
// global options that take no value: a step with any other (`-n NS`, `-b FILE`…) runs on its own
const FLAGS = new Set(['-j', '-d', '-4', '-6', '-s']);
// iproute2 splits a batch line on blanks and also reads quotes, `\` and `#` there: plain words only
const WORD = /^[A-Za-z0-9_.:/@+-]+$/;

/** The batch command line of one argv (`ip -j route show` → options [-j], line `route show`), or undefined. */
function batchLine(argv: string[]): { options: string[]; line: string } | undefined {
  const [program, ...args] = argv;
  if (!PROGRAMS.has(program)) return undefined;
  const at = args.findIndex((a) => !a.startsWith('-'));
  if (at < 0) return undefined;
  const options = args.slice(0, at);
  const command = args.slice(at);
  if (!options.includes('-j') || !options.every((o) => FLAGS.has(o)) || !command.every((w) => WORD.test(w))) return undefined;
  return { options, line: command.join(' ') };
}

// iproute2 6.1 keeps `link show`'s mode for the rest of a batch (ipaddr.c's static do_link): an `addr show`
// after it lists links without addresses. Links go last.
const linkLast = (a: { line: string }, b: { line: string }): number => Number(a.line.startsWith('link')) - Number(b.line.startsWith('link'));

/**
 * Group the steps whose first attempt is an `ip -j …` or `bridge -j …` read by program and options: one batch
 * per group of two or more. The rest (other programs, other options, a lone read) run as they are.
 */
export function planBatches(steps: Step[]): { batches: Batch[]; single: Step[] } {
  const groups = new Map<string, { options: string[]; entries: { step: Step; line: string }[] }>();
  const single: Step[] = [];
  for (const step of steps) {
    const argv = step.attempts[0].argv;
    const split = argv === undefined ? undefined : batchLine(argv);
    if (split === undefined) {
      single.push(step);
      continue;
    }
    const key = [argv![0], ...split.options].join(' ');
    const group = groups.get(key) ?? { options: split.options, entries: [] };
    group.entries.push({ step, line: split.line });
    groups.set(key, group);
  }
  const batches: Batch[] = [];
  for (const [key, { options, entries }] of groups) {
    if (entries.length < 2) {
      single.push(entries[0].step);
      continue;
    }
    entries.sort(linkLast);
    batches.push({ argv: [key.split(' ')[0], ...options, '-force', '-batch', '-'], lines: entries.map((e) => e.line), steps: entries.map((e) => e.step) });
  }
  return { batches, single };
}

/** `items` in consecutive slices of about `per` each, at most `max` of them, none empty, sizes within one (the pods' slices side by side). */
export function slices<T>(items: T[], per: number, max: number): T[][] {
  const count = Math.min(max, Math.ceil(items.length / per));
  return Array.from({ length: count }, (_, i) => items.slice(Math.floor((i * items.length) / count), Math.floor(((i + 1) * items.length) / count)));
}

/** One command's whole `-j` output on one line, as a batch prints it (a JSON array). */
export const isJsonLine = (line: string): boolean => line.startsWith('[') && line.endsWith(']');

/**
 * A batch's stdout as one text per command (each with its newline, as the single command prints it), or
 * undefined when it is not exactly `count` JSON arrays: then the batch's steps are run one by one.
 */
export function splitBatchOutput(stdout: string, count: number): string[] | undefined {
  const lines = stdout.split('\n');
  if (lines.pop() !== '' || lines.length !== count) return undefined;
  if (!lines.every(isJsonLine)) return undefined;
  return lines.map((l) => `${l}\n`);
}
