import type { CollectAllResult } from '../cluster/service.js';
import type { CollectOutcome } from '../services/collect.js';
import { fitText, type View } from './layout.js';

export function renderCollectAll(r: CollectAllResult): string {
  const ok = r.nodes.filter((n) => n.ok);
  const lines = [`collected ${ok.length}/${r.nodes.length} nodes over ${r.transport} into ${r.dir}`];
  for (const n of r.nodes) {
    const steps = n.failedSteps?.length ? ` (not collected there: ${n.failedSteps.join(', ')})` : '';
    lines.push(n.ok ? `  ✓ ${n.name}  ${(n.ms / 1000).toFixed(1)} s  ${n.file}${steps}` : `  ✗ ${n.name}  ${n.error}`);
    for (const section of n.foreignSections ?? []) lines.push(`  ! ${n.name}  printed a section named "${section}", which is no step file: not saved`);
    if (n.foreignSectionsMore) lines.push(`  ! ${n.name}  … and ${n.foreignSectionsMore} more sections under names that are no step file: not saved`);
  }
  if (ok.length < r.nodes.length) lines.push(`partial: ${r.nodes.length - ok.length} node(s) missing; the others are analysed by \`flanctl doctor --cluster ${r.dir}\``);
  return lines.join('\n');
}

export function renderCollect(r: CollectOutcome, view: View = {}): string {
  if (r.kind === 'all') return fitText(renderCollectAll(r.all), view.width);
  // the snapshot JSON on stdout: a document, never wrapped
  if (r.text !== undefined) return r.text;
  const s = r.snapshot;
  const failed = s.commands.filter((c) => !c.ok);
  return fitText(
    `wrote ${r.written}: ${s.host}, ${s.links.length} links, ${s.routes.length} routes, ${s.neigh.length} neigh, ${s.fdb.length} fdb, ${s.pods.length} pods` +
    (failed.length ? `; not collected: ${failed.map((c) => `${c.name} (${c.error})`).join(', ')}` : ''),
    view.width,
  );
}
