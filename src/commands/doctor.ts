import { runDoctor, type DoctorReport } from '../analyze/doctor.js';
import { BaseCommand } from '../cli/base-command.js';
import { desiredFlags } from '../cli/flags.js';
import type { Finding } from '../model/finding.js';
import { renderTable } from '../render/table.js';
import { doctorCluster, renderClusterDoctor } from '../cluster/doctor.js';
import type { ConsistencyMatrix } from '../cluster/matrix.js';
import { loadState, stateFlags } from '../cli/state.js';

export interface DoctorJson {
  ok: boolean;
  findings: Finding[];
  skipped: { node: string; check: string; reason: string }[];
  nodes: Omit<DoctorReport, 'findings' | 'skipped'>[];
  /** --cluster: every node's view of every peer, and the nodes that were not collected */
  matrix?: ConsistencyMatrix;
  unreachable?: { name: string; error: string }[];
}

export default class Doctor extends BaseCommand {
  static description = `Compare the node with flannel's desired state and explain every difference.
For every remote lease: the neigh / fdb / route flannel programs (vxlan) or the route (host-gw, ipip) — missing,
wrong or stale VtepMAC; entries for nodes that no longer hold a lease; flannel.1 missing, down, wrong VNI/port/local,
learning on, extra addresses, MTU; pod bridge address vs FLANNEL_SUBNET; subnet.env; veths without pods;
ip_forward, br_netfilter; FORWARD policy; masquerade; tx checksum offload; duplicate subnets in the leases.
Each finding has a stable code, the evidence from the node's own state and the fix. Without --nodes/--kube/--etcd
only the checks that need no leases run (the others are listed as skipped). Exit 1 when anything is wrong.`;

  static examples = [
    { description: 'This node against the cluster\'s node annotations', command: '<%= config.bin %> doctor --kube' },
    { description: 'Against saved `kubectl get nodes -o json`, inside a namespace', command: '<%= config.bin %> doctor --netns node1 --nodes nodes.json' },
    { description: 'Against etcd (older flannel, v2 keys under a custom prefix)', command: '<%= config.bin %> doctor --etcd http://127.0.0.1:2379 --etcd-prefix /kube-centos/network' },
    { description: 'Only the checks that need no leases, on outputs pasted into a ticket', command: '<%= config.bin %> doctor --from-dir fixtures/nodes/k8snode028' },
    { description: 'Every node of a cluster directory, and every node\'s view of every peer (node × node matrix)', command: '<%= config.bin %> doctor --cluster cluster/' },
    { description: 'Machine-readable', command: '<%= config.bin %> doctor --kube --json | jq \'.findings[] | select(.severity=="error") | .code\'' },
  ];

  static flags = { ...stateFlags, node: desiredFlags.node };

  async run(): Promise<DoctorJson> {
    const { flags } = await this.parse(Doctor);
    const { snapshots, desired, cluster } = await loadState(flags);
    const reports = snapshots.map((snapshot) => runDoctor({ snapshot, desired, nodeName: flags.node }));
    const doc: DoctorJson = {
      ok: reports.every((r) => r.ok),
      findings: reports.flatMap((r) => r.findings),
      skipped: reports.flatMap((r) => r.skipped.map((s) => ({ node: r.node, ...s }))),
      nodes: reports.map(({ findings: _f, skipped: _s, ...rest }) => rest),
    };
    const crossNode = cluster && doctorCluster(cluster, desired);
    if (crossNode) Object.assign(doc, { ok: doc.ok && crossNode.ok, findings: [...doc.findings, ...crossNode.findings], matrix: crossNode.matrix, unreachable: crossNode.unreachable });
    if (!doc.ok) this.foundProblem();
    if (crossNode && !this.jsonEnabled()) this.log(`Across the cluster:\n${renderClusterDoctor(crossNode)}\n`);
    if (!this.jsonEnabled()) this.log(renderDoctor(doc));
    return doc;
  }
}

const TABLE_ROWS = 200;

function renderDoctor(doc: DoctorJson): string {
  const out: string[] = [];
  for (const n of doc.nodes) {
    const lease = n.localLease ? `lease ${n.localLease.subnet} (${n.localLeaseHow})` : n.localLeaseHow ? n.localLeaseHow : 'no desired state';
    out.push(`node ${n.node}: backend ${n.backend ?? 'unknown'}, ${lease}, ${n.peers} peer lease(s)`);
  }
  if (doc.findings.length === 0) out.push('', 'no findings: the node matches flannel\'s desired state');
  else {
    // cli-table3's layout is quadratic in rows: a broken node with thousands of peers gets counts per code first
    if (doc.findings.length > TABLE_ROWS) {
      const counts = new Map<string, [string, number]>();
      for (const f of doc.findings) counts.set(f.code, [f.severity, (counts.get(f.code)?.[1] ?? 0) + 1]);
      out.push('', renderTable(['SEVERITY', 'CODE', 'FINDINGS'], [...counts].map(([code, [sev, n]]) => [sev, code, n])));
    } else out.push('', renderTable(['SEVERITY', 'CODE', 'NODE', 'SUMMARY'], doc.findings.map((f) => [f.severity, f.code, f.node, f.summary])));
    out.push('', 'Evidence and fixes:');
    for (const f of doc.findings.slice(0, TABLE_ROWS)) {
      out.push(`  ${f.code} (${f.node ?? '?'})`);
      for (const e of f.evidence) out.push(`      ${e}`);
      if (f.fix) out.push(`    fix: ${f.fix}`);
    }
    if (doc.findings.length > TABLE_ROWS) out.push(`  … ${doc.findings.length - TABLE_ROWS} more findings (all of them with --json)`);
  }
  if (doc.skipped.length) {
    out.push('', 'Skipped checks:');
    for (const s of doc.skipped) out.push(`  ${s.check} (${s.node}): ${s.reason}`);
  }
  return out.join('\n');
}
