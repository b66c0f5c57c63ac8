// trace: one node's walk (or several snapshots' walk), or with --cluster the source pod's node to the destination and back.
import { checkDestination, trace, type TraceResult } from '../analyze/trace.js';
import { traceCluster } from '../cluster/trace.js';
import { UsageError } from '../errors.js';
import type { ServiceResult, StateOptions } from './options.js';
import { loadState } from './state.js';

export async function traceService(o: StateOptions, ip: string, destination?: string): Promise<ServiceResult<TraceResult>> {
  if (destination !== undefined && o.cluster === undefined) throw new UsageError('a source and a destination go with --cluster DIR; without it, trace starts on the node it reads');
  checkDestination(destination ?? ip);
  const { snapshots, desired, cluster } = await loadState(o);
  const result = destination !== undefined ? traceCluster(snapshots, ip, destination, desired, cluster?.pods) : trace(snapshots, ip, { desired });
  // unverified (ok: null) is not a problem: only a broken hop changes the exit code
  return { result, exit: result.ok === false ? 1 : 0 };
}
