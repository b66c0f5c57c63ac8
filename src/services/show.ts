import { loadSnapshots, loadSources, type SourcesLoad } from '../collect/index.js';
import { UsageError } from '../errors.js';
import type { DesiredState, Snapshot } from '../model/index.js';
import { stderrProgress } from '../render/progress.js';
import { type ShowSubject, showItems } from '../render/state-tables.js';
import type { ServiceResult, StateOptions } from './options.js';
import { loadState, warnSources } from './state.js';

/** Node state tables, plus the desired state (`leases`) and what a --from-dir was read as (`sources`). */
export type ShowWhat = ShowSubject | 'leases' | 'sources';

export interface ShowJson {
  subject: ShowWhat;
  nodes: { host: string; source: { kind: string; name?: string }; items: unknown[] }[];
  /** show sources: every --from-dir, block by block */
  sources?: { path: string; nodes: string[]; blocks: SourcesLoad['blocks']; missing: SourcesLoad['missing']; leases?: number }[];
}

export interface ShowOutcome {
  doc: ShowJson;
  /** for the tables: built only when they are printed (--json never builds one) */
  snapshots: Snapshot[];
  loads: SourcesLoad[];
  desired?: DesiredState;
}

export async function showService(o: StateOptions, subject: ShowWhat): Promise<ServiceResult<ShowOutcome>> {
  if (subject === 'sources') {
    if (o.fromDir.length === 0) throw new UsageError('show sources reads --from-dir PATH (a directory, a transcript file or -)');
    const loads: SourcesLoad[] = [];
    for (const d of o.fromDir) loads.push(await loadSources(d, { dev: o.dev, at: o.at }));
    const sources = loads.map((l, i) => ({ path: o.fromDir[i], nodes: l.nodes.map((n) => n.snapshot.host), blocks: l.blocks, missing: l.missing, leases: l.desired?.leases.length }));
    const doc = { subject, nodes: loads.flatMap((l) => l.nodes.map((n) => ({ host: n.snapshot.host, source: n.snapshot.source, items: [] }))), sources };
    return { result: { doc, snapshots: [], loads }, exit: 0 };
  }
  if (subject === 'leases') {
    const { desired } = await loadState(o);
    const doc = { subject, nodes: [{ host: 'desired state', source: { kind: 'leases' }, items: desired?.leases ?? [] }] };
    return { result: { doc, snapshots: [], loads: [], desired }, exit: 0 };
  }
  const progress = stderrProgress('collecting');
  let snapshots: Snapshot[];
  try {
    snapshots = await loadSnapshots({ netns: o.netns, snapshot: o.snapshot, fromDir: o.fromDir, dev: o.dev, at: o.at, onProgress: progress.update, onSources: warnSources });
  } finally {
    progress.done();
  }
  const doc = { subject, nodes: snapshots.map((s) => ({ host: s.host, source: s.source, items: showItems(s, subject) })) };
  return { result: { doc, snapshots, loads: [] }, exit: 0 };
}
