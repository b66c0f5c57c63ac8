import { whohas, type WhohasResult } from '../analyze/whohas.js';
import { normalizeIp, whohasIp } from '../analyze/whohas-ip.js';
import { UsageError } from '../errors.js';
import { normalizeMac } from '../model/net.js';
import type { ServiceResult, StateOptions } from './options.js';
import { loadState } from './state.js';

/** A MAC in any spelling, else an IPv4 or IPv6 address; bad input fails before any collection. */
function parseTarget(input: string): { mac: string } | { ip: string } {
  try {
    return { mac: normalizeMac(input) };
  } catch {
    const ip = normalizeIp(input);
    if (ip) return { ip };
    throw new UsageError(`not a MAC address or an IP address: ${JSON.stringify(input)}`);
  }
}

export async function whohasService(o: StateOptions, target: string): Promise<ServiceResult<WhohasResult>> {
  const t = parseTarget(target);
  const { snapshots, desired } = await loadState(o);
  const result = 'mac' in t ? whohas(snapshots, t.mac, desired) : whohasIp(snapshots, t.ip, desired);
  return { result, exit: result.owners.length === 0 || result.duplicate ? 1 : 0 };
}
