// The one place (besides repair/apply) that runs programs. Argument arrays only, never a shell;
// every failure (missing program, permission, timeout, non-zero exit) comes back as a value so one
// broken step never aborts a whole collection.
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type ChildProcess, spawn, type StdioPipe, type StdioNull } from 'node:child_process';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { EnvironmentError, UsageError } from '../errors.js';

export interface RunOptions {
  /** run inside this named network namespace (`ip netns exec NAME argv…`); validate it first */
  netns?: string;
  timeoutMs?: number;
  /** written to the program's stdin (`ip -batch -` reads its commands there); else stdin is closed */
  input?: string;
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

export const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_OUTPUT = 256 * 1024 * 1024;
// root's PATH on Debian has the sbin directories; a user's often does not, but the tools live there
const EXTRA_PATH = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

function searchPath(): string[] {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return dirs.length > 0 ? dirs : EXTRA_PATH;
}

// found once per program and PATH: a collection starts a dozen programs, half of them ip
const found = new Map<string, string>();

/**
 * Absolute path of an installed program, or undefined. Synchronous: a few access() calls of microseconds each, where
 * the thread pool's round trips held back every spawn of a collection behind the others' (≈ 10 ms), and the early
 * launcher (early.ts) must start before the rest of the binary's bundle is evaluated.
 */
export function which(program: string): string | undefined {
  if (program.includes('/')) return isExecutable(program) ? program : undefined;
  const key = `${process.env.PATH ?? ''}\0${program}`;
  if (found.has(key)) return found.get(key);
  for (const dir of searchPath()) {
    const candidate = join(dir, program);
    if (isExecutable(candidate)) return found.set(key, candidate).get(key);
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const firstLine = (text: string): string => text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';

/** A program stopped at its time limit, in run()'s words: also a program the launcher was running when it hit its own. */
export const timedOutResult = (r: Omit<RunResult, 'ok' | 'error' | 'timedOut'>, timeoutMs: number): RunResult => ({ ...r, ok: false, timedOut: true, error: `${r.argv[0]} timed out after ${timeoutMs} ms` });

/** Run argv (inside opts.netns when given). Never throws for the program's own failures. */
export async function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  const [program] = argv;
  const resolved = which(program);
  if (!resolved) return { argv, ok: false, stdout: '', stderr: '', ms: ms(), missing: true, error: `${program} not installed` };
  const ip = opts.netns === undefined ? undefined : which('ip');
  if (opts.netns !== undefined && !ip) return { argv, ok: false, stdout: '', stderr: '', ms: ms(), missing: true, error: 'ip not installed (needed for --netns)' };
  const [file, args] = ip ? [ip, ['netns', 'exec', opts.netns!, resolved, ...argv.slice(1)]] : [resolved, argv.slice(1)];
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const r = await spawnCollect(file, args, timeout, opts.input);
  const base = { argv, stdout: r.stdout, stderr: r.stderr, ...(r.exitCode === undefined ? {} : { exitCode: r.exitCode }), ms: ms() };
  if (r.timedOut) return timedOutResult(base, timeout);
  if (r.exitCode === 0 && r.failure === undefined) return { ...base, ok: true };
  const why = r.failure ?? (firstLine(r.stderr) || (r.signal ? `killed by ${r.signal}` : `exit status ${r.exitCode ?? '?'}`));
  const permission = /permission denied|operation not permitted|you must be root|EACCES|EPERM/i.test(`${r.stderr}\n${r.failure ?? ''}`);
  return { ...base, ok: false, permission, error: `${program}: ${why}` };
}

// What this process started, stopped when it is told to go (Ctrl-C, SIGTERM, SIGHUP) or exits first: the launcher
// runs in a process group of its own, which a terminal's Ctrl-C does not reach, and a program that hangs would
// otherwise outlive flanctl. Then the signal takes its course, unless another part (the probe) handles it.
const running = new Set<() => void>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function stopAll(): void {
  for (const stop of running) stop();
  running.clear();
  listen(false);
}

function onSignal(signal: NodeJS.Signals): void {
  stopAll();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function listen(on: boolean): void {
  for (const s of SIGNALS) process[on ? 'on' : 'off'](s, onSignal);
  process[on ? 'on' : 'off']('exit', stopAll);
}

/** Stop `stop`'s process on a signal or exit until the returned function is called (it ended). */
function track(stop: () => void): () => void {
  if (running.size === 0) listen(true);
  running.add(stop);
  return () => {
    if (running.delete(stop) && running.size === 0) listen(false);
  };
}

interface Spawned {
  stdout: string;
  stderr: string;
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  /** the process could not start, or its output passed MAX_OUTPUT */
  failure?: string;
}

/**
 * node:child_process directly: per process it costs about a third of the CPU execa does (20 spawns: ≈ 18 vs
 * ≈ 50 ms, plus execa's import), and a live collection is a dozen of them. The environment is ours plus C locale.
 * Its own process group (as the launcher's): the time limit stops what the program started too (a wrapper's child).
 */
function spawnCollect(file: string, args: string[], timeoutMs: number, input: string | undefined): Promise<Spawned> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
    const stop = (): void => killGroup(child);
    const untrack = track(stop);
    releaseOnExit(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let failure: string | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
      // what escaped the group (setsid) may hold the pipes and keep writing: read one turn more, then let go
      setImmediate(() => [child.stdout, child.stderr].forEach((s) => s?.destroy()));
    }, timeoutMs);
    child.stdout!.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_OUTPUT) {
        failure ??= `printed more than ${MAX_OUTPUT / 1024 / 1024} MiB`;
        stop();
      } else out.push(b);
    });
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => (failure ??= e.message));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      untrack();
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ...(code === null ? {} : { exitCode: code }), ...(signal ? { signal } : {}), timedOut, ...(failure ? { failure } : {}) });
    });
    if (input !== undefined) {
      // a program that exits without reading its stdin: EPIPE here is not the result, its exit status is
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(input);
    }
  });
}

/** SIGKILL to the process group of a child spawned `detached` (it leads the group). */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}

/**
 * 'close' waits until every holder of the child's output pipes closed them, and a process it left running (a
 * daemon, `setsid cmd &`, ssh's ControlPersist master) may hold them for minutes. Once the child exited, what it
 * wrote is in the pipes already (at most a socket buffer: node's pipes are socketpairs, read in one turn): read on
 * while a turn of the event loop brings more, then close our ends, and 'close' follows.
 */
export function releaseOnExit(child: ChildProcess, outputs: (Readable | null)[] = [child.stdout, child.stderr]): void {
  child.once('exit', () => {
    const streams = outputs.filter((s) => s !== null);
    let bytes = 0;
    let seen = -1;
    for (const s of streams) s.on('data', (b: Buffer) => (bytes += b.length));
    const turn = (): void => {
      const open = streams.filter((s) => !s.destroyed && !s.readableEnded);
      if (open.length === 0) return;
      if (bytes === seen) for (const s of open) s.destroy();
      else {
        seen = bytes;
        setImmediate(turn);
      }
    };
    setImmediate(turn);
  });
}

export interface LaunchOptions {
  /** run the script inside this named network namespace (validate it first) */
  netns?: string;
  /** the script's output fds: stdout (1) and any of 4-9, each a pipe of its own */
  fds: number[];
  /** each output's text as it arrives (decoded as run() decodes a program's stdout) */
  onOutput: (fd: number, text: string) => void;
  timeoutMs?: number;
}

export interface Launched {
  /** written to the script's stdin, in order; `last` closes it */
  write(text: string, last?: boolean): void;
  /** once the script ended and its outputs were read: why it failed (none: it worked), and whether its time limit stopped it */
  done: Promise<{ error?: string; timedOut?: true }>;
  /** kill the script and everything it started (its process group) */
  stop(): void;
}

/**
 * `sh -c SCRIPT flanctl ARGS…` (inside opts.netns): one process that starts the programs, so this large process
 * forks once instead of once per program. The script is a constant; ARGS and stdin are data. Undefined when there
 * is no sh (or no ip for --netns). Never throws for the script's own failures.
 */
export function launch(script: string, args: string[], opts: LaunchOptions): Launched | undefined {
  // POSIX puts sh in /bin; an empty PATH searches only the sbin directories
  const sh = which('sh') ?? which('/bin/sh');
  const ip = opts.netns === undefined ? undefined : which('ip');
  if (sh === undefined || (opts.netns !== undefined && ip === undefined)) return undefined;
  const shArgs = ['-c', script, 'flanctl', ...args];
  const [file, argv] = ip ? [ip, ['netns', 'exec', opts.netns!, sh, ...shArgs]] : [sh, shArgs];
  const stdio: (StdioPipe | StdioNull)[] = Array.from({ length: Math.max(...opts.fds) + 1 }, (_, fd) => (fd <= 2 || opts.fds.includes(fd) ? 'pipe' : 'ignore'));
  // its own process group: a time limit stops the programs it started too, not only the sh
  const child = spawn(file, argv, { stdio, detached: true, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
  let failure: string | undefined;
  let size = 0;
  const stop = (): void => killGroup(child);
  const untrack = track(stop);
  for (const fd of opts.fds) {
    const decoder = new StringDecoder('utf8');
    const stream = child.stdio[fd]!;
    stream.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_OUTPUT) {
        failure ??= `printed more than ${MAX_OUTPUT / 1024 / 1024} MiB`;
        stop();
      } else opts.onOutput(fd, decoder.write(b));
    });
    stream.on('end', () => opts.onOutput(fd, decoder.end()));
  }
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdin!.on('error', () => undefined);
  // a program the script left running outside its group (setsid) may hold any of its outputs
  releaseOnExit(child, [child.stderr, ...opts.fds.map((fd) => child.stdio[fd] as Readable | null)]);
  const done = new Promise<{ error?: string; timedOut?: true }>((resolve) => {
    const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => {
      stop();
      for (const s of child.stdio) s?.destroy();
      resolve({ error: `sh timed out after ${timeout} ms`, timedOut: true });
    }, timeout);
    child.on('error', (e) => (failure ??= e.message));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      untrack();
      const error = failure ?? (code === 0 ? undefined : `sh: ${firstLine(stderr) || (signal ? `killed by ${signal}` : `exit status ${code}`)}`);
      resolve(error === undefined ? {} : { error });
    });
  });
  return {
    write: (text, last) => (last ? child.stdin!.end(text) : child.stdin!.write(text)),
    done,
    stop,
  };
}

// iproute2 names: /var/run/netns/<name>; anything a file name may hold except '/', kept strict here
const NETNS_NAME = /^[A-Za-z0-9_.@:+-]{1,128}$/;
export const isNetnsName = (name: string): boolean => NETNS_NAME.test(name) && name !== '.' && name !== '..';

// iproute2's NETNS_RUN_DIR: `ip netns add NAME` bind-mounts the namespace at NETNS_RUN_DIR/NAME, `ip netns list` lists it
export const NETNS_RUN_DIR = '/var/run/netns';

/** Check a --netns value before it reaches a command line: well-formed and present (read there: no process). */
export async function validateNetns(name: string): Promise<void> {
  if (!isNetnsName(name)) throw new UsageError(`not a network namespace name: ${JSON.stringify(name)}`);
  if (!existsSync(join(NETNS_RUN_DIR, name))) throw new EnvironmentError(`no network namespace named ${name}`, 'see `ip netns list`');
}

export const isRoot = (): boolean => process.getuid?.() === 0;
