// The one loader behind trace, whohas, pod-veth, doctor and repair: snapshots from the source options,
// leases from the desired-state options (or pasted in a --from-dir: nodes.json, kubectl get nodes; or a cluster directory).
import type { ClusterDir } from '../cluster/dir.js';
import { loadSnapshots, type SourcesLoad } from '../collect/index.js';
import { readInputFile } from '../collect/input.js';
import { UsageError } from '../errors.js';
import { loadDesiredState } from '../leases/index.js';
import type { DesiredState, Snapshot } from '../model/index.js';
import { parseSubnetEnv } from '../parse/subnet-env.js';
import { stderrProgress } from '../render/progress.js';
import { sourceWarnings } from '../render/sources.js';
import type { StateOptions } from './options.js';

export interface LoadedState {
  snapshots: Snapshot[];
  desired?: DesiredState;
  cluster?: ClusterDir;
}

export async function loadState(o: StateOptions): Promise<LoadedState> {
  if (o.cluster !== undefined) {
    // the cluster services load execa and the transports: only when --cluster is used
    const { loadClusterState } = await import('../cluster/service.js');
    const state = await loadClusterState(o.cluster, o.desired);
    if (o.subnetEnv !== undefined) {
      // --subnet-env is one node's file: with a cluster directory, the node --node names
      const target = o.node !== undefined ? state.snapshots.find((s) => s.host === o.node) : state.snapshots.length === 1 ? state.snapshots[0] : undefined;
      if (!target) throw new UsageError('--subnet-env with --cluster is one node\'s file: name that node with --node NAME (as in the directory)');
      target.subnetEnv = parseSubnetEnv(await readInputFile(o.subnetEnv, '--subnet-env'));
    }
    return state;
  }
  const progress = stderrProgress('collecting');
  let snapshots: Snapshot[];
  // desired state pasted with the outputs (nodes.json, `kubectl get nodes -o yaml`) counts when no option names one
  let pasted: DesiredState | undefined;
  try {
    snapshots = await loadSnapshots({ netns: o.netns, snapshot: o.snapshot, fromDir: o.fromDir, dev: o.dev, at: o.at, onProgress: progress.update, onSources: (load) => void (pasted ??= warnSources(load)) });
  } finally {
    progress.done();
  }
  if (o.subnetEnv !== undefined && snapshots[0]) snapshots[0].subnetEnv = parseSubnetEnv(await readInputFile(o.subnetEnv, '--subnet-env'));
  const desired = (await loadDesiredState(o.desired)) ?? pasted;
  return { snapshots, desired };
}

/** Lines skipped and blocks not read in a --from-dir, on stderr (never in --json's stdout); the desired state pasted with it. */
export function warnSources(load: SourcesLoad): DesiredState | undefined {
  for (const w of sourceWarnings(load)) process.stderr.write(`flanctl: warning: ${w}\n`);
  return load.desired;
}

