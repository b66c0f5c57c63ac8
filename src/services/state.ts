// The one loader behind trace, whohas, pod-veth, doctor and repair: snapshots from the source options,
// leases from the desired-state options (or a nodes.json bundled in a --from-dir or a cluster directory).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterDir } from '../cluster/dir.js';
import { loadSnapshots } from '../collect/index.js';
import { UsageError } from '../errors.js';
import { loadDesiredState, parseNodesJson } from '../leases/index.js';
import type { DesiredState, Snapshot } from '../model/index.js';
import { parseSubnetEnv } from '../parse/index.js';
import { stderrProgress } from '../render/progress.js';
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
      target.subnetEnv = parseSubnetEnv(await readText(o.subnetEnv));
    }
    return state;
  }
  const progress = stderrProgress('collecting');
  let snapshots: Snapshot[];
  try {
    snapshots = await loadSnapshots({ netns: o.netns, snapshot: o.snapshot, fromDir: o.fromDir, onProgress: progress.update });
  } finally {
    progress.done();
  }
  if (o.subnetEnv !== undefined && snapshots[0]) snapshots[0].subnetEnv = parseSubnetEnv(await readText(o.subnetEnv));
  let desired = await loadDesiredState(o.desired);
  for (const dir of o.fromDir) {
    if (desired) break;
    const text = await readFile(join(dir, 'nodes.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) desired = parseNodesJson(text, 'nodes-file');
  }
  return { snapshots, desired };
}

async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${e.code ?? e.message}`);
  });
}
