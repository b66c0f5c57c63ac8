// Shared helpers for the bench scripts: hyperfine runs (parsed from --export-json), a results file that
// bench/report.ts turns into the summary and the BENCHMARKS.md tables, and the flanctl command line.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = join(ROOT, 'bench', 'out');
export const FLANCTL = join(ROOT, 'bin', 'run.js');
const RESULTS = join(OUT, 'results.json');

// A node's environment, not this sandbox's: Node reads the certificates NODE_EXTRA_CA_CERTS names at every start
// (this sandbox sets it to the system bundle: ≈ 31 ms more per process, `node -e 0` 53.7 → 22.0 ms without it),
// and a Kubernetes node does not set it. Every program the benchmarks start inherits this environment.
delete process.env.NODE_EXTRA_CA_CERTS;

/** BENCH_QUICK=1: fewer runs (for trying the scripts out); figures in BENCHMARKS.md come from the default. */
export const QUICK = process.env.BENCH_QUICK === '1';

/** Peer counts for the namespace benchmarks (collect, apply): the largest is the headline, the smaller show growth. */
export const LIVE_SIZES = (process.env.BENCH_LIVE_SIZES ?? '500 5000').split(/\s+/).filter(Boolean).map(Number);

export interface Timing {
  /** seconds */
  mean: number;
  stddev: number;
  median: number;
  min: number;
  max: number;
  runs: number;
  /** mean CPU seconds (user + system, children included): far less sensitive than wall time to other load */
  cpu: number;
  command: string;
  /** 1-minute load average when the hyperfine run started (the machine is shared: read figures with it) */
  load: number;
  /** exit codes hyperfine saw (non-zero is expected for doctor/repair: exit 1 = problem found) */
  exitCodes: number[];
}

export interface HyperfineOptions {
  runs?: number;
  warmup?: number;
  /** shell command run before every timed run (e.g. reset a namespace) */
  prepare?: string;
  /** accept non-zero exit codes (doctor/repair exit 1 when they find something) */
  ignoreFailure?: boolean;
  /** argv that starts hyperfine (e.g. in a private mount namespace: `unshare -m …`) */
  prefix?: string[];
  /** false: each command is an argv run without a shell (hyperfine -N), so no shell's time is in its figures */
  shell?: false;
}

/** Time shell commands with hyperfine; returns one Timing per label. Export kept in bench/out/<id>.json. */
export function hyperfine(id: string, commands: Record<string, string>, opts: HyperfineOptions = {}): Record<string, Timing> {
  mkdirSync(OUT, { recursive: true });
  const exportFile = join(OUT, `hyperfine-${id}.json`);
  const load = loadavg()[0];
  const args = ['--style', 'basic', '--export-json', exportFile, '--warmup', String(opts.warmup ?? 1)];
  if (opts.runs !== undefined) args.push('--runs', String(opts.runs));
  if (opts.prepare) args.push('--prepare', opts.prepare);
  if (opts.ignoreFailure) args.push('--ignore-failure');
  if (opts.shell === false) args.push('-N');
  for (const [label, cmd] of Object.entries(commands)) args.push('--command-name', label, cmd);
  const argv = [...(opts.prefix ?? []), 'hyperfine', ...args];
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`hyperfine ${id} failed (exit ${r.status})`);
  const json = JSON.parse(readFileSync(exportFile, 'utf8')) as {
    results: { command: string; mean: number; stddev: number | null; median: number; min: number; max: number; user: number; system: number; times: number[]; exit_codes: number[] }[];
  };
  const out: Record<string, Timing> = {};
  for (const [i, label] of Object.keys(commands).entries()) {
    const x = json.results[i];
    out[label] = {
      mean: x.mean, stddev: x.stddev ?? 0, median: x.median, min: x.min, max: x.max, runs: x.times.length, cpu: x.user + x.system, load,
      command: commands[label], exitCodes: [...new Set(x.exit_codes)],
    };
  }
  return out;
}

/** Merge `value` into bench/out/results.json under section.key (so each script adds its own part). */
export function record(section: string, key: string, value: unknown): void {
  const all = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, Record<string, unknown>>) : {};
  all[section] = { ...(all[section] ?? {}), [key]: value };
  writeFileSync(RESULTS, JSON.stringify(all, null, 2));
}

export function readResults(): Record<string, Record<string, unknown>> {
  return existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {};
}

/** Run a program (argv, no shell) and return status and output; stdout may be large (JSON of 50k peers). */
export function exec(argv: string[], opts: SpawnSyncOptions = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  return { status: r.status ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** Single-quote for the shell strings hyperfine runs (paths and flags we generate, never user input). */
export const q = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/** `flanctl <args>` as a shell command line for hyperfine. */
export const flanctl = (...args: string[]): string => [FLANCTL, ...args].map(q).join(' ');

/** Does this flanctl command exist yet (other helpers are still writing some)? */
export function hasCommand(name: string): boolean {
  const manifest = join(ROOT, 'oclif.manifest.json');
  if (!existsSync(manifest)) return existsSync(join(ROOT, 'dist', 'commands', `${name}.js`));
  return name in (JSON.parse(readFileSync(manifest, 'utf8')) as { commands: Record<string, unknown> }).commands;
}

export const ms = (s: number): string => `${(s * 1000).toFixed(s < 0.1 ? 1 : 0)} ms`;
export const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
