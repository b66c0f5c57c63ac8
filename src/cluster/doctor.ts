// `doctor --cluster DIR`: the consistency matrix over every node that answered, plus the nodes that
// did not (a partial result, said so). Pure over the loaded directory.
import type { Finding } from '../model/finding.js';
import type { DesiredState } from '../model/lease.js';
import type { ClusterDir } from './dir.js';
import { type ConsistencyMatrix, consistencyMatrix, matrixFindings } from '../analyze/matrix.js';

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
