import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { checkDestination, trace, type TraceHop, type TraceResult } from '../analyze/trace.js';
import { BaseCommand } from '../cli/base-command.js';
import { desiredFlags, sourceFlags } from '../cli/flags.js';
import { loadSnapshots } from '../collect/index.js';
import { UsageError } from '../errors.js';
import { type DesiredOptions, loadDesiredState, parseNodesJson } from '../leases/index.js';
import type { ClusterDir } from '../cluster/dir.js';
import { clusterFlag } from '../cluster/flags.js';
import { traceCluster } from '../cluster/trace.js';
import type { DesiredState, Snapshot } from '../model/index.js';
import { parseSubnetEnv } from '../parse/index.js';
import { renderAscii, renderDot, renderMermaid } from '../render/diagram.js';
import { stderrProgress } from '../render/progress.js';
import { renderTable } from '../render/table.js';

export const stateFlags = {
  ...sourceFlags,
  ...clusterFlag,
  nodes: desiredFlags.nodes,
  kube: desiredFlags.kube,
  kubeconfig: desiredFlags.kubeconfig,
  context: desiredFlags.context,
  etcd: desiredFlags.etcd,
  'etcd-prefix': desiredFlags['etcd-prefix'],
  'etcd-cafile': desiredFlags['etcd-cafile'],
  'etcd-certfile': desiredFlags['etcd-certfile'],
  'etcd-keyfile': desiredFlags['etcd-keyfile'],
  'subnet-env': desiredFlags['subnet-env'],
};

type StateFlagValues = {
  cluster?: string;
  netns?: string;
  snapshot?: string[];
  'from-dir'?: string[];
  nodes?: string;
  kube?: boolean;
  kubeconfig?: string;
  context?: string;
  etcd?: string;
  'etcd-prefix'?: string;
  'etcd-cafile'?: string;
  'etcd-certfile'?: string;
  'etcd-keyfile'?: string;
  'subnet-env'?: string;
};

/** Snapshots from the source flags, and desired state from the flags or a nodes.json bundled in a --from-dir. */
export async function loadState(flags: StateFlagValues): Promise<{ snapshots: Snapshot[]; desired?: DesiredState; cluster?: ClusterDir }> {
  if (flags.cluster !== undefined) {
    // the cluster services load execa and the transports: only when --cluster is used
    const { loadClusterState } = await import('../cluster/service.js');
    return loadClusterState(flags.cluster, desiredOptions(flags));
  }
  const progress = stderrProgress('collecting');
  let snapshots: Snapshot[];
  try {
    snapshots = await loadSnapshots({ netns: flags.netns, snapshot: flags.snapshot, fromDir: flags['from-dir'], onProgress: progress.update });
  } finally {
    progress.done();
  }
  if (flags['subnet-env'] !== undefined && snapshots[0]) snapshots[0].subnetEnv = parseSubnetEnv(await readText(flags['subnet-env']));
  let desired = await loadDesiredState(desiredOptions(flags));
  for (const dir of flags['from-dir'] ?? []) {
    if (desired) break;
    const text = await readFile(join(dir, 'nodes.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) desired = parseNodesJson(text, 'nodes-file');
  }
  return { snapshots, desired };
}

function desiredOptions(flags: StateFlagValues): DesiredOptions {
  return {
    nodes: flags.nodes,
    kube: flags.kube,
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    etcd: flags.etcd,
    etcdPrefix: flags['etcd-prefix'],
    etcdCafile: flags['etcd-cafile'],
    etcdCertfile: flags['etcd-certfile'],
    etcdKeyfile: flags['etcd-keyfile'],
  };
}

async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${e.code ?? e.message}`);
  });
}

export default class Trace extends BaseCommand {
  static summary = 'Follow a pod IP hop by hop to its node and veth, and name the broken hop.';

  static description = `Follow an IP hop by hop, as the kernel forwards it: route (longest prefix, metric), flannel.1 neigh (VtepMAC), fdb (-> node IP), the underlay route to that node; or the pod bridge -> fdb port -> host veth -> pod. Every hop gets a verdict and a stable problem code (NO_ROUTE, NEIGH_MISSING, FDB_DST_MISMATCH, VTEP_MAC_MISMATCH, VXLAN_DEVICE_DOWN, MTU_MISMATCH, NODE_NOT_IN_LEASES, VETH_NO_MASTER, …). With several --snapshot files (one per node; the first is where the trace starts) it continues on the target node down to the pod's veth and checks the way back. Exit 1 when the path is broken.`;

  static examples = [
    { description: 'Trace a pod IP on saved outputs from a ticket (seed k8snode028)', command: '<%= config.bin %> trace 10.27.13.5 --from-dir fixtures/nodes/k8snode028' },
    { description: 'Trace on this node, checking against the nodes\' flannel annotations', command: '<%= config.bin %> trace 10.244.3.7 --kube' },
    { description: 'Inside a network namespace, with saved `kubectl get nodes -o json`', command: '<%= config.bin %> trace 10.244.2.3 --netns node1 --nodes nodes.json' },
    { description: 'Across nodes, down to the pod veth and back', command: '<%= config.bin %> trace 10.244.2.3 --snapshot node1.json --snapshot node2.json' },
    { description: 'Across a cluster directory (collect --all), from a source pod to a destination pod and back', command: '<%= config.bin %> trace 10.244.1.5 10.244.3.7 --cluster cluster/' },
    { description: 'The path as a Graphviz diagram', command: '<%= config.bin %> trace 10.244.2.3 --snapshot node1.json --snapshot node2.json --format dot | dot -Tsvg > path.svg' },
  ];

  static args = {
    ip: Args.string({ description: 'destination IPv4 address (a pod IP); with --cluster and a second argument: the source pod (IP or name)', required: true }),
    destination: Args.string({ description: 'with --cluster: the destination IP, traced from the source pod\'s node', required: false }),
  };

  static flags = {
    format: Flags.string({ description: 'print only the path diagram: ascii, dot (Graphviz) or mermaid', options: ['ascii', 'dot', 'mermaid'] }),
    ...stateFlags,
  };

  async run(): Promise<TraceResult> {
    const { args, flags } = await this.parse(Trace);
    if (args.destination !== undefined && flags.cluster === undefined) throw new UsageError('a source and a destination go with --cluster DIR; without it, trace starts on the node it reads');
    checkDestination(args.destination ?? args.ip);
    const { snapshots, desired, cluster } = await loadState(flags);
    const result = args.destination !== undefined ? traceCluster(snapshots, args.ip, args.destination, desired, cluster?.pods) : trace(snapshots, args.ip, { desired });
    if (!result.ok) this.foundProblem();
    if (flags.format === 'dot') this.log(renderDot(result));
    else if (flags.format === 'mermaid') this.log(renderMermaid(result));
    else if (flags.format === 'ascii') this.log(renderAscii(result));
    else this.log(renderTrace(result));
    return result;
  }
}

function hopRows(hops: TraceHop[], multiNode: boolean): (string | undefined)[][] {
  return hops.map((h) => [h.step, ...(multiNode ? [h.node] : []), h.device, h.ok ? 'ok' : (h.problems ?? [h.problem]).join(' '), h.detail]);
}

/** The answer first, the evidence under it. */
export function renderTrace(r: TraceResult): string {
  const multi = new Set([...r.hops, ...(r.reverse?.hops ?? [])].map((h) => h.node)).size > 1;
  const head = ['step', ...(multi ? ['node'] : []), 'device', 'verdict', 'evidence'];
  const out = [r.summary, ''];
  if (r.route?.matched) out.push(`route: ${r.route.matched} — ${r.route.reason}`);
  if (r.targetNode) {
    const t = r.targetNode;
    out.push(`target node: ${t.ip}${t.name ? ` (${t.name})` : ''}${t.subnet ? `, subnet ${t.subnet}` : ''}${t.vtepMac ? `, VtepMAC ${t.vtepMac}` : ''}`);
  }
  out.push(renderTable(head, hopRows(r.hops, multi)));
  if (r.reverse) {
    out.push('', `way back to ${r.reverse.destination}: ${r.reverse.ok ? 'OK' : 'BROKEN'}`, renderTable(head, hopRows(r.reverse.hops, multi)));
  }
  out.push('', `path: ${renderAscii(r)}`);
  return out.join('\n');
}
