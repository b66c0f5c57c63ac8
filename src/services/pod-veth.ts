import { podVeth, type PodVethResult } from '../analyze/pod-veth.js';
import type { ServiceResult, StateOptions } from './options.js';
import { loadState } from './state.js';

export interface PodVethReport extends PodVethResult {
  /** a pod was asked for and nothing matches it */
  notFound?: string;
}

export async function podVethService(o: StateOptions, pod?: string): Promise<ServiceResult<PodVethReport>> {
  const { snapshots } = await loadState(o);
  const result: PodVethReport = podVeth(snapshots, pod);
  if (pod !== undefined && result.pods.length === 0 && result.unmapped.length === 0) result.notFound = pod;
  return { result, exit: result.notFound !== undefined || result.problems.length ? 1 : 0 };
}
