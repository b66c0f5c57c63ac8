// doctor --cluster: the node × node grid and the cross-node problems.
import type { ClusterDoctor } from '../cluster/doctor.js';
import { matrixGrid } from '../analyze/matrix.js';
import { fitText, type View } from './layout.js';
import { renderTable } from './table.js';

export function renderClusterDoctor(r: ClusterDoctor, view: View = {}): string {
  const grid = matrixGrid(r.matrix);
  // a v6-only cluster has no IPv4 pair: its IPv4 grid would show nothing judged
  const v6Only = r.matrix.cells.length === 0 && r.matrix.cells6 !== undefined;
  const out = v6Only
    ? ['IPv4: none (every node is IPv6-only, no flannel.1).']
    : [
        'Each row is a node\'s own neigh/fdb/route state for the peer in each column, checked against that peer\'s real flannel.1 (✓ = matches, · = the node itself).',
        renderTable(grid.head, grid.rows, view),
      ];
  if (r.matrix.cells6) {
    const grid6 = matrixGrid(r.matrix, 'v6');
    out.push('IPv6: the same on flannel-v6.<VNI>, against each peer\'s real flannel-v6 MAC, public-ipv6 and IPv6 subnet.', renderTable(grid6.head, grid6.rows, view));
  }
  if (r.unreachable.length) out.push(`Not collected (${r.unreachable.length}): ${r.unreachable.map((u) => `${u.name} — ${u.error}`).join('; ')}`);
  const problems = r.findings.filter((f) => f.code !== 'NODE_UNREACHABLE');
  if (problems.length === 0 && r.matrix.cells.length === 0 && !r.matrix.cells6?.length) {
    // nothing judged is not "every view matches"
    out.push(`${r.nodes.length} nodes: no pair judged (see each node's unverified checks).`);
  } else if (problems.length === 0) {
    out.push(`${r.nodes.length} nodes, ${v6Only ? `${r.matrix.cells6?.length ?? 0} ordered IPv6 pairs` : `${r.matrix.cells.length} ordered pairs${r.matrix.cells6 ? ' per family' : ''}`}: every view matches.`);
  } else {
    out.push(`${problems.length} problem${problems.length === 1 ? '' : 's'}:`);
    for (const f of problems) {
      out.push(`  ${f.severity === 'error' ? '✗' : '!'} [${f.code}] ${f.summary}`);
      for (const e of f.evidence) out.push(`      ${e}`);
      if (f.fix) out.push(`      fix ${f.fix}`);
    }
    out.push('Fix them all: flanctl repair --cluster DIR (dry run), then --apply.');
  }
  return fitText(out.join('\n'), view.width);
}
