// Grep'd annotation lines short of a whole lease (DesiredState.partial) in a vxlan trace: the target node's VtepMAC
// checks the neighbour's MAC, its public-ip the fdb entry's dst. A field the lines did not show leaves exactly that
// comparison unverified, naming the annotation to paste; it is never a finding (doctor's partial check alike).
import type { PartialLease } from '../model/lease.js';
import { cidrContains6 } from '../model/ipv6.js';
import { cidrContains } from '../model/net.js';
import { isV6 } from './trace-index.js';
import type { Problem, TraceContext } from './trace-types.js';

export interface PartialTarget {
  lease: PartialLease;
  /** what tied the annotation lines to this destination */
  by: 'podCIDR' | 'public-ip' | 'VtepMAC';
}

/** The partial lease of the node a vxlan packet for `dst` goes to: by its podCIDR, the fdb dst, or the neigh's MAC. */
export function partialTarget(ctx: TraceContext, dst: string, mac: string, dsts: string[]): PartialTarget | undefined {
  const all = ctx.leases?.state.partial ?? [];
  const inSubnet = (p: PartialLease): boolean => p.subnet !== undefined && isV6(p.subnet) === isV6(dst) && (isV6(dst) ? cidrContains6(p.subnet, dst) : cidrContains(p.subnet, dst));
  const bySubnet = all.find(inSubnet);
  if (bySubnet) return { lease: bySubnet, by: 'podCIDR' };
  const byIp = all.find((p) => p.publicIp !== undefined && dsts.includes(p.publicIp));
  if (byIp) return { lease: byIp, by: 'public-ip' };
  const byMac = all.find((p) => p.vtepMac === mac);
  return byMac ? { lease: byMac, by: 'VtepMAC' } : undefined;
}

const paste = (p: PartialLease): string => `paste \`kubectl get node ${p.node} -o yaml\``;

/** The neighbour's MAC against the target's VtepMAC (backend-data). */
export function partialNeigh(t: PartialTarget, mac: string): { problem?: Problem; missing?: string } {
  const p = t.lease;
  if (t.by === 'VtepMAC') return {};
  if (!p.vtepMac) return { missing: `whether ${mac} is node ${p.node}'s VtepMAC: its backend-data annotation was not in the lines given: ${paste(p)}` };
  if (p.vtepMac !== mac) return { problem: { code: 'VTEP_MAC_MISMATCH', text: `node ${p.node}'s VtepMAC is ${p.vtepMac} (annotation lines, by its ${t.by})` } };
  return {};
}

/** The fdb entry's dst against the target's public-ip. */
export function partialFdb(t: PartialTarget, mac: string, dsts: string[]): { problem?: Problem; missing?: string } {
  const p = t.lease;
  if (t.by === 'public-ip') return {};
  if (!p.publicIp) return { missing: `whether ${dsts.join(', ')} is node ${p.node}'s public IP: its public-ip annotation was not in the lines given: ${paste(p)}` };
  if (!dsts.includes(p.publicIp)) return { problem: { code: 'FDB_DST_MISMATCH', text: `fdb entry ${mac} points to ${dsts.join(', ')}, node ${p.node}'s public IP is ${p.publicIp} (annotation lines)` } };
  return {};
}
