// doctor --cluster: the node × node grid and the cross-node problems.
import type { ClusterDoctor } from '../cluster/doctor.js';
import { matrixGrid } from '../analyze/matrix.js';
import { fitText, type View } from './layout.js';
import { renderTable } from './table.js';

export function renderClusterDoctor(r: ClusterDoctor, view: View = {}): string {
  const grid = matrixGrid(r.matrix);
  // a v6-only cluster has no IPv4 pair: its IPv4 grid would show nothing judged
  const v6Only = r.matrix.cells.length === 0 && r.matrix.cells6 !== undefined;
  // what a cell compares: a wireguard node's peer on flannel-wg, a vxlan node's neigh/fdb/route
  const wg = r.matrix.nodes.some((n) => n.backend === 'wireguard');
  const vxlan = r.matrix.nodes.some((n) => n.backend === undefined);
  const other = [...new Set(r.matrix.nodes.map((n) => n.backend).filter((b) => b !== undefined && b !== 'wireguard'))];
  const what = [
    ...(vxlan ? ['its neigh/fdb/route state for the peer in each column, checked against that peer\'s real flannel.1'] : []),
    ...(wg ? ['its flannel-wg peer for the node in each column, checked against that node\'s real public key and listen port, public IP and subnet'] : []),
  ].join('; for a wireguard node, ');
  // host-gw / ipip nodes: no cell (n/a), their routes are doctor's on each node
  const notJudged = other.length ? ` ${other.join(', ')} nodes: not judged here (n/a), see each node's doctor below.` : '';
  const out = v6Only
    ? [`IPv4: none (every node is IPv6-only, no ${wg ? 'flannel-wg' : 'flannel.1'}).`]
    : [`Each row is a node's own view${what ? `: ${what}` : ''} (✓ = matches, · = the node itself).${notJudged}`, renderTable(grid.head, grid.rows, view)];
  if (r.matrix.cells6) {
    const grid6 = matrixGrid(r.matrix, 'v6');
    const what6 = [
      ...(vxlan ? ['on flannel-v6.<VNI>, against each peer\'s real flannel-v6 MAC, public-ipv6 and IPv6 subnet'] : []),
      ...(wg ? ['on flannel-wg-v6 (Mode separate), against each node\'s real flannel-wg-v6 key and port, public-ipv6 and IPv6 subnet'] : []),
    ].join('; ');
    out.push(`IPv6: the same ${what6}.`, renderTable(grid6.head, grid6.rows, view));
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
    // repair programs neigh/fdb/route; WireGuard peers are flanneld's (it re-adds them from the leases)
    if (problems.some((f) => !f.code.startsWith('WG_'))) out.push('Fix them all: flanctl repair --cluster DIR (dry run), then --apply.');
    if (problems.some((f) => f.code.startsWith('WG_'))) out.push('WireGuard (WG_*): flanctl repair does not program peers: run each fix line, or restart flanneld on the node (it re-adds every peer from the leases).');
  }
  return fitText(out.join('\n'), view.width);
}
