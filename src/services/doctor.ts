// doctor: every node's checks against the leases; with --cluster also the node × node matrix and the unreachable nodes.
import { runDoctor, type DoctorReport } from '../analyze/doctor.js';
import { type ClusterDoctor, doctorCluster } from '../cluster/doctor.js';
import type { ConsistencyMatrix } from '../cluster/matrix.js';
import type { Finding } from '../model/finding.js';
import type { ServiceResult, StateOptions } from './options.js';
import { loadState } from './state.js';

export interface DoctorJson {
  ok: boolean;
  findings: Finding[];
  skipped: { node: string; check: string; reason: string }[];
  nodes: Omit<DoctorReport, 'findings' | 'skipped'>[];
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
    nodes: reports.map(({ findings: _f, skipped: _s, ...rest }) => rest),
  };
  const crossNode = cluster && doctorCluster(cluster, desired);
  if (crossNode) Object.assign(doc, { ok: doc.ok && crossNode.ok, findings: [...doc.findings, ...crossNode.findings], matrix: crossNode.matrix, unreachable: crossNode.unreachable });
  return { result: { doc, crossNode }, exit: doc.ok ? 0 : 1 };
}
