// The one place (besides repair/apply) that runs programs. Argument arrays only, never a shell;
// every failure (missing program, permission, timeout, non-zero exit) comes back as a value so one
// broken step never aborts a whole collection.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { EnvironmentError, UsageError } from '../errors.js';

export interface RunOptions {
  /** run inside this named network namespace (`ip netns exec NAME argv…`); validate it first */
  netns?: string;
  timeoutMs?: number;
}

export interface RunResult {
  /** the argv as asked for (without the `ip netns exec` prefix) */
  argv: string[];
  ok: boolean;
  stdout: string;
  stderr: string;
  exitCode?: number;
  ms: number;
  /** one line saying why it failed: `brctl not installed`, `timed out after 10000 ms`, the program's stderr… */
  error?: string;
  missing?: boolean;
  timedOut?: boolean;
  permission?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
// root's PATH on Debian has the sbin directories; a user's often does not, but the tools live there
const EXTRA_PATH = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

function searchPath(): string[] {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return dirs.length > 0 ? dirs : EXTRA_PATH;
}

/** Absolute path of an installed program, or undefined. */
export async function which(program: string): Promise<string | undefined> {
  if (program.includes('/')) return (await isExecutable(program)) ? program : undefined;
  for (const dir of searchPath()) {
    const candidate = join(dir, program);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const firstLine = (text: string): string => text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';

/** Run argv (inside opts.netns when given). Never throws for the program's own failures. */
export async function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  const [program] = argv;
  const resolved = await which(program);
  if (!resolved) return { argv, ok: false, stdout: '', stderr: '', ms: ms(), missing: true, error: `${program} not installed` };
  const ip = opts.netns === undefined ? undefined : await which('ip');
  if (opts.netns !== undefined && !ip) return { argv, ok: false, stdout: '', stderr: '', ms: ms(), missing: true, error: 'ip not installed (needed for --netns)' };
  const [file, args] = ip ? [ip, ['netns', 'exec', opts.netns!, resolved, ...argv.slice(1)]] : [resolved, argv.slice(1)];
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const r = await execa(file, args, {
    reject: false,
    stdin: 'ignore',
    timeout,
    env: { LC_ALL: 'C', LANG: 'C' },
    stripFinalNewline: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  const stdout = String(r.stdout ?? '');
  const stderr = String(r.stderr ?? '');
  const base = { argv, stdout, stderr, exitCode: r.exitCode, ms: ms() };
  if (r.timedOut) return { ...base, ok: false, timedOut: true, error: `${program} timed out after ${timeout} ms` };
  if (r.exitCode === 0) return { ...base, ok: true };
  const why = firstLine(stderr) || (r.signal ? `killed by ${r.signal}` : `exit status ${r.exitCode ?? '?'}`);
  const permission = /permission denied|operation not permitted|you must be root|EACCES|EPERM/i.test(stderr + (r.message ?? ''));
  return { ...base, ok: false, permission, error: `${program}: ${why}` };
}

// iproute2 names: /var/run/netns/<name>; anything a file name may hold except '/', kept strict here
const NETNS_NAME = /^[A-Za-z0-9_.@:+-]{1,128}$/;
export const isNetnsName = (name: string): boolean => NETNS_NAME.test(name) && name !== '.' && name !== '..';

/** The named network namespaces (`ip netns list`), names only. */
export async function listNetns(): Promise<string[]> {
  const r = await run(['ip', 'netns', 'list']);
  if (!r.ok) throw new EnvironmentError(`cannot list network namespaces: ${r.error}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n) => n !== undefined && n !== '');
}

/** Check a --netns value before it reaches a command line: well-formed and present. */
export async function validateNetns(name: string): Promise<void> {
  if (!isNetnsName(name)) throw new UsageError(`not a network namespace name: ${JSON.stringify(name)}`);
  const names = await listNetns();
  if (!names.includes(name)) throw new EnvironmentError(`no network namespace named ${name}`, 'see `ip netns list`');
}

export const isRoot = (): boolean => process.getuid?.() === 0;
