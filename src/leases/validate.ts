// Leases are input from other machines (node annotations, etcd keys, a nodes file, the nodes' own snapshots),
// and repair turns them into `ip route replace` as root. A lease whose subnet is not a pod subnet (the default
// route, half the address space, loopback, the underlay, this node's own pods) would take over real routes, so
// it is refused here, before anything plans with it. Pure.
import type { Code } from '../model/codes.js';
import { type DesiredState, hasV4, type Lease, leaseName } from '../model/lease.js';
import type { Snapshot } from '../model/snapshot.js';
import { ipv4ToInt, isIPv4 } from '../model/net.js';
import { leaseRefusal6, withoutV6 } from './validate6.js';

export type Problem = DesiredState['problems'][number];

/** A lease left out of the desired state, with why: reported by doctor, listed as skipped by repair (exit 1). */
export interface Refusal {
  lease: Lease;
  code: Code;
  reason: string;
  /** v6: only the lease's IPv6 half was left out (validate6.ts); its IPv4 half, if it has one, is programmed */
  family?: 'v6';
}

// never a pod subnet: "this network", loopback, link-local, multicast, reserved + broadcast
const RESERVED = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '240.0.0.0/4'];

function range(cidr: string): [number, number] | undefined {
  const [ip, lenText] = cidr.split('/');
  const len = Number(lenText);
  if (!isIPv4(ip) || !/^\d{1,2}$/.test(lenText ?? '') || len > 32) return undefined;
  const size = 2 ** (32 - len);
  const start = Math.floor(ipv4ToInt(ip) / size) * size;
  return [start, start + size - 1];
}

/** Do two IPv4 CIDRs share an address (one holds the other, or they are equal)? */
export function overlaps(a: string, b: string): boolean {
  const x = range(a);
  const y = range(b);
  return !!x && !!y && x[0] <= y[1] && y[0] <= x[1];
}

/** Is `inner` inside `outer` (or equal to it)? */
export function within(inner: string, outer: string): boolean {
  const x = range(inner);
  const y = range(outer);
  return !!x && !!y && y[0] <= x[0] && x[1] <= y[1];
}

// read once: every lease of a 5,000-node list is checked against them
const RESERVED_RANGES = RESERVED.map((r) => [r, range(r)!] as const);
const reservedOverlap = (x: [number, number] | undefined): string | undefined => (x ? RESERVED_RANGES.find(([, y]) => x[0] <= y[1] && y[0] <= x[1])?.[0] : undefined);

const isUnicastIp = (ip: string): boolean => reservedOverlap(range(`${ip}/32`)) === undefined;

/** 00:00:00:00:00:00 makes a node the default flood target; broadcast/multicast MACs are never a VTEP. */
const isUnicastMac = (mac: string): boolean => mac !== '00:00:00:00:00:00' && (parseInt(mac.slice(0, 2), 16) & 1) === 0;

/** What is wrong with a lease whatever node plans with it; undefined when nothing. */
export function leaseRefusal(lease: Lease, network?: string): Omit<Refusal, 'lease'> | undefined {
  // a v6-only lease has no IPv4 half to refuse (validate6.ts judges its IPv6 one)
  if (!hasV4(lease)) return undefined;
  const sn = lease.subnet;
  if (!range(sn)) return { code: 'LEASE_SUBNET_UNSAFE', reason: `subnet ${sn} is not an IPv4 prefix` };
  if (sn.endsWith('/0')) return { code: 'LEASE_SUBNET_UNSAFE', reason: `subnet ${sn} is the default route` };
  const reserved = reservedOverlap(range(sn));
  if (reserved) return { code: 'LEASE_SUBNET_UNSAFE', reason: `subnet ${sn} overlaps ${reserved} (never a pod subnet)` };
  if (network && range(network) && !within(sn, network)) return { code: 'LEASE_SUBNET_OUTSIDE_NETWORK', reason: `subnet ${sn} is outside the flannel Network ${network}` };
  if (!isIPv4(lease.publicIp) || !isUnicastIp(lease.publicIp) || lease.publicIp === '255.255.255.255') return { code: 'LEASE_BAD_PUBLIC_IP', reason: `public IP ${lease.publicIp} is not a unicast address` };
  if (lease.vtepMac !== undefined && !isUnicastMac(lease.vtepMac)) return { code: 'LEASE_BAD_VTEP_MAC', reason: `VtepMAC ${lease.vtepMac} is not a unicast MAC` };
  return undefined;
}

const problemOf = (r: Refusal): Problem => ({
  code: r.code,
  ...(r.lease.node !== undefined ? { node: r.lease.node } : {}),
  summary: `${r.family === 'v6' && hasV4(r.lease) ? 'IPv6 half of the lease' : 'lease'} of ${leaseName(r.lease)} refused: ${r.reason}`,
  evidence:
    r.family === 'v6'
      ? `${r.lease.node ?? '?'} subnet6 ${r.lease.subnet6} public-ipv6 ${r.lease.publicIpv6 ?? '?'}${r.lease.vtepMac6 ? ` VtepMAC ${r.lease.vtepMac6}` : ''} (${r.lease.source ?? 'desired state'})`
      : `${r.lease.node ?? '?'} subnet ${r.lease.subnet} public-ip ${r.lease.publicIp}${r.lease.vtepMac ? ` VtepMAC ${r.lease.vtepMac}` : ''} (${r.lease.source ?? 'desired state'})`,
});

/**
 * The desired state without the leases no node may program; each refused one becomes a problem and a refusal.
 * A lease whose IPv6 half alone is refused stays, without that half.
 */
export function validateDesired(state: DesiredState): DesiredState {
  const network = state.netConf?.Network;
  const leases: Lease[] = [];
  const refused: Refusal[] = [...(state.refused ?? [])];
  for (const lease of state.leases) {
    const r = leaseRefusal(lease, network);
    const r6 = r ? undefined : leaseRefusal6(lease, state.netConf?.IPv6Network);
    if (r) refused.push({ lease, ...r });
    else if (r6) {
      refused.push({ lease, ...r6, family: 'v6' });
      // a v6-only lease without its IPv6 half has nothing left to program
      if (hasV4(lease)) leases.push(withoutV6(lease));
    } else leases.push(lease);
  }
  if (refused.length === (state.refused ?? []).length) return state;
  return { ...state, leases, refused, problems: [...state.problems, ...refused.slice(state.refused?.length ?? 0).map(problemOf)] };
}

/** What this node has that a remote lease must not cover: its own pod subnet, its addresses, its connected routes. */
export interface NodeGround {
  /** the flannel device(s): their own overlay addresses and routes are flannel's, not the node's */
  overlayDevs: Set<string>;
  ownSubnet?: string;
  /** the flannel Network as this node knows it (subnet.env), when net-conf did not say */
  network?: string;
  snapshot: Snapshot;
}

/**
 * Why `lease` (a remote one) must not be programmed on this node: one reason per code, none when it may. Every code,
 * not the first: a paste without subnet.env (or without the addresses and routes) then still gives the others'.
 */
export function nodeRefusals(lease: Lease, g: NodeGround): Omit<Refusal, 'lease'>[] {
  // a v6-only lease has no IPv4 half to refuse here (nodeRefusal6 judges its IPv6 one)
  if (!hasV4(lease)) return [];
  const sn = lease.subnet;
  const out: Omit<Refusal, 'lease'>[] = [];
  const overlap = overlapReason(sn, g);
  if (overlap) out.push({ code: 'LEASE_SUBNET_OVERLAPS_NODE', reason: overlap });
  if (g.network && range(g.network) && !within(sn, g.network)) out.push({ code: 'LEASE_SUBNET_OUTSIDE_NETWORK', reason: `subnet ${sn} is outside this node's flannel Network ${g.network}` });
  return out;
}

function overlapReason(sn: string, g: NodeGround): string | undefined {
  if (g.ownSubnet && overlaps(sn, g.ownSubnet)) return `subnet ${sn} overlaps this node's own lease ${g.ownSubnet}`;
  const { addresses, routes } = groundOf(g);
  for (const a of addresses) if (overlaps(sn, `${a.local}/${a.prefixlen}`)) return `subnet ${sn} overlaps ${a.local}/${a.prefixlen} on ${a.dev}`;
  for (const r of routes) if (overlaps(sn, r.dst)) return `subnet ${sn} overlaps the connected route ${r.dst}${r.dev ? ` dev ${r.dev}` : ''}`;
  return undefined;
}

const grounds = new WeakMap<NodeGround, { addresses: Snapshot['addresses']; routes: Snapshot['routes'] }>();

/**
 * The node's own addresses (off the flannel devices) and its connected IPv4 routes, picked once per node: every
 * remote lease is judged against them, and a 5,000-peer node's 5,000 flannel routes are none of them (scanning them
 * for each lease cost ≈ 0.9 s of a trace with a 5,001-node nodes.json).
 */
function groundOf(g: NodeGround): { addresses: Snapshot['addresses']; routes: Snapshot['routes'] } {
  let ground = grounds.get(g);
  if (!ground) {
    const addresses = g.snapshot.addresses.filter((a) => a.family === 'inet' && !g.overlayDevs.has(a.dev));
    // the kernel's connected routes and any link route: replacing one cuts the node off that network
    const routes = g.snapshot.routes.filter(
      (r) => r.dst !== '0.0.0.0/0' && !r.dst.includes(':') && !(r.dev !== undefined && g.overlayDevs.has(r.dev)) && (r.proto === 'kernel' || (r.gateway === undefined && r.scope === 'link')),
    );
    grounds.set(g, (ground = { addresses, routes }));
  }
  return ground;
}
