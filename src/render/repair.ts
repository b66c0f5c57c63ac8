// The human views of repair: a node's plan (table, commands, skipped), a cluster's plans node by node, the outcome.
import type { ClusterManifest } from '../cluster/collect.js';
import type { RepairPlan } from '../repair/plan.js';
import type { ClusterRepairOutcome, ListOutcome, RepairJson, RepairOutcome, UndoOutcome } from '../services/repair.js';
import { fitText, type View } from './layout.js';
import { renderTable } from './table.js';

// cli-table3's layout is quadratic in rows: past this many actions the table shows counts per op and status
const TABLE_ROWS = 200;

export function renderPlan(doc: RepairJson, footer: string, view: View = {}): string {
  const out: string[] = [];
  if (doc.actions.length === 0) out.push(`node ${doc.node ?? '?'}: nothing to repair`);
  else if (doc.actions.length <= TABLE_ROWS) {
    out.push(renderTable(['#', 'OP', 'TARGET', 'STATUS', 'REASON'], doc.actions.map((a, i) => [i + 1, a.op, a.target, a.status, a.reason]), view));
  } else {
    const counts = new Map<string, number>();
    for (const a of doc.actions) counts.set(`${a.op}\t${a.status}`, (counts.get(`${a.op}\t${a.status}`) ?? 0) + 1);
    out.push(renderTable(['OP', 'STATUS', 'ACTIONS'], [...counts].map(([k, n]) => [...k.split('\t'), n]), view));
  }
  if (doc.actions.length) {
    out.push('', 'Commands:');
    for (const a of doc.actions) out.push(`  ${a.command}`);
  }
  if (doc.skipped.length) out.push('', 'Skipped:', ...doc.skipped.map((s) => `  ${s.target}: ${s.reason}`));
  if (footer) out.push('', footer);
  return fitText(out.join('\n'), view.width);
}

/** The footer under a local plan: what happened. */
export function repairFooter(r: RepairOutcome): string {
  if (r.aborted) return 'aborted: nothing was changed';
  if (!r.applyResult) return r.doc.actions.length === 0 && r.apply ? 'nothing to repair' : 'dry run: nothing was changed; run with --apply to execute';
  const a = r.applyResult;
  return a.failed
    ? `FAILED at action ${a.failed.index + 1}: ${a.failed.command}: ${a.failed.error}\n${a.applied} action(s) applied before it; undo them with: flanctl repair --undo ${a.journalId}`
    : `applied ${a.applied} action(s); journal ${a.journalFile} (undo: flanctl repair --undo ${a.journalId})`;
}

export function renderRepair(r: RepairOutcome, view: View = {}): string {
  return r.aborted ? repairFooter(r) : renderPlan(r.doc, repairFooter(r), view);
}

export function renderUndo(r: UndoOutcome, view: View = {}): string {
  const u = r.undo;
  const check = u.verified ? 're-checked: the kernel holds the recorded state' : u.mismatches.length ? `re-checked: ${u.mismatches.length} object(s) not as recorded` : 're-check incomplete: a table could not be read';
  const lines = [`undid repair ${u.journalId} on ${u.node}${u.netns ? ` (netns ${u.netns})` : ''}: ${u.restored} command(s)`, ...u.commands.map((c) => `  ${c}`), ...u.errors.map((e) => `  failed: ${e}`), ...u.mismatches.map((m) => `  not restored: ${m}`), check];
  return fitText(lines.join('\n'), view.width);
}

/** repair --list: one line per journal, newest first; an undo that left objects not as recorded names them. */
export function renderJournals(r: ListOutcome, view: View = {}): string {
  if (r.journals.length === 0) return `no repair journal in ${r.dir}`;
  const lines = [`repair journals in ${r.dir} (newest first):`];
  for (const j of r.journals) {
    if (j.error !== undefined) {
      lines.push(`  ${j.id}  refused: ${j.error}`);
      continue;
    }
    const u = j.undone;
    // first, so a narrow terminal keeps it: how the repair (and its undo) ended
    const state = !u ? j.status : u.verified === false ? 'undo INCOMPLETE' : u.verified ? 'undone, re-checked' : 'undone';
    const ran = `${j.applied}/${j.actions} action(s)${j.failed ? `, failed at ${j.failed.index + 1}: ${j.failed.error}` : ''}`;
    lines.push(`  ${j.id}  ${state}  ${j.node}${j.netns ? ` (netns ${j.netns})` : ''}  ${ran}${u ? `  undone at ${u.time}` : ''}`);
    for (const e of u?.errors ?? []) lines.push(`      failed: ${e}`);
    for (const m of u?.mismatches ?? []) lines.push(`      not restored: ${m}`);
  }
  return fitText(lines.join('\n'), view.width);
}

export function renderClusterPlan(plans: RepairPlan[], unreachable: { name: string; error: string }[], desiredFrom: string, manifest: ClusterManifest | undefined): string {
  const out = [`Desired state: ${desiredFrom}.`];
  for (const p of plans) {
    if (p.actions.length === 0 && p.skipped.length === 0) {
      out.push(`node ${p.node}: nothing to repair`);
      continue;
    }
    out.push(`node ${p.node}: ${p.actions.length} action(s)`);
    for (const a of p.actions) out.push(`    ${a.command}    # ${a.reason}`);
    for (const s of p.skipped) out.push(`    skipped ${s.target}: ${s.reason}`);
  }
  for (const u of unreachable) out.push(`node ${u.name}: not collected (${u.error}), not repaired`);
  out.push(`Applied over: ${describeReach(manifest)}`);
  return out.join('\n');
}

export function renderClusterRepair(r: ClusterRepairOutcome, view: View = {}): string {
  return fitText(clusterRepairText(r), view.width);
}

function clusterRepairText(r: ClusterRepairOutcome): string {
  if (r.aborted) return 'aborted: nothing was changed';
  const plan = renderClusterPlan(r.plans, r.unreachable, r.desiredFrom, r.manifest);
  const total = r.plans.reduce((n, p) => n + p.actions.length, 0);
  if (!r.applied) return `${plan}\n\n${total === 0 ? 'nothing to repair' : 'dry run: nothing was changed; run with --apply to execute, node by node'}`;
  const lines = r.applied.map((a) => `  ${a.status === 'applied' ? '✓' : a.status === 'failed' ? '✗' : '·'} ${a.node}: ${a.status}${a.applied ? ` (${a.applied} action(s))` : ''}${a.journal ? `, journal ${a.journal} on the node` : ''}${a.error ? ` — ${a.error}` : ''}`);
  const failed = r.applied.find((a) => a.status === 'failed');
  const footer = failed ? `stopped at ${failed.node}; nodes after it were not touched. On ${failed.node}: flanctl repair --undo --journal-dir ${r.journalDir}` : 'applied on every node that needed it; collect again and run doctor --cluster to confirm';
  return [plan, '', 'Applied node by node:', ...lines, '', footer].join('\n');
}

/** How --apply will reach the nodes, shown with the plan (it comes from the directory's cluster.json). */
function describeReach(m: ClusterManifest | undefined): string {
  const ssh = m?.reach?.ssh;
  if (ssh) {
    const o = ssh.options;
    return ['ssh', o.configFile && `-F ${o.configFile}`, o.identity && `-i ${o.identity}`, ...(o.options ?? []).map((x) => `-o ${x}`)].filter(Boolean).join(' ') + ` to ${ssh.targets.map((t) => t.host).join(', ')}`;
  }
  const kube = m?.reach?.kube;
  if (kube) return ['kubectl', kube.kubeconfig && `--kubeconfig ${kube.kubeconfig}`, kube.context && `--context ${kube.context}`].filter(Boolean).join(' ');
  return 'nothing recorded (collect the directory with collect --all first)';
}
