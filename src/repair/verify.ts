// After `repair --undo`: does the kernel hold what the undo commands restore? Each journaled undo command states
// the object's prior state (a replace: present with these values; a del: absent, the repair had added it; a link
// set down: present and down), so the commands, already rebuilt through the validated builders, are the
// expectation; the kernel's tables, read once after every batch, are the answer. An fdb entry the repair replaced
// is also checked for the repair's own dst, which the restore must have taken out. Pure.
import type { Address } from '../model/address.js';
import type { FdbEntry } from '../model/fdb.js';
import type { Cmd } from '../model/fix.js';
import type { Link } from '../model/link.js';
import type { Neigh } from '../model/neigh.js';
import { type Route, routeMetric } from '../model/route.js';
import { normalizeIPv6, normalizeSubnet6 } from '../model/ipv6.js';
import { routeAsSeen } from './plan-peer.js';
import { routeSpecOf } from './rebuild.js';

export interface Tables {
  routes?: Route[];
  neigh?: Neigh[];
  fdb?: FdbEntry[];
  links?: Link[];
  addresses?: Address[];
}

/** An action that was undone: what it ran (program and args), its undo commands and the objects as they were. */
export interface Undone {
  program: 'ip' | 'bridge';
  args: string[];
  undo: Cmd[];
  before?: unknown[];
}

interface Expect {
  key: string;
  table: keyof Tables;
  /** IPv6 routes are another read than IPv4's (`ip -6 route`); both land in `routes` */
  read?: 'routes6';
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
  if (key === 'ip link del' || key === 'ip link set') {
    const name = key === 'ip link del' ? rest[0] : rest[1];
    const what = `link ${name}`;
    const find = (t: Required<Tables>): Link | undefined => t.links.find((l) => l.name === name);
    if (key === 'ip link del') return { key: what, table: 'links', check: (t) => (find(t) ? `${what}: expected absent (the repair created it), found present` : undefined) };
    // only `down` is an undo (of bringing a down device up); the other settings are no undo flanctl writes
    if (rest[2] !== 'down') return undefined;
    return {
      key: what,
      table: 'links',
      check: (t) => {
        const l = find(t);
        return !l ? `${what}: expected down, found none` : l.flags.includes('UP') ? `${what}: expected down, found UP` : undefined;
      },
    };
  }
  if (key === 'ip addr del' || key === 'ip addr replace') {
    const [prefix, , dev] = rest;
    const what = `addr ${prefix} dev ${dev}`;
    const [ip, len] = prefix.split('/');
    const found = (t: Required<Tables>): boolean => t.addresses.some((a) => a.dev === dev && String(a.prefixlen) === len && sameIp(a.local, ip));
    if (verb === 'del') return { key: what, table: 'addresses', check: (t) => (found(t) ? `${what}: expected absent, found present` : undefined) };
    return { key: what, table: 'addresses', check: (t) => (found(t) ? undefined : `${what}: expected present, found none`) };
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
    const read = want.dst.includes(':') ? { read: 'routes6' as const } : {};
    const find = (t: Required<Tables>): Route | undefined => t.routes.find((r) => sameDst(r.dst, want.dst) && routeMetric(r) === routeMetric(want));
    if (verb === 'del') return { key: what, table: 'routes', ...read, check: (t) => { const r = find(t); return r && `${what}: expected absent, found via ${r.gateway ?? '-'} dev ${r.dev ?? '-'}`; } };
    return {
      key: what,
      table: 'routes',
      ...read,
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

/**
 * An fdb replace undone. Added (undo: `fdb del MAC dst D`): the recorded state is no entry for MAC at all, so one
 * someone re-pointed meanwhile (the del then finds no `dst D` and counts as done) is not restored. Replaced
 * (undo: `fdb replace MAC dst PREV`): PREV is back, and the repair's dst must be gone too (Linux keeps one
 * destination per unicast MAC, so this holds whenever PREV is back; checked all the same, it is the recorded state).
 */
function fdbReplaceUndone(a: Undone, undo: Cmd): Expect[] | undefined {
  const [object, verb, mac, , dev, , dst] = a.args;
  const [, undoVerb, undoMac] = undo.args;
  if (a.program !== 'bridge' || object !== 'fdb' || verb !== 'replace' || undoMac !== mac) return undefined;
  if (undoVerb === 'del') {
    const what = `fdb ${mac} dev ${dev}`;
    const seen = (t: Required<Tables>): string[] => t.fdb.filter((f) => f.mac === mac && f.dev === dev).map((f) => `dst ${f.dst ?? '-'}`);
    return [{ key: what, table: 'fdb', check: (t) => (seen(t).length ? `${what}: expected absent (the repair added it), found ${seen(t).join(', ')}` : undefined) }];
  }
  if (undoVerb !== 'replace' || undo.args[6] === dst) return undefined;
  return [expectation(undo), expectation({ program: 'bridge', args: ['fdb', 'del', mac, 'dev', dev, 'dst', dst] })].filter((e) => e !== undefined);
}

/**
 * A device the repair raised, taken down again: it must be that device. One deleted and recreated meanwhile
 * (flanneld restarting) has another ifindex: the undo took down a device the repair never touched.
 */
function raisedLinkUndone(a: Undone, undo: Cmd): Expect[] | undefined {
  const was = a.before?.[0] as { name?: unknown; ifindex?: unknown } | undefined;
  const [object, verb, , name, state] = undo.args;
  if (object !== 'link' || verb !== 'set' || state !== 'down' || was?.name !== name || typeof was.ifindex !== 'number') return undefined;
  const down = expectation(undo)!;
  const what = `link ${name}`;
  return [
    {
      ...down,
      check: (t) => {
        const l = t.links.find((x) => x.name === name);
        if (l && l.ifindex !== was.ifindex) return `${what}: recreated since the repair (ifindex ${l.ifindex}, the repair raised ${String(was.ifindex)}): the undo took down a device it never raised`;
        return down.check(t);
      },
    },
  ];
}

function expectationsOf(a: Undone): Expect[] {
  return a.undo.flatMap((u) => fdbReplaceUndone(a, u) ?? raisedLinkUndone(a, u) ?? [expectation(u)]).filter((e) => e !== undefined);
}

/** The tables the checks of `undone` need (none: nothing to read). */
export function tablesNeeded(undone: Undone[]): (keyof Tables | 'routes6')[] {
  return [...new Set(undone.flatMap(expectationsOf).map((e) => e.read ?? e.table))];
}

/**
 * Mismatches between the state the undo of `undone` (in the order it ran: newest action first) restores and the
 * kernel's `tables`; the last command on an object decides what it should be. A table not read is not judged
 * (the caller reports it).
 */
export function verifyUndo(undone: Undone[], tables: Tables): string[] {
  const last = new Map<string, Expect>();
  for (const e of undone.flatMap(expectationsOf)) last.set(e.key, e);
  const out: string[] = [];
  for (const e of last.values()) {
    if (tables[e.table] === undefined) continue;
    const m = e.check(tables as Required<Tables>);
    if (m) out.push(m);
  }
  return out;
}
