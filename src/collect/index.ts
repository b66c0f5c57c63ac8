// Node state from any source: the live node, a named netns, saved outputs (--from-dir), snapshots.
import type { Snapshot } from '../model/index.js';
import type { Collection, CollectOptions } from './live.js';
import type { SourceReadOptions, SourcesLoad } from './from-dir.js';

export interface SourceOptions {
  netns?: string;
  snapshot?: string[];
  fromDir?: string[];
  /** --dev: the device of pasted neigh/fdb lines that name none */
  dev?: string;
  /** --at LINE: a transcript as it stood at that line */
  at?: number;
  onProgress?: (step: string, done: number, total: number) => void;
  /** every --from-dir as read: its blocks (lines skipped, files not recognised) and any desired state pasted with it */
  onSources?: (load: SourcesLoad) => void;
}

export type { Collection } from './live.js';
export type { SourcesLoad } from './from-dir.js';

// saved outputs are read by from-dir.ts, imported on demand: a trace of snapshot files evaluates no parser
/** Everything in PATH (--from-dir): a directory, a transcript file, or `-` for stdin. */
export async function loadSources(path: string, opts: SourceReadOptions = {}): Promise<SourcesLoad> {
  return (await import('./from-dir.js')).loadSources(path, opts);
}

/** One node from PATH (a directory, a transcript file or `-`); a paste naming several hosts is a usage error. */
export async function loadFromDir(path: string, opts: SourceReadOptions & { onSources?: (load: SourcesLoad) => void } = {}): Promise<Collection> {
  return (await import('./from-dir.js')).loadFromDir(path, opts);
}

/** The live node (or --netns). Imported on demand: reading files runs no program, so it never loads execa (~100 modules). */
export async function collectLive(opts: CollectOptions = {}): Promise<Collection> {
  return (await import('./live.js')).collectLive(opts);
}

/** One Snapshot per node: every --snapshot file, then every node of every --from-dir; else the live node (or --netns). */
export async function loadSnapshots(opts: SourceOptions = {}): Promise<Snapshot[]> {
  const files = opts.snapshot ?? [];
  const dirs = opts.fromDir ?? [];
  if (files.length === 0 && dirs.length === 0) return [(await collectLive({ netns: opts.netns, onProgress: opts.onProgress })).snapshot];
  const out: Snapshot[] = [];
  // the Snapshot schema is built when a snapshot file is read, not by every command that reads pasted outputs
  if (files.length > 0) {
    const { readSnapshotFile } = await import('./snapshot-file.js');
    for (const f of files) out.push(await readSnapshotFile(f));
  }
  for (const d of dirs) {
    const load = await loadSources(d, { dev: opts.dev, at: opts.at });
    opts.onSources?.(load);
    out.push(...load.nodes.map((n) => n.snapshot));
  }
  return out;
}

/** One node with its raw outputs (for `collect --raw-dir`): live, --netns or one --from-dir directory. */
export async function collectOne(opts: { netns?: string; fromDir?: string; dev?: string; at?: number; onProgress?: SourceOptions['onProgress']; onSources?: SourceOptions['onSources'] }): Promise<Collection> {
  return opts.fromDir !== undefined ? loadFromDir(opts.fromDir, { dev: opts.dev, at: opts.at, onSources: opts.onSources }) : collectLive(opts);
}
