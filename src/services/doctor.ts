// doctor: every node's checks against the leases; with --cluster also the node × node matrix and the unreachable nodes.
import { runDoctor, type DoctorReport } from '../analyze/doctor.js';
import { type ClusterDoctor, doctorCluster } from '../cluster/doctor.js';
import type { ConsistencyMatrix } from '../analyze/matrix.js';
import type { Finding } from '../model/finding.js';
import type { ServiceResult, StateOptions } from './options.js';
import { loadState } from './state.js';

export interface DoctorJson {
  ok: boolean;
  findings: Finding[];
  skipped: { node: string; check: string; reason: string }[];
  /** what could not be checked because the data given lacks it (never a finding, never the exit code) */
  unverified: { node: string; check: string; missing: string }[];
  nodes: Omit<DoctorReport, 'findings' | 'skipped' | 'unverified'>[];
  /** --cluster: every node's view of every peer, and the nodes that were not collected */
  matrix?: ConsistencyMatrix;
  unreachable?: { name: string; error: string }[];
}

export interface DoctorOutcome {
  doc: DoctorJson;
  /** --cluster: the cross-node part, for its own view */
  crossNode?: ClusterDoctor;
}

export async function doctorService(o: StateOptions): Promise<ServiceResult<DoctorOutcome>> {
  const { snapshots, desired, cluster } = await loadState(o);
  const reports = snapshots.map((snapshot) => runDoctor({ snapshot, desired, nodeName: o.node }));
  const doc: DoctorJson = {
    ok: reports.every((r) => r.ok),
    findings: reports.flatMap((r) => r.findings),
    skipped: reports.flatMap((r) => r.skipped.map((s) => ({ node: r.node, ...s }))),
    unverified: reports.flatMap((r) => r.unverified.map((u) => ({ node: r.node, ...u }))),
    nodes: reports.map(({ findings: _f, skipped: _s, unverified: _u, ...rest }) => rest),
  };
  const crossNode = cluster && doctorCluster(cluster, desired);
  if (crossNode) {
    // the matrix's diagonal checks a node's own flannel.1 too: what it could not see is listed with the rest
    const open = crossNode.matrix.nodes.flatMap((n) => (n.unverified ?? []).map((missing) => ({ node: n.name, check: 'cluster matrix', missing })));
    Object.assign(doc, { ok: doc.ok && crossNode.ok, findings: [...doc.findings, ...crossNode.findings], unverified: [...doc.unverified, ...open], matrix: crossNode.matrix, unreachable: crossNode.unreachable });
  }
  return { result: { doc, crossNode }, exit: doc.ok ? 0 : 1 };
}
