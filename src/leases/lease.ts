// Helpers shared by every desired-state source: validate one lease's values and finish a DesiredState.
import { type DesiredState, type Lease, leaseName, type NetConf } from '../model/lease.js';
import { Cidr, isIPv4, normalizeMac } from '../model/net.js';
import { WgKey } from '../model/wireguard.js';
import { validateDesired } from './validate.js';

export type Problem = DesiredState['problems'][number];

/** flannel's subnet key / podCIDR, normalised to the network address (10.244.3.7/24 -> 10.244.3.0/24); undefined if not IPv4 CIDR. */
export function normalizeSubnet(text: string): string | undefined {
  if (!Cidr.safeParse(text).success) return undefined;
  const [ip, len] = text.split('/');
  if (!isIPv4(ip)) return undefined;
  const n = Number(len);
  const p = ip.split('.').map(Number);
  const v = ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
  const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  const net = (v & mask) >>> 0;
  return `${[net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join('.')}/${n}`;
}

/** A MAC as flannel writes it in backend-data, lower case with colons; undefined when it is not one. */
export function leaseMac(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return normalizeMac(text);
  } catch {
    return undefined;
  }
}

/** flannel's BackendData ({"VNI":1,"VtepMAC":"…"}) parsed from JSON text or an object; a problem when it is not one. */
export function readBackendData(
  raw: unknown,
  who: string,
  evidence: string,
): { vni?: number; vtepMac?: string; publicKey?: string; wgPort?: number; problem?: Problem } {
  let data: unknown = raw;
  if (typeof raw === 'string') {
    try {
      data = JSON.parse(raw);
    } catch (e) {
      return { problem: { code: 'LEASE_BAD_BACKEND_DATA', node: who, summary: `${who}: backend-data is not JSON (${(e as Error).message})`, evidence } };
    }
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    return { problem: { code: 'LEASE_BAD_BACKEND_DATA', node: who, summary: `${who}: backend-data is not a JSON object`, evidence } };
  }
  const obj = data as Record<string, unknown>;
  const vni = typeof obj.VNI === 'number' && Number.isInteger(obj.VNI) && obj.VNI >= 0 ? obj.VNI : undefined;
  const vtepMac = leaseMac(obj.VtepMAC);
  if (obj.VtepMAC !== undefined && vtepMac === undefined) {
    return { vni, problem: { code: 'LEASE_BAD_BACKEND_DATA', node: who, summary: `${who}: backend-data VtepMAC ${JSON.stringify(obj.VtepMAC)} is not a MAC address`, evidence } };
  }
  // wireguard: {"PublicKey":"<base64>","Port":51820}; a key that is not one is a problem like a bad VtepMAC
  const wg: { publicKey?: string; wgPort?: number } = {};
  if (obj.PublicKey !== undefined) {
    if (!WgKey.safeParse(obj.PublicKey).success) return { vni, vtepMac, problem: { code: 'LEASE_BAD_BACKEND_DATA', node: who, summary: `${who}: backend-data PublicKey ${JSON.stringify(obj.PublicKey)} is not a WireGuard key`, evidence } };
    wg.publicKey = obj.PublicKey as string;
  }
  if (typeof obj.Port === 'number' && Number.isInteger(obj.Port) && obj.Port > 0 && obj.Port < 65536) wg.wgPort = obj.Port;
  return { vni, vtepMac, ...wg };
}

/**
 * Refuse the leases no node may program (validate.ts), add the problems that need every lease (two nodes holding
 * one subnet, flannel #1289) and return the state.
 */
export function finishDesired(all: Lease[], given: Problem[], netConf?: NetConf): DesiredState {
  const valid = validateDesired(netConf ? { leases: all, problems: given, netConf } : { leases: all, problems: given });
  const { leases, problems } = valid;
  // per family: a v6-only lease has no IPv4 subnet to share
  const bySubnet = new Map<string, Lease[]>();
  for (const lease of leases) {
    for (const subnet of [lease.subnet, lease.subnet6]) {
      if (subnet === undefined) continue;
      const list = bySubnet.get(subnet);
      if (list) list.push(lease);
      else bySubnet.set(subnet, [lease]);
    }
  }
  for (const [subnet, list] of bySubnet) {
    if (list.length < 2) continue;
    const v6 = subnet.includes(':');
    const ip = (l: Lease): string => (v6 ? l.publicIpv6 : l.publicIp) ?? '?';
    const who = list.map((l) => `${l.node ?? '?'} (${ip(l)})`).join(', ');
    problems.push({
      code: 'LEASE_DUPLICATE_SUBNET',
      summary: `subnet ${subnet} is leased to ${list.length} nodes: ${who}`,
      evidence: list.map((l) => `${leaseName(l)} ${subnet} public-ip${v6 ? 'v6' : ''} ${ip(l)}`).join('\n'),
    });
  }
  return valid;
}

/** flannel spells backend types in lower case; configs in the wild say "VxLAN" (seed 001). */
export const backendTypeOf = (text: unknown): string | undefined => (typeof text === 'string' && text.trim() ? text.trim().toLowerCase() : undefined);
