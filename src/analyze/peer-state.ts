// One judgement per peer (DESIGN.md): for (node, remote lease, family) what flanneld programs on this node —
// vxlan: neigh <sn>.0 -> VtepMAC PERMANENT, fdb VtepMAC -> public IP, route <sn> via <sn>.0 dev flannel.1 onlink;
// vxlan DirectRouting to a directly connected peer and host-gw: route <sn> via <public IP>; ipip: route
// <sn> via <public IP> dev flannel.ipip onlink (reference §1.2–1.4) — and what the node has. Each part is
// ok, broken (one catalogue code) or unverified (its table was not in the data given). doctor, trace, the
// cluster matrix and repair's plan all read this, so the same fault gets the same code everywhere.
import type { Code } from '../model/codes.js';
import type { FdbEntry } from '../model/fdb.js';
import type { Lease } from '../model/lease.js';
import type { Neigh } from '../model/neigh.js';
import type { Route } from '../model/route.js';
import { cidrContains } from '../model/net.js';
import { type CheckContext, remoteLeases, subnetAddress } from './checks/context.js';
import { absenceProves, collected, PASTE } from './collected.js';
import { isKnownDown } from './link-state.js';

/** IPv6 (flannel-v6.<VNI>, FLANNEL_IPV6_SUBNET) is another family of the same judgement, not built yet. */
export type Family = 'v4';

export type Verdict = { ok: true } | { ok: false; code: Code; why: string } | { ok: null; missing: string };

export interface WantRoute {
  dst: string;
  gateway: string;
  dev?: string;
  onlink: boolean;
}

export interface PeerState {
  lease: Lease;
  family: Family;
  /** `direct`: vxlan with DirectRouting to a peer on a connected network (one route, like host-gw) */
  path: 'vxlan' | 'direct' | 'host-gw' | 'ipip';
  route: { want: WantRoute; seen: Route[]; verdict: Verdict };
  /** vxlan only */
  neigh?: { want: { ip: string; mac: string }; seen?: Neigh; verdict: Verdict };
  /** vxlan only; `seen`: every `self` entry for the VtepMAC */
  fdb?: { want: { mac: string; dst: string }; seen: FdbEntry[]; verdict: Verdict };
}

/** Backends whose per-peer state is not neigh/fdb/route, and why. */
export const UNSUPPORTED_BACKENDS: Record<string, string> = {
  wireguard: 'per-peer state is WireGuard peers (`wg show`), not neigh/fdb/route',
  udp: 'flanneld forwards in userspace through flannel0: no per-peer kernel entries',
  ipsec: 'per-peer state is xfrm policies and SAs (`ip xfrm policy`), not neigh/fdb/route',
};

const OK: Verdict = { ok: true };
const broken = (code: Code, why: string): Verdict => ({ ok: false, code, why });
const unverified = (what: string, paste: string): Verdict => ({ ok: null, missing: `${what} was not in the data given: paste \`${paste}\`` });

const directRoutingOn = (ctx: CheckContext): boolean => {
  const v = ctx.netConf?.Backend?.DirectRouting;
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
};

/** flannel's ip.DirectRouting: the networks a peer can be directly connected on (link routes, not the overlay). */
function connectedNetworks(ctx: CheckContext): string[] {
  const out: string[] = [];
  for (const routes of ctx.routesByDst.values())
    for (const r of routes) if (!r.gateway && r.dev !== ctx.vxlanName && r.dst !== '0.0.0.0/0' && r.scope === 'link') out.push(r.dst);
  return out;
}

const sameRoute = (r: Route, want: WantRoute): boolean => r.gateway === want.gateway && (want.dev === undefined || r.dev === want.dev) && (!want.onlink || r.onlink);

/** The tables this node's snapshot has: a table it does not have leaves its parts unverified. */
export interface Evidence {
  routes: boolean;
  neigh: boolean;
  fdb: boolean;
  /** the vxlan device is known to be gone (the link list was read): none of its entries exist */
  vxlanGone: boolean;
  /** known to be down: the kernel dropped its routes and neighbours (flannel's permanent fdb entries stay) */
  vxlanDown: boolean;
}

export function evidenceOf(ctx: CheckContext): Evidence {
  const s = ctx.snapshot;
  return {
    routes: collected(s, 'routes'),
    neigh: collected(s, 'neigh'),
    fdb: collected(s, 'fdb'),
    vxlanGone: !ctx.vxlan && absenceProves(s),
    vxlanDown: ctx.vxlan !== undefined && isKnownDown(ctx.vxlan),
  };
}

/** What this node should have for `lease` and what it has. undefined when a vxlan lease has no VtepMAC. */
export function peerState(ctx: CheckContext, lease: Lease, direct: boolean, ev: Evidence = evidenceOf(ctx)): PeerState | undefined {
  const dev = ctx.vxlanName;
  const routes = ctx.routesByDst.get(lease.subnet) ?? [];
  const judgeRoute = (want: WantRoute): PeerState['route'] => {
    if (!ev.routes) return { want, seen: [], verdict: unverified('the route table', PASTE.routes) };
    const gone = want.dev === dev && (ev.vxlanGone || ev.vxlanDown);
    const shown = `${want.dst} via ${want.gateway}${want.dev ? ` dev ${want.dev}` : ''}${want.onlink ? ' onlink' : ''}`;
    if (routes.length === 0 || gone) return { want, seen: routes, verdict: broken('ROUTE_MISSING', `no route ${shown}${gone && routes.length ? ` (${dev} is down or gone)` : ''}`) };
    if (!routes.some((r) => sameRoute(r, want))) return { want, seen: routes, verdict: broken('ROUTE_MISMATCH', `the route to ${want.dst} is not ${shown}`) };
    return { want, seen: routes, verdict: OK };
  };

  if (lease.backendType === 'ipip') {
    return { lease, family: 'v4', path: 'ipip', route: judgeRoute({ dst: lease.subnet, gateway: lease.publicIp, dev: direct ? undefined : 'flannel.ipip', onlink: true }) };
  }
  if (lease.backendType !== 'vxlan' || direct) {
    return { lease, family: 'v4', path: direct ? 'direct' : 'host-gw', route: judgeRoute({ dst: lease.subnet, gateway: lease.publicIp, onlink: false }) };
  }
  if (!lease.vtepMac) return undefined;
  const gw = subnetAddress(lease.subnet);
  const mac = lease.vtepMac;
  const state: PeerState = { lease, family: 'v4', path: 'vxlan', route: judgeRoute({ dst: lease.subnet, gateway: gw, dev, onlink: true }) };

  const n = ctx.neighByDst.get(gw);
  let neigh: Verdict;
  if (!ev.neigh) neigh = unverified('the neighbour table', `${PASTE.neigh} dev ${dev}`);
  // an entry the kernel made while ARPing (INCOMPLETE/FAILED, no lladdr) means flannel's entry is missing (§2.4)
  else if (!n || ev.vxlanGone || ev.vxlanDown || !n.lladdr || n.state.includes('INCOMPLETE') || n.state.includes('FAILED'))
    neigh = broken('NEIGH_MISSING', `no neighbour ${gw} -> ${mac} on ${dev}${n && !ev.vxlanGone && !ev.vxlanDown ? ' (only the kernel\'s unanswered ARP entry)' : ''}`);
  else if (n.lladdr !== mac) neigh = broken('VTEP_MAC_MISMATCH', `neighbour ${gw} on ${dev} has lladdr ${n.lladdr}, the peer's VtepMAC is ${mac}`);
  else if (!n.state.includes('PERMANENT')) neigh = broken('NEIGH_NOT_PERMANENT', `neighbour ${gw} on ${dev} is ${n.state.join(',') || 'NONE'}, not PERMANENT: flannel's entry is gone and the kernel is resolving it`);
  else neigh = OK;
  state.neigh = { want: { ip: gw, mac }, seen: n, verdict: neigh };

  const entries = ctx.fdbByMac.get(mac) ?? [];
  const dsts: string[] = [...new Set(entries.map((f) => f.dst ?? 'no dst'))];
  let fdb: Verdict;
  if (!ev.fdb) fdb = unverified('the fdb table', `${PASTE.fdb} dev ${dev}`);
  else if (entries.length === 0 || ev.vxlanGone) fdb = broken('FDB_MISSING', `no fdb entry ${mac} dst ${lease.publicIp} on ${dev}`);
  else if (!dsts.includes(lease.publicIp)) fdb = broken('FDB_DST_MISMATCH', `fdb entry ${mac} on ${dev} points to ${dsts.join(',')}, the peer's public IP is ${lease.publicIp}`);
  else if (dsts.length > 1) fdb = broken('FDB_DUPLICATE', `${mac} on ${dev} has ${dsts.length} destinations (${dsts.join(', ')}): the kernel sends a copy to each`);
  else fdb = OK;
  state.fdb = { want: { mac, dst: lease.publicIp }, seen: entries, verdict: fdb };
  return state;
}

export interface PeerStates {
  peers: PeerState[];
  /** vxlan leases without VtepMAC: nothing to program */
  unusable: Lease[];
  /** leases of a backend whose per-peer state is not neigh/fdb/route */
  unsupported: { lease: Lease; reason: string }[];
}

/** Every remote lease this node programs, judged once. */
export function peerStates(ctx: CheckContext): PeerStates {
  const ev = evidenceOf(ctx);
  const connected = directRoutingOn(ctx) ? connectedNetworks(ctx) : [];
  const out: PeerStates = { peers: [], unusable: [], unsupported: [] };
  for (const lease of remoteLeases(ctx)) {
    const reason = UNSUPPORTED_BACKENDS[lease.backendType] ?? (['vxlan', 'host-gw', 'ipip'].includes(lease.backendType) ? undefined : `backend ${lease.backendType} is not checked`);
    if (reason) {
      out.unsupported.push({ lease, reason });
      continue;
    }
    const s = peerState(ctx, lease, connected.some((net) => cidrContains(net, lease.publicIp)), ev);
    if (s) out.peers.push(s);
    else out.unusable.push(lease);
  }
  return out;
}

export interface StaleEntries {
  routes: Route[];
  neigh: Neigh[];
  /** fdb entries whose MAC no lease holds, and whose dst is no live node: a departed node */
  fdb: FdbEntry[];
  /** fdb entries for a live node's old MAC (left behind by a MAC change, §1.2): harmless clutter */
  oldMacFdb: FdbEntry[];
}

/** The reverse: kernel state on the vxlan device that no current lease explains. Needs the full lease set. */
export function staleEntries(ctx: CheckContext): StaleEntries {
  // flannel never programs its own subnet on flannel.1: an entry for it is stale too (F3)
  const all = ctx.leases?.remotes ?? [];
  const subnets = new Set(all.map((l) => l.subnet));
  const gws = new Set(all.map((l) => subnetAddress(l.subnet)));
  const macs = new Set(all.map((l) => l.vtepMac).filter((m): m is string => !!m));
  const ips = new Set(all.map((l) => l.publicIp));
  const out: StaleEntries = { routes: [], neigh: [], fdb: [], oldMacFdb: [] };
  for (const routes of ctx.routesByDst.values())
    for (const r of routes) if (r.dev === ctx.vxlanName && !subnets.has(r.dst) && r.gateway !== undefined) out.routes.push(r);
  for (const n of ctx.neighByDst.values()) if (!gws.has(n.dst)) out.neigh.push(n);
  for (const [mac, entries] of ctx.fdbByMac) {
    if (macs.has(mac) || mac === '00:00:00:00:00:00') continue;
    for (const f of entries) (f.dst && ips.has(f.dst) ? out.oldMacFdb : out.fdb).push(f);
  }
  return out;
}
