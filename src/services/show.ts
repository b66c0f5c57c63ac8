import { loadSnapshots } from '../collect/index.js';
import type { Snapshot } from '../model/index.js';
import { stderrProgress } from '../render/progress.js';
import { type ShowSubject, showItems } from '../render/state-tables.js';
import type { ServiceResult, StateOptions } from './options.js';

export interface ShowJson {
  subject: ShowSubject;
  nodes: { host: string; source: { kind: string; name?: string }; items: unknown[] }[];
}

export interface ShowOutcome {
  doc: ShowJson;
  /** for the tables: built only when they are printed (--json never builds one) */
  snapshots: Snapshot[];
}

export async function showService(o: StateOptions, subject: ShowSubject): Promise<ServiceResult<ShowOutcome>> {
  const progress = stderrProgress('collecting');
  let snapshots: Snapshot[];
  try {
    snapshots = await loadSnapshots({ netns: o.netns, snapshot: o.snapshot, fromDir: o.fromDir, onProgress: progress.update });
  } finally {
    progress.done();
  }
  const doc = { subject, nodes: snapshots.map((s) => ({ host: s.host, source: s.source, items: showItems(s, subject) })) };
  return { result: { doc, snapshots }, exit: 0 };
}
