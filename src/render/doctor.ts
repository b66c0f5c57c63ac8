// The human view of doctor: one line per node, the findings (counts per code past TABLE_ROWS), evidence and fixes.
import type { DoctorOutcome } from '../services/doctor.js';
import { renderClusterDoctor } from './cluster-doctor.js';
import { severityColour } from './colour.js';
import { fitText, type View } from './layout.js';
import { renderTable } from './table.js';

// cli-table3's layout is quadratic in rows: a broken node with thousands of peers gets counts per code first
const TABLE_ROWS = 200;

export function renderDoctor({ doc, crossNode }: DoctorOutcome, view: View = {}): string {
  const table = { ...view, paint: { 0: severityColour } };
  const out: string[] = [];
  if (crossNode) out.push(`Across the cluster:\n${renderClusterDoctor(crossNode, view)}\n`);
  for (const n of doc.nodes) {
    const lease = n.localLease ? `lease ${n.localLease.subnet ?? n.localLease.subnet6} (${n.localLeaseHow})` : n.localLeaseHow ? n.localLeaseHow : 'no desired state';
    out.push(`node ${n.node}: backend ${n.backend ?? 'unknown'}, ${lease}, ${n.peers} peer lease(s)`);
  }
  const noDesired = doc.nodes.every((n) => n.localLeaseHow === undefined);
  if (doc.findings.length === 0 && noDesired) out.push('', 'no findings in what could be checked; without desired state (--nodes, --kube, --etcd) no peer was compared (skipped checks below)');
  else if (doc.findings.length === 0 && doc.unverified.length) out.push('', 'no findings in the data given, but not everything could be checked (below)');
  else if (doc.findings.length === 0) out.push('', "no findings: the node matches flannel's desired state");
  else {
    if (doc.findings.length > TABLE_ROWS) {
      const counts = new Map<string, [string, number]>();
      for (const f of doc.findings) counts.set(f.code, [f.severity, (counts.get(f.code)?.[1] ?? 0) + 1]);
      out.push('', renderTable(['SEVERITY', 'CODE', 'FINDINGS'], [...counts].map(([code, [sev, n]]) => [sev, code, n]), table));
    } else out.push('', renderTable(['SEVERITY', 'CODE', 'NODE', 'SUMMARY'], doc.findings.map((f) => [f.severity, f.code, f.node, f.summary]), table));
    out.push('', 'Evidence and fixes:');
    for (const f of doc.findings.slice(0, TABLE_ROWS)) {
      out.push(`  ${f.code} (${f.node ?? '?'})`);
      for (const e of f.evidence) out.push(`      ${e}`);
      if (f.fix) out.push(`    fix: ${f.fix}`);
    }
    if (doc.findings.length > TABLE_ROWS) out.push(`  … ${doc.findings.length - TABLE_ROWS} more findings (all of them with --json)`);
  }
  if (doc.unverified.length) {
    out.push('', 'Not verified (the data given lacks it):');
    for (const u of doc.unverified) out.push(`  ${u.check} (${u.node}): ${u.missing}`);
  }
  if (doc.skipped.length) {
    out.push('', 'Skipped checks:');
    for (const s of doc.skipped) out.push(`  ${s.check} (${s.node}): ${s.reason}`);
  }
  return fitText(out.join('\n'), view.width);
}
