// After `repair --undo`: does the kernel hold what the undo commands restore? Each journaled undo command states
// the object's prior state (a replace: present with these values; a del: absent, the repair had added it), so
// the commands, already rebuilt through the validated builders, are the expectation; the kernel's tables, read
// once after every batch, are the answer. Only neigh, fdb and routes are checked (link and address undos are
// not). Pure.
import type { FdbEntry } from '../model/fdb.js';
import type { Cmd } from '../model/fix.js';
import type { Neigh } from '../model/neigh.js';
import { type Route, routeMetric } from '../model/route.js';
import { normalizeIPv6, normalizeSubnet6 } from '../model/ipv6.js';
import { routeAsSeen } from './plan-peer.js';
import { routeSpecOf } from './rebuild.js';

export interface Tables {
  routes?: Route[];
  neigh?: Neigh[];
  fdb?: FdbEntry[];
}

interface Expect {
  key: string;
  table: keyof Tables;
  /** undefined when it matches, else what the kernel shows instead */
  check(t: Required<Tables>): string | undefined;
}

// entries the kernel makes by itself while resolving (no lladdr): not a neighbour anyone wrote
const resolving = (n: Neigh): boolean => n.lladdr === undefined || n.state.includes('INCOMPLETE') || n.state.includes('FAILED');
// IPv6 in whatever form the journal holds, against the kernel's RFC 5952 text
const sameIp = (a: string | undefined, b: string | undefined): boolean => a === b || (a !== undefined && b !== undefined && a.includes(':') && normalizeIPv6(a) === normalizeIPv6(b));
const sameDst = (a: string, b: string): boolean => a === b || (a.includes(':') && normalizeSubnet6(a) !== undefined && normalizeSubnet6(a) === normalizeSubnet6(b));
const showNeigh = (n: Neigh): string => `lladdr ${n.lladdr ?? '-'} ${n.state.join(',') || '-'}`;

function expectation(cmd: Cmd): Expect | undefined {
  const [object, verb, ...rest] = cmd.args;
  const key = `${cmd.program} ${object} ${verb}`;
  if (key === 'ip neigh replace' || key === 'ip neigh del') {
    const [ip, , dev, , lladdr, , nud] = rest;
    const what = `neigh ${ip} dev ${dev}`;
    const find = (t: Required<Tables>): Neigh | undefined => t.neigh.find((n) => sameIp(n.dst, ip) && n.dev === dev && !resolving(n));
    if (verb === 'del') return { key: what, table: 'neigh', check: (t) => { const n = find(t); return n && `${what}: expected absent, found ${showNeigh(n)}`; } };
    // a dynamic state (restored as stale) moves on by itself: only permanent/noarp are compared
    const fixed = nud === 'permanent' || nud === 'noarp' ? nud.toUpperCase() : undefined;
    return {
      key: what,
      table: 'neigh',
      check: (t) => {
        const n = find(t);
        const ok = n && n.lladdr === lladdr && (fixed ? n.state.includes(fixed as Neigh['state'][number]) : !n.state.includes('PERMANENT') && !n.state.includes('NOARP'));
        return ok ? undefined : `${what}: expected lladdr ${lladdr} ${nud}, found ${n ? showNeigh(n) : 'none'}`;
      },
    };
  }
  if (cmd.program === 'bridge' && object === 'fdb') {
    const [mac, , dev, , dst] = rest;
    const withDst = rest[3] === 'dst' ? dst : undefined;
    const what = `fdb ${mac} dev ${dev}${withDst ? ` dst ${withDst}` : ''}`;
    const found = (t: Required<Tables>): boolean => t.fdb.some((f) => f.mac === mac && f.dev === dev && (withDst === undefined || sameIp(f.dst, withDst)));
    if (verb === 'del') return { key: what, table: 'fdb', check: (t) => (found(t) ? `${what}: expected absent, found present` : undefined) };
    return { key: what, table: 'fdb', check: (t) => (found(t) ? undefined : `${what}: expected present, found ${t.fdb.filter((f) => f.mac === mac && f.dev === dev).map((f) => `dst ${f.dst ?? '-'}`).join(', ') || 'none'}`) };
  }
  if (key === 'ip route replace' || key === 'ip route del') {
    const want = routeSpecOf(rest);
    // `ip route replace` replaces the route with the same dst and metric: that is the object
    const what = `route ${want.dst}${want.metric ? ` metric ${want.metric}` : ''}`;
    const find = (t: Required<Tables>): Route | undefined => t.routes.find((r) => sameDst(r.dst, want.dst) && routeMetric(r) === routeMetric(want));
    if (verb === 'del') return { key: what, table: 'routes', check: (t) => { const r = find(t); return r && `${what}: expected absent, found via ${r.gateway ?? '-'} dev ${r.dev ?? '-'}`; } };
    return {
      key: what,
      table: 'routes',
      check: (t) => {
        const r = find(t);
        if (!r) return `${what}: expected via ${want.gateway ?? '-'} dev ${want.dev ?? '-'}, found none`;
        const seen = routeAsSeen(r);
        // dst, gateway, dev always; onlink, src, proto, scope, mtu as far as the journal kept them
        const diff = (['gateway', 'dev', 'onlink', 'src', 'proto', 'scope', 'mtu'] as const).filter((k) =>
          k === 'gateway' ? !sameIp(seen.gateway, want.gateway) : k === 'dev' || k === 'onlink' ? (seen[k] ?? false) !== (want[k] ?? false) : want[k] !== undefined && seen[k] !== want[k],
        );
        return diff.length ? `${what}: ${diff.map((k) => `${k} expected ${String(want[k] ?? '-')}, found ${String(seen[k] ?? '-')}`).join('; ')}` : undefined;
      },
    };
  }
  return undefined;
}

/** The tables the checks of `cmds` need (none: nothing to read). */
export function tablesNeeded(cmds: Cmd[]): (keyof Tables)[] {
  return [...new Set(cmds.map(expectation).filter((e) => e !== undefined).map((e) => e.table))];
}

/**
 * Mismatches between the state `cmds` (in the order they ran) restore and the kernel's `tables`; the last
 * command on an object decides what it should be. A table not read is not judged (the caller reports it).
 */
export function verifyUndo(cmds: Cmd[], tables: Tables): string[] {
  const last = new Map<string, Expect>();
  for (const c of cmds) {
    const e = expectation(c);
    if (e) last.set(e.key, e);
  }
  const out: string[] = [];
  for (const e of last.values()) {
    if (tables[e.table] === undefined) continue;
    const m = e.check(tables as Required<Tables>);
    if (m) out.push(m);
  }
  return out;
}
