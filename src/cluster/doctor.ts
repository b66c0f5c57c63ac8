// `doctor --cluster DIR`: the consistency matrix over every node that answered, plus the nodes that
// did not (a partial result, said so). Pure over the loaded directory.
import type { Finding } from '../model/finding.js';
import type { DesiredState } from '../model/lease.js';
import { renderTable } from '../render/table.js';
import type { ClusterDir } from './dir.js';
import { type ConsistencyMatrix, consistencyMatrix, matrixFindings, matrixGrid } from './matrix.js';

export interface ClusterDoctor {
  ok: boolean;
  findings: Finding[];
  /** nodes analysed */
  nodes: string[];
  unreachable: { name: string; error: string }[];
  matrix: ConsistencyMatrix;
}

export function doctorCluster(cluster: ClusterDir, desired?: DesiredState): ClusterDoctor {
  const matrix = consistencyMatrix(cluster.snapshots, desired);
  const findings: Finding[] = [
    ...cluster.unreachable.map(
      (u): Finding => ({
        code: 'NODE_UNREACHABLE',
        severity: 'warning',
        summary: `${u.name} was not collected (${u.error}): its row and column are missing from the matrix`,
        evidence: [],
        node: u.name,
      }),
    ),
    ...matrixFindings(matrix),
  ];
  return { ok: matrix.ok && cluster.unreachable.length === 0, findings, nodes: cluster.snapshots.map((s) => s.host), unreachable: cluster.unreachable, matrix };
}

export function renderClusterDoctor(r: ClusterDoctor): string {
  const grid = matrixGrid(r.matrix);
  const out = [
    'Each row is a node\'s own neigh/fdb/route state for the peer in each column, checked against that peer\'s real flannel.1 (✓ = matches, · = the node itself).',
    renderTable(grid.head, grid.rows),
  ];
  if (r.unreachable.length) out.push(`Not collected (${r.unreachable.length}): ${r.unreachable.map((u) => `${u.name} — ${u.error}`).join('; ')}`);
  const problems = r.findings.filter((f) => f.code !== 'NODE_UNREACHABLE');
  if (problems.length === 0) {
    out.push(`${r.nodes.length} nodes, ${r.matrix.cells.length} ordered pairs: every view matches.`);
  } else {
    out.push(`${problems.length} problem${problems.length === 1 ? '' : 's'}:`);
    for (const f of problems) {
      out.push(`  ${f.severity === 'error' ? '✗' : '!'} [${f.code}] ${f.summary}`);
      for (const e of f.evidence) out.push(`      ${e}`);
      if (f.fix) out.push(`      fix ${f.fix}`);
    }
    out.push('Fix them all: flanctl repair --cluster DIR (dry run), then --apply.');
  }
  return out.join('\n');
}
