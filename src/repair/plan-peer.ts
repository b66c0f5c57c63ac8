// One family's per-peer repair (repair/plan.ts for flannel.<VNI>, plan6.ts for flannel-v6.<VNI>): what peer-state
// judged broken becomes a replace action whose undo puts back what the snapshot shows. Pure.
import { isKnownDown } from '../analyze/link-state.js';
import type { Family, PeerState, StaleEntries } from '../analyze/peer-state.js';
import type { Code } from '../model/codes.js';
import type { RepairAction } from '../model/finding.js';
import type { Link } from '../model/link.js';
import { leaseName } from '../model/lease.js';
import type { Neigh } from '../model/neigh.js';
import { type Route, routeMetric } from '../model/route.js';
import * as c from '../model/fix.js';

/** One action with what the journal needs: the program, its batch line, and the commands that undo it. */
export interface PlannedAction extends RepairAction {
  /** the problem code of the fault this action fixes: the code doctor and trace give it */
  code: Code;
  /** the address family the action repairs (v4: flannel.<VNI>, v6: flannel-v6.<VNI>) */
  family: Family;
  program: 'ip' | 'bridge';
  /** the arguments after `ip`/`bridge`: one `-batch` line */
  args: string[];
  undo: c.Cmd[];
  /** the touched objects as they were (neigh, fdb entries, routes, link, addresses) */
  before: unknown[];
}

export type Skipped = { target: string; reason: string; code?: Code }[];

/** `before`: the objects as the snapshot shows them (journaled for the record; `undo` restores them). */
export type Add = (op: string, code: Code, target: string, reason: string, build: () => c.Cmd, undo: () => c.Cmd[], before?: unknown[]) => void;
export type Skip = (target: string, reason: string) => void;

/** The vxlan device of one family: its name and the link as the snapshot shows it (absent: gone or not read). */
export interface FamilyDevice {
  dev: string;
  link?: Link;
}

const nud = (n: Neigh): string | undefined => {
  const s = n.state.find((x) => ['PERMANENT', 'NOARP', 'REACHABLE', 'STALE', 'DELAY', 'PROBE'].includes(x));
  // dynamic states cannot be set as such; `stale` lets the kernel re-verify
  return s === undefined ? undefined : s === 'PERMANENT' || s === 'NOARP' ? s.toLowerCase() : 'stale';
};

function neighUndo(dev: string, ip: string, prev: Neigh | undefined): c.Cmd[] {
  const state = prev ? nud(prev) : undefined;
  return prev?.lladdr && state ? [c.neighRestore(dev, ip, prev.lladdr, state)] : [c.neighDel(dev, ip)];
}

function routeUndo(want: c.RouteSpec, prev: Route[]): c.Cmd[] {
  // `ip route replace` replaces the route with the same dst and metric; another metric is a second route
  const same = prev.find((r) => routeMetric(r) === routeMetric(want));
  return same ? [c.routeReplace(routeAsSeen(same))] : [c.routeDel(want)];
}

/** Everything of a route `ip route replace` can set back: from `ip -j route` (mtu in metrics) or the text form. */
export function routeAsSeen(r: Route): c.RouteSpec {
  const raw = (r as { raw?: { metrics?: { mtu?: number }[] }; mtu?: number });
  const mtu = raw.mtu ?? raw.raw?.metrics?.find((m) => m.mtu !== undefined)?.mtu;
  // boot is what `ip route replace` records without proto: not worth a word on the command line
  const proto = r.proto && r.proto !== 'boot' ? r.proto : undefined;
  // scope follows from the route (global with a gateway, link without) unless it was set otherwise
  const scope = r.scope && r.scope !== (r.gateway ? 'global' : 'link') ? r.scope : undefined;
  return { dst: r.dst, gateway: r.gateway, dev: r.dev, onlink: r.onlink, metric: r.metric, src: r.src, proto, scope, mtu };
}

/**
 * A route replace must only ever change flannel's own route: never one the kernel made for an address (proto
 * kernel), a link route without a gateway, or (for an overlay route) one on a device that is not flannel's.
 * Why not, or undefined.
 */
export function routeGuard(want: { dst: string; dev?: string }, seen: Route[]): string | undefined {
  for (const r of seen) {
    if (r.proto === 'kernel') return `${r.dst} dev ${r.dev ?? '?'} is the kernel's connected route`;
    if (r.gateway === undefined) return `${r.dst} dev ${r.dev ?? '?'} is a link route, not flannel's`;
    // another flannel device (flannel.1 -> flannel.ipip after a backend change, flannel-v6.1) is still flannel's route
    if (want.dev !== undefined && r.dev !== undefined && !/^flannel[.-]/.test(r.dev)) return `${r.dst} via ${r.gateway} dev ${r.dev} is not on an overlay device`;
  }
  return undefined;
}

/** Only what peer-state judged broken; a part whose table was not read is not touched. */
export function planPeer(fam: FamilyDevice, p: PeerState, add: Add, skipped: Skipped): void {
  const who = leaseName(p.lease);
  const dev = fam.dev;
  const v6 = p.family === 'v6' ? ' (IPv6)' : '';
  // a device that is down or gone has nothing on it: undo must not resurrect what the snapshot showed before
  const flushed = !fam.link || isKnownDown(fam.link);
  for (const part of [p.neigh?.verdict, p.fdb?.verdict, p.route.verdict]) if (part?.ok === null) skipped.push({ target: who, reason: `not checked: ${part.missing}` });
  if (p.neigh?.verdict.ok === false) {
    const { want, seen } = p.neigh;
    const v = p.neigh.verdict;
    add('neigh-replace', v.code, `${want.ip} dev ${dev}`, `${v.code} for ${who}${v6}: ${want.ip} -> ${want.mac}`, () => c.neighReplace(dev, want.ip, want.mac), () => neighUndo(dev, want.ip, flushed ? undefined : seen), seen && !flushed ? [seen] : []);
  }
  const fdb = p.fdb;
  if (fdb?.verdict.ok === false && fdb.verdict.code !== 'FDB_DUPLICATE') {
    const { want, seen } = fdb;
    const prev = fam.link ? seen.find((e) => e.dst) : undefined;
    add('fdb-replace', fdb.verdict.code, `${want.mac} dst ${want.dst}`, `${fdb.verdict.code} for ${who}${v6}`, () => c.fdbReplace(dev, want.mac, want.dst), () => (prev?.dst ? [c.fdbReplace(dev, want.mac, prev.dst)] : [c.fdbDel(dev, want.mac, want.dst)]), seen);
  }
  const route = p.route;
  const guard = route.verdict.ok === false ? routeGuard(route.want, route.seen) : undefined;
  if (guard) skipped.push({ target: route.want.dst, reason: `route for ${who} not replaced: ${guard}`, code: 'ROUTE_NOT_OVERLAY' });
  else if (route.verdict.ok === false) {
    const { want, seen } = route;
    const prev = want.dev === dev && flushed ? seen.filter((x) => x.dev !== dev) : seen;
    add('route-replace', route.verdict.code, want.dst, `${route.verdict.code} for ${who}${v6}: ${want.dst} via ${want.gateway}${want.dev ? ` dev ${want.dev}` : ''}`, () => c.routeReplace(want), () => routeUndo(want, prev), prev);
  }
}

/** --prune on one family's device: entries for departed nodes and old VtepMACs, in flannel's order neigh, fdb, route. */
export function prunePeers(dev: string, s: StaleEntries, add: Add): void {
  for (const n of s.neigh) add('neigh-del', 'STALE_NEIGH', `${n.dst} dev ${dev}`, 'neighbour for no current lease', () => c.neighDel(dev, n.dst), () => (n.lladdr && nud(n) ? [c.neighRestore(dev, n.dst, n.lladdr, nud(n)!)] : []), [n]);
  for (const f of [...s.fdb, ...s.oldMacFdb]) {
    const old = s.oldMacFdb.includes(f);
    const reason = old ? 'previous VtepMAC of a live node' : 'fdb entry for no current lease';
    add('fdb-del', old ? 'FDB_OLD_MAC' : 'STALE_FDB', `${f.mac} dst ${f.dst ?? '-'}`, reason, () => c.fdbDel(dev, f.mac, f.dst), () => (f.dst ? [c.fdbAppend(dev, f.mac, f.dst)] : []), [f]);
  }
  for (const r of s.routes) {
    const spec = { dst: r.dst, gateway: r.gateway, dev, onlink: r.onlink, metric: r.metric };
    add('route-del', 'STALE_ROUTE', r.dst, 'route for no current lease', () => c.routeDel(spec), () => [c.routeReplace({ ...routeAsSeen(r), dev })], [r]);
  }
}
