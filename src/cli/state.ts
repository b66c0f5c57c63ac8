// The node-state and desired-state flags shared by trace, whohas, pod-veth, doctor and repair, and the one
// loader behind them: snapshots from the source flags, leases from the desired-state flags.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterDir } from '../cluster/dir.js';
import { clusterFlag } from '../cluster/flags.js';
import { loadSnapshots } from '../collect/index.js';
import { UsageError } from '../errors.js';
import { type DesiredOptions, loadDesiredState, parseNodesJson } from '../leases/index.js';
import type { DesiredState, Snapshot } from '../model/index.js';
import { parseSubnetEnv } from '../parse/index.js';
import { stderrProgress } from '../render/progress.js';
import { desiredFlags, sourceFlags } from './flags.js';

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
