// The IPv6 half of a dual-stack lease (reference §3.1, §3.2): podCIDRs' v6 entry or the etcd key's `&fd00:…-64`
// part, `public-ipv6` (or `public-ipv6-overwrite`) / etcd PublicIPv6, and `backend-v6-data` / BackendV6Data
// ({"VNI":1,"VtepMAC":"…"} for flannel-v6.<VNI>; {"PublicKey":"…","Port":51821} for wireguard's flannel-wg-v6). A malformed value is a problem, never a crash; the IPv4 half
// of the lease stands on its own.
import type { Lease } from '../model/lease.js';
import { normalizeIPv6, normalizeSubnet6 } from '../model/ipv6.js';
import { type Problem, readBackendData } from './lease.js';

export interface V6Input {
  subnet?: string;
  publicIp?: unknown;
  backendData?: unknown;
}

type V6Fields = Pick<Lease, 'subnet6' | 'publicIpv6' | 'vni6' | 'vtepMac6' | 'publicKey6' | 'wgPort6'>;

export function readV6(input: V6Input, who: string, evidence: string): { fields: V6Fields; problems: Problem[] } {
  const fields: V6Fields = {};
  const problems: Problem[] = [];
  if (input.subnet !== undefined) {
    const s = normalizeSubnet6(input.subnet);
    if (s) fields.subnet6 = s;
    else problems.push({ code: 'LEASE_BAD_SUBNET', node: who, summary: `${who}: IPv6 subnet ${JSON.stringify(input.subnet)} is not an IPv6 prefix`, evidence });
  }
  if (input.publicIp !== undefined && input.publicIp !== null) {
    const ip = typeof input.publicIp === 'string' ? normalizeIPv6(input.publicIp) : undefined;
    if (ip) fields.publicIpv6 = ip;
    else problems.push({ code: 'LEASE_BAD_PUBLIC_IP', node: who, summary: `${who}: IPv6 public IP ${JSON.stringify(input.publicIp)} is not an IPv6 address`, evidence });
  }
  if (input.backendData !== undefined) {
    const bd = readBackendData(input.backendData, who, evidence);
    if (bd.problem) problems.push({ ...bd.problem, summary: bd.problem.summary.replace('backend-data', 'backend-v6-data') });
    if (bd.vni !== undefined) fields.vni6 = bd.vni;
    if (bd.vtepMac !== undefined) fields.vtepMac6 = bd.vtepMac;
    if (bd.publicKey !== undefined) fields.publicKey6 = bd.publicKey;
    if (bd.wgPort !== undefined) fields.wgPort6 = bd.wgPort;
  }
  return { fields, problems };
}
