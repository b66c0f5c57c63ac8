// collect: one node's snapshot (live, --netns, --from-dir, or a snapshot file re-read), or --all: every node over ssh/kubectl.
import { collectOne } from '../collect/index.js';
import { readSnapshotFile, snapshotJson, writeSnapshotFile } from '../collect/snapshot-file.js';
import { checkRawDir, writeRawDir } from '../collect/raw-dir.js';
import type { CollectAllResult } from '../cluster/service.js';
import { UsageError } from '../errors.js';
import type { Snapshot } from '../model/index.js';
import { stderrProgress } from '../render/progress.js';
import type { CollectOptions, ServiceResult } from './options.js';
import { sourceWarnings } from '../render/sources.js';

export type CollectOutcome = { kind: 'all'; all: CollectAllResult } | { kind: 'one'; snapshot: Snapshot; written?: string; text?: string };

export async function collectService(o: CollectOptions): Promise<ServiceResult<CollectOutcome>> {
  if (o.collectAll.all) {
    const { collectAll } = await import('../cluster/service.js');
    const all = await collectAll(o.collectAll);
    return { result: { kind: 'all', all }, exit: all.nodes.some((n) => !n.ok) ? 1 : 0 };
  }
  if (o.fromDir.length + o.snapshot.length > 1) throw new UsageError('collect reads one node at a time: give one --from-dir or --snapshot');
  if (o.snapshot.length === 1 && o.rawDir !== undefined) throw new UsageError('--raw-dir needs raw outputs: use it with a live node, --netns or --from-dir');
  if (o.rawDir !== undefined) await checkRawDir(o.rawDir);

  let snapshot: Snapshot;
  if (o.snapshot.length === 1) {
    snapshot = await readSnapshotFile(o.snapshot[0]);
  } else {
    const progress = stderrProgress('collecting');
    try {
      // a line skipped in a saved output is said, with its file and line, as every reading command says it
      const collection = await collectOne({ netns: o.netns, fromDir: o.fromDir[0], dev: o.dev, at: o.at, onProgress: progress.update, onSources: (load) => {
        for (const w of sourceWarnings(load)) process.stderr.write(`flanctl: warning: ${w}\n`);
      } });
      snapshot = collection.snapshot;
      if (o.rawDir !== undefined) await writeRawDir(o.rawDir, collection.raw);
    } finally {
      progress.done();
    }
  }
  if (o.output === undefined) return { result: { kind: 'one', snapshot, text: snapshotJson(snapshot).trimEnd() }, exit: 0 };
  await writeSnapshotFile(o.output, snapshot);
  return { result: { kind: 'one', snapshot, written: o.output }, exit: 0 };
}
