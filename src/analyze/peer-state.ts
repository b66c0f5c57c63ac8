// One judgement per peer (DESIGN.md): for (node, remote lease, family) what flanneld programs on this node —
// vxlan: neigh <sn>.0 -> VtepMAC PERMANENT, fdb VtepMAC -> public IP, route <sn> via <sn>.0 dev flannel.1 onlink;
// vxlan DirectRouting to a directly connected peer and host-gw: route <sn> via <public IP>; ipip: route
// <sn> via <public IP> dev flannel.ipip onlink (reference §1.2–1.4); the IPv6 half of a dual-stack vxlan node the
// same on flannel-v6.<VNI> from the lease's v6 fields — and what the node has. Each part is
// ok, broken (one catalogue code) or unverified (its table was not in the data given). doctor, trace, the
// cluster matrix and repair's plan all read this, so the same fault gets the same code everywhere.
import type { Code } from '../model/codes.js';
import type { FdbEntry } from '../model/fdb.js';
import { hasV4, hasV6, type Lease, type LeaseV4, leaseName, type NetConf } from '../model/lease.js';
import type { Neigh } from '../model/neigh.js';
import type { Route } from '../model/route.js';
import type { Snapshot } from '../model/snapshot.js';
import type { WgDevice, WgPeer } from '../model/wireguard.js';
import { normalizeIPv6, normalizeSubnet6 } from '../model/ipv6.js';
import { redactedCouldBe } from '../model/net.js';
import { type CheckContext, remoteLeases, subnetAddress } from './checks/context.js';
import { absenceProves, collected, nodeAddressesShown, PASTE, partial } from './collected.js';
import { isKnownDown } from './link-state.js';
import { directlyConnected, routeTableOf } from './route-lookup.js';

export type Family = 'v4' | 'v6';

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

/** Backends whose per-peer state is not neigh/fdb/route, and why (wireguard's is judged by wireguardPeerState). */
export const UNSUPPORTED_BACKENDS: Record<string, string> = {
  wireguard: 'per-peer state is WireGuard peers (`wg show`), not neigh/fdb/route',
  udp: 'flanneld forwards in userspace through flannel0: no per-peer kernel entries',
  ipsec: 'per-peer state is xfrm policies and SAs (`ip xfrm policy`), not neigh/fdb/route',
};

const OK: Verdict = { ok: true };
const broken = (code: Code, why: string): Verdict => ({ ok: false, code, why });
const unverified = (what: string, paste: string): Verdict => ({ ok: null, missing: `${what} was not in the data given: paste \`${paste}\`` });

export const directRoutingOn = (ctx: CheckContext): boolean => {
  const v = ctx.netConf?.Backend?.DirectRouting;
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
};

/**
 * Does flanneld program the direct route for a peer at public IP `ip` (vxlan_network.go: DirectRouting on and
 * ip.DirectRouting(ip), i.e. RouteGet answers a route without a gateway)? The same longest-prefix lookup on this
 * node's table of the family; undefined when that table was not read (or only a filtered part that lacks the answer).
 */
export function directRoute(ctx: CheckContext, ip: string, family: Family): boolean | undefined {
  if (!directRoutingOn(ctx)) return false;
  const s = ctx.snapshot;
  const table = family === 'v6' ? 'routes6' : 'routes';
  if (!collected(s, table)) return undefined;
  if (directlyConnected(routeTableOf(s), ip)) return true;
  return partial(s, table, '') ? undefined : false;
}

/** With DirectRouting on and the table that decides it not read, the neigh and fdb flannel wants may not exist at all. */
function reachUnknown(s: PeerState, ip: string): PeerState {
  const missing = `whether ${leaseName(s.lease)}'s public IP ${ip} is directly reachable (DirectRouting: then flannel programs one route, no neigh/fdb) was not in the data given: paste \`${s.family === 'v6' ? 'ip -6 route show' : PASTE.routes}\``;
  const soften = (v: Verdict): Verdict => (v.ok === false ? { ok: null, missing } : v);
  const out: PeerState = { ...s, route: { ...s.route, verdict: soften(s.route.verdict) } };
  if (s.neigh) out.neigh = { ...s.neigh, verdict: soften(s.neigh.verdict) };
  if (s.fdb) out.fdb = { ...s.fdb, verdict: soften(s.fdb.verdict) };
  return out;
}

/** peerState with the path flanneld takes for this lease: direct or not decided as flannel decides it. */
export function peerStateFor(ctx: CheckContext, lease: LeaseV4, ev: Evidence = evidenceOf(ctx)): PeerState | undefined {
  const direct = directRoute(ctx, lease.publicIp, 'v4');
  const s = peerState(ctx, lease, direct === true, ev);
  return s && direct === undefined && s.path === 'vxlan' ? reachUnknown(s, lease.publicIp) : s;
}

/** A route gateway the paste hid: redacted (`10.xx.xx.1`) or a host name (`route` without -n); undefined when shown. */
export const hiddenGateway = (r: Route): string | undefined =>
  r.gateway !== undefined ? undefined : r.gatewayRedacted !== undefined ? `redacted (${String(r.gatewayRedacted)})` : r.gatewayHost !== undefined ? `a host name (${String(r.gatewayHost)})` : undefined;

/** Whether a hidden gateway could be `ip`: a redacted one whose known octets agree, or any host name. */
export const hiddenGatewayCouldBe = (r: Route, ip: string): boolean =>
  r.gateway === undefined && (r.gatewayRedacted !== undefined ? redactedCouldBe(String(r.gatewayRedacted), ip) : r.gatewayHost !== undefined);

const sameRoute = (r: Route, want: WantRoute): boolean => r.gateway === want.gateway && (want.dev === undefined || r.dev === want.dev) && (!want.onlink || r.onlink);

/** The tables this node's snapshot has: a table it does not have leaves its parts unverified. */
export interface Evidence {
  family: Family;
  routes: boolean;
  neigh: boolean;
  fdb: boolean;
  /** tables read only narrowed (a grep, `show dev` of another device): what they lack is unverified */
  partial: { routes: boolean; neigh: boolean; fdb: boolean };
  /** the vxlan device is known to be gone (the link list was read): none of its entries exist */
  vxlanGone: boolean;
  /** known to be down: the kernel dropped its routes and neighbours (flannel's permanent fdb entries stay) */
  vxlanDown: boolean;
}

const partialTables = (s: Snapshot, dev: string, family: Family = 'v4'): Evidence['partial'] => ({
  routes: partial(s, family === 'v6' ? 'routes6' : 'routes', dev),
  neigh: partial(s, 'neigh', dev),
  fdb: partial(s, 'fdb', dev),
});

export function evidenceOf(ctx: CheckContext): Evidence {
  const s = ctx.snapshot;
  return {
    family: 'v4',
    routes: collected(s, 'routes'),
    neigh: collected(s, 'neigh'),
    fdb: collected(s, 'fdb'),
    partial: partialTables(s, ctx.vxlanName),
    vxlanGone: !ctx.vxlan && absenceProves(s),
    vxlanDown: ctx.vxlan !== undefined && isKnownDown(ctx.vxlan),
  };
}

/** One family's vxlan device and the tables keyed as its leases spell them. */
interface Tables {
  dev: string;
  neighByDst: Map<string, Neigh>;
  fdbByMac: Map<string, FdbEntry[]>;
  routesByDst: Map<string, Route[]>;
}

/** A lease's half for one family: its subnet, public IP and VtepMAC. */
interface Half {
  subnet: string;
  publicIp: string;
  mac?: string;
}

const judgeRoute = (t: Tables, ev: Evidence, want: WantRoute): PeerState['route'] => {
  const dev = t.dev;
  const routes = t.routesByDst.get(want.dst) ?? [];
  if (!ev.routes) return { want, seen: [], verdict: unverified(ev.family === 'v6' ? 'the IPv6 route table' : 'the route table', ev.family === 'v6' ? 'ip -6 route show' : PASTE.routes) };
  const gone = want.dev === dev && (ev.vxlanGone || ev.vxlanDown);
  if (routes.length === 0 && !gone && ev.partial.routes) return { want, seen: [], verdict: unverified(`a route to ${want.dst} (only a filtered route table was given)`, ev.family === 'v6' ? 'ip -6 route show' : PASTE.routes) };
  const shown = `${want.dst} via ${want.gateway}${want.dev ? ` dev ${want.dev}` : ''}${want.onlink ? ' onlink' : ''}`;
  if (routes.length === 0 || gone) return { want, seen: routes, verdict: broken('ROUTE_MISSING', `no route ${shown}${gone && routes.length ? ` (${dev} is down or gone)` : ''}`) };
  if (routes.some((r) => sameRoute(r, want))) return { want, seen: routes, verdict: OK };
  // a gateway the paste redacted (`via 10.xx.xx.1`) or named (`route` without -n) may be the one wanted: unverified
  const hidden = routes.find((r) => sameRoute({ ...r, gateway: want.gateway }, want) && hiddenGatewayCouldBe(r, want.gateway));
  if (hidden) return { want, seen: routes, verdict: { ok: null, missing: `the gateway of the route to ${want.dst} is ${hiddenGateway(hidden)} in the data given (the node wants ${want.gateway}): paste ${hidden.gatewayRedacted !== undefined ? `\`${PASTE.routes}\` unredacted` : '`route -n` (numeric gateways)'}` } };
  return { want, seen: routes, verdict: broken('ROUTE_MISMATCH', `the route to ${want.dst} is not ${shown}`) };
};

/** What this node should have for `lease` and what it has. undefined when a vxlan lease has no VtepMAC. */
export function peerState(ctx: CheckContext, lease: LeaseV4, direct: boolean, ev: Evidence = evidenceOf(ctx)): PeerState | undefined {
  const t: Tables = { dev: ctx.vxlanName, neighByDst: ctx.neighByDst, fdbByMac: ctx.fdbByMac, routesByDst: ctx.routesByDst };
  let s: PeerState | undefined;
  if (lease.backendType === 'ipip') {
    s = { lease, family: 'v4', path: 'ipip', route: judgeRoute(t, ev, { dst: lease.subnet, gateway: lease.publicIp, dev: direct ? undefined : 'flannel.ipip', onlink: true }) };
  } else if (lease.backendType !== 'vxlan' || direct) {
    s = { lease, family: 'v4', path: direct ? 'direct' : 'host-gw', route: judgeRoute(t, ev, { dst: lease.subnet, gateway: lease.publicIp, onlink: false }) };
  } else s = vxlanState(t, ev, lease, { subnet: lease.subnet, publicIp: lease.publicIp, mac: lease.vtepMac });
  return s ? notKnownPeer(ctx, s) : s;
}

/**
 * Whether the data given shows `s.lease` to be a peer this node programs, and if not what to paste. flannel programs
 * nothing for the node's own lease, and a lease overlapping the node's addresses or connected routes is refused
 * (leases/local): when neither can be excluded, an entry missing for the lease proves nothing.
 */
function doubtfulPeer(ctx: CheckContext, s: PeerState): string | undefined {
  const who = leaseName(s.lease);
  const snap = ctx.snapshot;
  // no lease was recognised as this node's and its addresses were not given: any lease may be its own
  if (ctx.leases !== undefined && !ctx.leases.local && !nodeAddressesShown(snap))
    return `whether lease ${who} is this node's own (flannel programs nothing for it) was not in the data given: paste \`${PASTE.addresses}\` (or name the node with --node)`;
  // a lease inside the known flannel Network is one the refusal let through; outside an unknown one, only the
  // node's addresses or connected routes tell whether it overlaps them
  const v6 = s.family === 'v6';
  const network = v6 ? (ctx.netConf?.IPv6Network ?? ctx.subnetEnv?.ipv6Network) : ctx.network;
  const table = v6 ? 'routes6' : 'routes';
  const routesShown = collected(snap, table) && !partial(snap, table, '');
  const addressesShown = v6 ? collected(snap, 'addresses') && (snap.source.kind !== 'dir' || snap.addresses.some((a) => a.family === 'inet6' && a.scope === 'global' && !/^flannel/.test(a.dev))) : nodeAddressesShown(snap);
  if (network || routesShown || addressesShown) return undefined;
  return `whether lease ${who} overlaps this node's own addresses or connected routes (then it is refused, not programmed) was not in the data given: paste \`${PASTE.addresses}\` or \`${PASTE[table]}\``;
}

const ABSENT: ReadonlySet<Code> = new Set(['NEIGH_MISSING', 'FDB_MISSING', 'ROUTE_MISSING']);

/** A lease the data given does not show to be a peer: an entry missing for it proves nothing (unverified). */
function notKnownPeer(ctx: CheckContext, s: PeerState): PeerState {
  const missing = doubtfulPeer(ctx, s);
  if (missing === undefined) return s;
  const soften = (v: Verdict): Verdict => (v.ok === false && ABSENT.has(v.code) ? { ok: null, missing } : v);
  const out: PeerState = { ...s, route: { ...s.route, verdict: soften(s.route.verdict) } };
  if (s.neigh) out.neigh = { ...s.neigh, verdict: soften(s.neigh.verdict) };
  if (s.fdb) out.fdb = { ...s.fdb, verdict: soften(s.fdb.verdict) };
  return out;
}

/** vxlan: neigh, fdb and route on the family's device. undefined without a VtepMAC. */
function vxlanState(t: Tables, ev: Evidence, lease: Lease, half: Half, routeVerdict?: Verdict): PeerState | undefined {
  if (!half.mac) return undefined;
  const dev = t.dev;
  const gw = subnetAddress(half.subnet);
  const mac = half.mac;
  const wantRoute: WantRoute = { dst: half.subnet, gateway: gw, dev, onlink: true };
  const route = routeVerdict ? { want: wantRoute, seen: t.routesByDst.get(half.subnet) ?? [], verdict: routeVerdict } : judgeRoute(t, ev, wantRoute);
  const state: PeerState = { lease, family: ev.family, path: 'vxlan', route };

  const n = t.neighByDst.get(gw);
  let neigh: Verdict;
  const neighPaste = `${ev.family === 'v6' ? 'ip -6 neigh show' : PASTE.neigh} dev ${dev}`;
  if (!ev.neigh) neigh = unverified('the neighbour table', neighPaste);
  else if (!n && ev.partial.neigh && !ev.vxlanGone && !ev.vxlanDown) neigh = unverified(`a neighbour for ${gw} (only a filtered neighbour table was given)`, neighPaste);
  // an entry the kernel made while ARPing (INCOMPLETE/FAILED, no lladdr) means flannel's entry is missing (§2.4)
  else if (!n || ev.vxlanGone || ev.vxlanDown || !n.lladdr || n.state.includes('INCOMPLETE') || n.state.includes('FAILED'))
    neigh = broken('NEIGH_MISSING', `no neighbour ${gw} -> ${mac} on ${dev}${n && !ev.vxlanGone && !ev.vxlanDown ? ' (only the kernel\'s unanswered ARP entry)' : ''}`);
  else if (n.lladdr !== mac) neigh = broken('VTEP_MAC_MISMATCH', `neighbour ${gw} on ${dev} has lladdr ${n.lladdr}, the peer's VtepMAC is ${mac}`);
  else if (!n.state.includes('PERMANENT')) neigh = broken('NEIGH_NOT_PERMANENT', `neighbour ${gw} on ${dev} is ${n.state.join(',') || 'NONE'}, not PERMANENT: flannel's entry is gone and the kernel is resolving it`);
  else neigh = OK;
  state.neigh = { want: { ip: gw, mac }, seen: n, verdict: neigh };

  const entries = t.fdbByMac.get(mac) ?? [];
  // a dst the paste redacted (`dst 10.xx.xx.5`) whose known octets agree may be the peer's public IP: neither
  // proof of another destination nor of this one
  const couldBePeer = (f: FdbEntry): boolean => f.dst === undefined && f.dstRedacted !== undefined && redactedCouldBe(String(f.dstRedacted), half.publicIp);
  const hiddenDst = entries.find(couldBePeer);
  const dsts: string[] = [...new Set(entries.filter((f) => !couldBePeer(f)).map((f) => f.dst ?? (f.dstRedacted === undefined ? 'no dst' : String(f.dstRedacted))))];
  let fdb: Verdict;
  if (!ev.fdb) fdb = unverified('the fdb table', `${PASTE.fdb} dev ${dev}`);
  else if (entries.length === 0 && ev.partial.fdb && !ev.vxlanGone) fdb = unverified(`an fdb entry for ${mac} (only a filtered fdb table was given)`, `${PASTE.fdb} dev ${dev}`);
  else if (entries.length === 0 || ev.vxlanGone) fdb = broken('FDB_MISSING', `no fdb entry ${mac} dst ${half.publicIp} on ${dev}`);
  else if (!dsts.includes(half.publicIp) && hiddenDst) fdb = { ok: null, missing: `the dst of fdb entry ${mac} on ${dev} is redacted (${String(hiddenDst.dstRedacted)}) in the data given (the peer's public IP is ${half.publicIp}): paste \`${PASTE.fdb} dev ${dev}\` unredacted` };
  else if (!dsts.includes(half.publicIp)) fdb = broken('FDB_DST_MISMATCH', `fdb entry ${mac} on ${dev} points to ${dsts.join(',')}, the peer's public IP is ${half.publicIp}`);
  else if (dsts.length > 1) fdb = broken('FDB_DUPLICATE', `${mac} on ${dev} has ${dsts.length} destinations (${dsts.join(', ')}): the kernel sends a copy to each`);
  else fdb = OK;
  state.fdb = { want: { mac, dst: half.publicIp }, seen: entries, verdict: fdb };
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
  const out: PeerStates = { peers: [], unusable: [], unsupported: [] };
  for (const lease of remoteLeases(ctx)) {
    // a v6-only lease has no IPv4 half to program (peerStates6 judges its IPv6 one)
    if (!hasV4(lease)) continue;
    const reason = UNSUPPORTED_BACKENDS[lease.backendType] ?? (['vxlan', 'host-gw', 'ipip'].includes(lease.backendType) ? undefined : `backend ${lease.backendType} is not checked`);
    if (reason) {
      out.unsupported.push({ lease, reason });
      continue;
    }
    const s = peerStateFor(ctx, lease, ev);
    if (s) out.peers.push(s);
    else out.unusable.push(lease);
  }
  return out;
}

/** flannel-v6.<VNI>: the IPv6 vxlan device of a dual-stack node. */
export const v6DeviceName = (ctx: CheckContext): string => {
  const own = ctx.leases?.local;
  return `flannel-v6.${own?.vni6 ?? own?.vni ?? ctx.netConf?.Backend?.VNI ?? 1}`;
};

/** The v6 device's tables, keyed by RFC 5952 addresses as the v6 lease fields are. */
function tables6(ctx: CheckContext, dev: string): Tables {
  const s = ctx.snapshot;
  const t: Tables = { dev, neighByDst: new Map(), fdbByMac: new Map(), routesByDst: new Map() };
  for (const n of s.neigh) {
    const dst = n.dev === dev ? normalizeIPv6(n.dst) : undefined;
    if (dst) t.neighByDst.set(dst, n);
  }
  for (const f of s.fdb) {
    if (f.dev !== dev || !f.self || f.master) continue;
    // normalizing a valid address keeps it one
    const entry = f.dst === undefined ? f : { ...f, dst: (normalizeIPv6(f.dst) ?? f.dst) as FdbEntry['dst'] };
    t.fdbByMac.set(f.mac, [...(t.fdbByMac.get(f.mac) ?? []), entry]);
  }
  for (const r of s.routes) {
    const dst = r.table === 'main' && r.type === 'unicast' ? normalizeSubnet6(r.dst) : undefined;
    if (!dst) continue;
    const route = r.gateway === undefined ? r : { ...r, gateway: normalizeIPv6(r.gateway) ?? r.gateway };
    t.routesByDst.set(dst, [...(t.routesByDst.get(dst) ?? []), route]);
  }
  return t;
}

/**
 * The IPv6 half of a dual-stack vxlan node: every remote vxlan lease with a full v6 half (subnet6, public-ipv6,
 * VtepMAC6), judged like IPv4 on flannel-v6.<VNI> with gateway `<subnet6 address>`. The route table counts as
 * read when it holds IPv6 routes or its step ran (`ip route` shows none; `ip -6 route` must be pasted or collected).
 */
export function peerStates6(ctx: CheckContext): PeerState[] {
  const judge = judge6(ctx);
  const out: PeerState[] = [];
  for (const lease of ctx.leases?.remotes ?? []) {
    const state = judge(lease);
    if (state) out.push(state);
  }
  return out;
}

/** One lease's IPv6 half (trace follows one address: the other leases are not judged). */
export const peerState6 = (ctx: CheckContext, lease: Lease): PeerState | undefined => judge6(ctx)(lease);

function judge6(ctx: CheckContext): (lease: Lease) => PeerState | undefined {
  const dev = v6DeviceName(ctx);
  const t = tables6(ctx, dev);
  const link = ctx.links.get(dev);
  const s = ctx.snapshot;
  const ev: Evidence = {
    family: 'v6',
    routes: collected(s, 'routes6'),
    neigh: collected(s, 'neigh'),
    fdb: collected(s, 'fdb'),
    partial: partialTables(s, dev, 'v6'),
    vxlanGone: !link && absenceProves(s),
    vxlanDown: link !== undefined && isKnownDown(link),
  };
  return (lease) => {
    const subnet = lease.backendType === 'vxlan' && lease.subnet6 ? normalizeSubnet6(lease.subnet6) : undefined;
    if (!subnet || !lease.publicIpv6) return undefined;
    // flanneld's v6DirectRoute (vxlan_network.go): `<subnet6> via <public-ipv6>`, no device, instead of the vxlan triple
    const direct = directRoute(ctx, lease.publicIpv6, 'v6');
    let state: PeerState | undefined = direct
      ? { lease, family: 'v6' as const, path: 'direct' as const, route: judgeRoute(t, ev, { dst: subnet, gateway: lease.publicIpv6, onlink: false }) }
      : vxlanState(t, ev, lease, { subnet, publicIp: lease.publicIpv6, mac: lease.vtepMac6 });
    if (state && direct === undefined) state = reachUnknown(state, lease.publicIpv6);
    return state ? notKnownPeer(ctx, state) : undefined;
  };
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
  const t: Tables = { dev: ctx.vxlanName, neighByDst: ctx.neighByDst, fdbByMac: ctx.fdbByMac, routesByDst: ctx.routesByDst };
  return staleIn(t, (ctx.leases?.remotes ?? []).filter(hasV4).map((l) => ({ subnet: l.subnet, publicIp: l.publicIp, mac: l.vtepMac })));
}

/** The same on flannel-v6.<VNI> against every lease's IPv6 half. */
export function staleEntries6(ctx: CheckContext): StaleEntries {
  const halves: Half[] = [];
  for (const l of ctx.leases?.remotes ?? []) {
    const subnet = l.subnet6 ? normalizeSubnet6(l.subnet6) : undefined;
    if (subnet && l.publicIpv6) halves.push({ subnet, publicIp: l.publicIpv6, mac: l.vtepMac6 });
  }
  return staleIn(tables6(ctx, v6DeviceName(ctx)), halves);
}

function staleIn(t: Tables, all: Half[]): StaleEntries {
  // flannel never programs its own subnet on flannel.1: an entry for it is stale too (F3)
  const subnets = new Set(all.map((l) => l.subnet));
  const gws = new Set(all.map((l) => subnetAddress(l.subnet)));
  const macs = new Set(all.map((l) => l.mac).filter((m): m is string => !!m));
  const ips = new Set(all.map((l) => l.publicIp));
  const out: StaleEntries = { routes: [], neigh: [], fdb: [], oldMacFdb: [] };
  for (const [dst, routes] of t.routesByDst)
    for (const r of routes) if (r.dev === t.dev && !subnets.has(dst) && r.gateway !== undefined) out.routes.push(r);
  for (const [dst, n] of t.neighByDst) if (!gws.has(dst)) out.neigh.push(n);
  for (const [mac, entries] of t.fdbByMac) {
    if (macs.has(mac) || mac === '00:00:00:00:00:00') continue;
    for (const f of entries) (f.dst && ips.has(f.dst) ? out.oldMacFdb : out.fdb).push(f);
  }
  return out;
}

// The wireguard backend (flannel-io/flannel pkg/backend/wireguard at cdf7605), Mode separate (its default,
// wireguard.go:127): flannel-wg carries the IPv4 halves of the leases and flannel-wg-v6 the IPv6 halves
// (wireguard.go:142-156; wireguard_network.go:181-216). One peer per remote lease and family: the half's PublicKey
// (backend-data / backend-v6-data), endpoint <public-ip>:<Port> or [<public-ipv6>]:<Port> (Port 0 or absent: this
// device's listen port, wireguard_network.go:165-180) and allowed-ips the half's subnet alone. Both devices hold one
// key (/run/flannel/wgkey, device.go:82-116) and listen on ListenPort 51820 / ListenPortV6 51821 (wireguard.go:123-124).
// Modes auto/ipv4/ipv6 put both families on flannel-wg (wireguard.go:157-162) and are not judged for IPv6. doctor's
// check and trace both read this.
export const WG_DEVICE = 'flannel-wg';
export const WG_DEVICE_V6 = 'flannel-wg-v6';
export const WG_DEFAULT_PORT = 51820;
export const WG_DEFAULT_PORT_V6 = 51821;

/** The Mode separate device of a family. */
export const wgDeviceOf = (family: Family): string => (family === 'v6' ? WG_DEVICE_V6 : WG_DEVICE);
/** The listen port flanneld gives the family's device unless net-conf says otherwise. */
export const wgDefaultPort = (family: Family): number => (family === 'v6' ? WG_DEFAULT_PORT_V6 : WG_DEFAULT_PORT);

/** net-conf's Backend.Mode: flanneld's default is separate (wireguard.go:127); undefined when no net-conf was given. */
export const wgMode = (netConf: NetConf | undefined): string | undefined => (netConf ? (netConf.Backend?.Mode ?? 'separate') : undefined);

/**
 * Why flannel-wg's peer endpoints are not judged: Modes auto and ipv6 give each peer its lease's IPv4 or IPv6
 * endpoint (selectMode, wireguard_network.go:107-129, 217-228); undefined when they are judged.
 */
export function wgEndpointOpen(mode: string | undefined, family: Family): string | undefined {
  if (family !== 'v4' || (mode !== 'auto' && mode !== 'ipv6')) return undefined;
  return `flannel-wg's peer endpoints: net-conf Backend Mode ${mode} gives each peer its lease's <public-ip>:<Port> or [<public-ipv6>]:<Port> (flannel's selectMode), which flanctl does not judge: compare \`wg show flannel-wg dump\` with the leases by hand`;
}

/** One family's half of a lease as a WireGuard peer. */
export interface WgHalf {
  /** backend-data / backend-v6-data PublicKey */
  key?: string;
  /** backend-data / backend-v6-data Port */
  port?: number;
  /** public-ip / public-ipv6 */
  ip: string;
  subnet: string;
}

/** The lease's half for `family`, undefined when the lease has no such part. */
export function wgHalf(lease: Lease, family: Family): WgHalf | undefined {
  if (family === 'v6') return hasV6(lease) ? { key: lease.publicKey6, port: lease.wgPort6, ip: lease.publicIpv6, subnet: lease.subnet6 } : undefined;
  return hasV4(lease) ? { key: lease.publicKey, port: lease.wgPort, ip: lease.publicIp, subnet: lease.subnet } : undefined;
}

export interface WgProblem {
  code: Extract<Code, 'WG_PEER_MISSING' | 'WG_PEER_KEY_MISMATCH' | 'WG_ENDPOINT_MISMATCH' | 'WG_ALLOWED_IPS_MISMATCH'>;
  text: string;
}

/** The endpoint flannel programs for a lease's half, as wg prints it (`ip:port`, `[ip6]:port`). */
export function wantEndpoint(half: WgHalf, dev: WgDevice, family: Family): { ip: string; port: number; text: string } {
  const port = half.port ?? (dev.listenPort || wgDefaultPort(family));
  return { ip: half.ip, port, text: family === 'v6' ? `[${half.ip}]:${port}` : `${half.ip}:${port}` };
}

// wg prints IPv6 addresses and prefixes as inet_ntop does; the lease's are normalised (leases/lease6.ts)
const sameIp = (a: string | undefined, b: string, family: Family): boolean => (family === 'v6' ? a !== undefined && normalizeIPv6(a) === b : a === b);
const holds = (p: WgPeer, subnet: string, family: Family): boolean => p.allowedIps.some((a) => (family === 'v6' ? normalizeSubnet6(a) === subnet : a === subnet));

/**
 * What is wrong with `dev`'s peer for the lease's `family` half (empty: as flannel programs it), and the peer judged;
 * undefined when the lease has no such half or no key in it (nothing to judge against).
 */
export function wireguardPeerState(dev: WgDevice, lease: Lease, family: Family): { peer?: WgPeer; problems: WgProblem[] } | undefined {
  const half = wgHalf(lease, family);
  if (!half?.key) return undefined;
  const who = leaseName(lease);
  const peer = dev.peers.find((p) => p.publicKey === half.key);
  if (!peer) {
    const other = dev.peers.find((p) => holds(p, half.subnet, family));
    if (other) return { peer: other, problems: [{ code: 'WG_PEER_KEY_MISMATCH', text: `the peer for ${half.subnet} has key ${other.publicKey}, the lease of ${who} says ${half.key}: no handshake can succeed` }] };
    return { problems: [{ code: 'WG_PEER_MISSING', text: `${dev.name} has no peer with ${who}'s key ${half.key}` }] };
  }
  const problems: WgProblem[] = [];
  const want = wantEndpoint(half, dev, family);
  if (!sameIp(peer.endpointIp, want.ip, family) || peer.endpointPort !== want.port) {
    problems.push({ code: 'WG_ENDPOINT_MISMATCH', text: `peer ${who} has endpoint ${peer.endpoint ?? '(none)'}, its lease says ${want.text}` });
  }
  if (!holds(peer, half.subnet, family)) problems.push({ code: 'WG_ALLOWED_IPS_MISMATCH', text: `peer ${who} has allowed-ips ${peer.allowedIps.join(',') || '(none)'}, not its lease ${half.subnet}` });
  return { peer, problems };
}

/**
 * A node's own device against its own lease half (flanneld announces the device's key and port in backend-data /
 * backend-v6-data): the codes that differ, undefined when the lease has no such half. doctor and the matrix read this.
 */
export function wgOwnDeviceState(dev: WgDevice, own: Lease, family: Family): { half: WgHalf; port: number; problems: Extract<Code, 'WG_KEY_MISMATCH' | 'WG_PORT_MISMATCH'>[] } | undefined {
  const half = wgHalf(own, family);
  if (!half) return undefined;
  const port = half.port ?? wgDefaultPort(family);
  const problems: Extract<Code, 'WG_KEY_MISMATCH' | 'WG_PORT_MISMATCH'>[] = [];
  if (half.key && dev.publicKey !== half.key) problems.push('WG_KEY_MISMATCH');
  if (dev.listenPort !== port) problems.push('WG_PORT_MISMATCH');
  return { half, port, problems };
}
