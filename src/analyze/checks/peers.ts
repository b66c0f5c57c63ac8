// The core check (reference §2.5 cross-invariant): for every remote lease, the neigh / fdb / route flannel
// programs — and the reverse, kernel entries on flannel.1 that no lease explains (departed nodes, #2554).
// peerDiff() is shared with repair/plan so doctor and repair never disagree.
import type { FdbEntry } from '../../model/fdb.js';
import type { Lease } from '../../model/lease.js';
import type { Neigh } from '../../model/neigh.js';
import type { Route } from '../../model/route.js';
import { cidrContains } from '../../model/net.js';
import { isKnownDown } from '../link-state.js';
import { type CheckContext, remoteLeases, subnetAddress } from './context.js';

export type Part = 'ok' | 'missing' | 'wrong';

export interface PeerDiff {
  lease: Lease;
  /** the route flannel installs for this lease */
  route: { dst: string; gateway: string; dev?: string; onlink: boolean };
  routeState: Part;
  routeSeen: Route[];
  /** vxlan only (not DirectRouting): neigh <sn>.0 -> VtepMAC, fdb VtepMAC -> public IP */
  neigh?: { ip: string; mac: string; state: Part | 'not-permanent'; seen?: Neigh };
  fdb?: { mac: string; dst: string; state: Part; seen: FdbEntry[] };
}

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

const sameRoute = (r: Route, want: PeerDiff['route']): boolean =>
  r.gateway === want.gateway && (want.dev === undefined || r.dev === want.dev) && (!want.onlink || r.onlink);

/** What this node should have for `lease`, and what it has. undefined when the lease cannot be programmed (no VtepMAC). */
export function peerDiff(ctx: CheckContext, lease: Lease, direct: boolean): PeerDiff | undefined {
  const gw = subnetAddress(lease.subnet);
  const vxlanDown = ctx.vxlan !== undefined && isKnownDown(ctx.vxlan);
  let diff: PeerDiff;
  if (lease.backendType === 'vxlan' && !direct) {
    if (!lease.vtepMac) return undefined;
    diff = { lease, route: { dst: lease.subnet, gateway: gw, dev: ctx.vxlanName, onlink: true }, routeState: 'ok', routeSeen: [] };
    const n = ctx.neighByDst.get(gw);
    // a device that is down (or gone) has no neighbours or routes, whatever an older snapshot says
    // an entry the kernel made while ARPing (INCOMPLETE/FAILED, no lladdr) means flannel's entry is missing (§2.4)
    const unresolved = !n?.lladdr || n.state.includes('INCOMPLETE') || n.state.includes('FAILED');
    const neighState = !n || unresolved || !ctx.vxlan || vxlanDown ? 'missing' : n.lladdr !== lease.vtepMac ? 'wrong' : n.state.includes('PERMANENT') ? 'ok' : 'not-permanent';
    diff.neigh = { ip: gw, mac: lease.vtepMac, state: neighState, seen: n };
    const entries = ctx.fdbByMac.get(lease.vtepMac) ?? [];
    const fdbState = !ctx.vxlan || entries.length === 0 ? 'missing' : entries.some((f) => f.dst === lease.publicIp) ? 'ok' : 'wrong';
    diff.fdb = { mac: lease.vtepMac, dst: lease.publicIp, state: fdbState, seen: entries };
  } else if (lease.backendType === 'ipip') {
    diff = { lease, route: { dst: lease.subnet, gateway: lease.publicIp, dev: direct ? undefined : 'flannel.ipip', onlink: true }, routeState: 'ok', routeSeen: [] };
  } else {
    // host-gw, and vxlan with DirectRouting to a directly connected peer
    diff = { lease, route: { dst: lease.subnet, gateway: lease.publicIp, onlink: false }, routeState: 'ok', routeSeen: [] };
  }
  const seen = ctx.routesByDst.get(lease.subnet) ?? [];
  diff.routeSeen = seen;
  const onVxlan = diff.route.dev === ctx.vxlanName;
  diff.routeState = seen.length === 0 || (onVxlan && (vxlanDown || !ctx.vxlan)) ? 'missing' : seen.some((r) => sameRoute(r, diff.route)) ? 'ok' : 'wrong';
  return diff;
}

/** Every remote lease's diff, plus the leases that cannot be programmed. */
/** Backends whose per-peer kernel state is a neigh/fdb/route triplet or one route (reference §1.2–1.4). */
export const ROUTED_BACKENDS = new Set(['vxlan', 'host-gw', 'ipip']);

export function peerDiffs(ctx: CheckContext): { diffs: PeerDiff[]; unusable: Lease[]; unsupported: Lease[] } {
  const connected = directRoutingOn(ctx) ? connectedNetworks(ctx) : [];
  const diffs: PeerDiff[] = [];
  const unusable: Lease[] = [];
  // wireguard peers, udp's userspace routes, ipsec policies: not neigh/fdb/route state
  const unsupported: Lease[] = [];
  for (const lease of remoteLeases(ctx)) {
    if (!ROUTED_BACKENDS.has(lease.backendType)) {
      unsupported.push(lease);
      continue;
    }
    const d = peerDiff(ctx, lease, connected.some((net) => cidrContains(net, lease.publicIp)));
    if (d) diffs.push(d);
    else unusable.push(lease);
  }
  return { diffs, unusable, unsupported };
}

export interface StaleEntries {
  routes: Route[];
  neigh: Neigh[];
  /** fdb entries whose MAC no lease holds, and whose dst is no live node: a departed node */
  fdb: FdbEntry[];
  /** fdb entries for a live node's old MAC (left behind by a MAC change, §1.2): harmless clutter */
  oldMacFdb: FdbEntry[];
}

/** Kernel state on the vxlan device that no current lease explains. Needs the full lease set. */
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
