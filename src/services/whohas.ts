import { whohas, type WhohasResult } from '../analyze/whohas.js';
import { normalizeMac } from '../model/net.js';
import type { ServiceResult, StateOptions } from './options.js';
import { loadState } from './state.js';

export async function whohasService(o: StateOptions, mac: string): Promise<ServiceResult<WhohasResult>> {
  normalizeMac(mac); // bad input fails before any collection
  const { snapshots, desired } = await loadState(o);
  const result = whohas(snapshots, mac, desired);
  return { result, exit: result.owners.length === 0 || result.duplicate ? 1 : 0 };
}
