// Route lookup over a snapshot's main table, as the kernel does it (fib_lookup), IPv4 and IPv6 apart:
// local addresses first (the `local` table), then the longest matching prefix, then the lowest metric.
// Indexed once: one Map per prefix length keyed by the network (IPv4: its text, IPv6: its number), so a lookup is
// at most 33 (IPv6: 129) Map reads however many routes the node has (a 50,000-peer cluster has 50,000 routes).
import type { Address, Route } from '../model/index.js';
import { normalizeIPv6, parseIPv6 } from '../model/ipv6.js';
import { intToIpv4, ipv4ToInt, isIPv4 } from '../model/net.js';

export interface RouteMatch {
  kind: 'local' | 'route' | 'none';
  route?: Route;
  /** the local address, when kind is `local` */
  address?: Address;
  /** why this route won, in words: longest prefix, metric, default route */
  reason: string;
}

const maskOf = (len: number): number => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

/**
 * `a.b.c.d/len` as iproute2 prints it (no leading zeros, len 0-32) read digit by digit, or undefined for any other
 * text: a 5,000-peer table spent more on split and the address regex than on everything else the index does.
 */
function canonicalCidr(cidr: string): { net: number; len: number } | undefined {
  let ip = 0;
  let i = 0;
  for (let octet = 0; octet < 4; octet++) {
    const start = i;
    let n = 0;
    while (i < cidr.length && i - start < 4) {
      const c = cidr.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      n = n * 10 + c;
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || n > 255 || (digits > 1 && cidr.charCodeAt(start) === 48)) return undefined;
    ip = ip * 256 + n;
    if (cidr.charCodeAt(i++) !== (octet < 3 ? 46 : 47)) return undefined;
  }
  const rest = cidr.length - i;
  if (rest < 1 || rest > 2 || (rest === 2 && cidr.charCodeAt(i) === 48)) return undefined;
  let len = 0;
  for (; i < cidr.length; i++) {
    const c = cidr.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    len = len * 10 + c;
  }
  return len > 32 ? undefined : { net: (ip & maskOf(len)) >>> 0, len };
}

/** Split a CIDR (`10.244.3.0/24`) into network number and length; undefined for non-IPv4. */
export function parseCidr(cidr: string): { net: number; len: number } | undefined {
  const canonical = canonicalCidr(cidr);
  if (canonical) return canonical;
  const [ip, lenText] = cidr.split('/');
  const len = lenText === undefined ? 32 : Number(lenText);
  if (!isIPv4(ip) || !Number.isInteger(len) || len < 0 || len > 32) return undefined;
  return { net: (ipv4ToInt(ip) & maskOf(len)) >>> 0, len };
}

// `a.b.c.d/len` exactly as iproute2 prints a network: no leading zeros, octets ≤ 255, len 0-32
const CANONICAL_V4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(?:3[0-2]|[12]?\d)$/;
// the host octets a whole-octet prefix leaves, all zero
const ZERO_HOST: Record<string, string> = { '0': '0.0.0.0/0', '8': '.0.0.0/8', '16': '.0.0/16', '24': '.0/24', '32': '/32' };

/**
 * An IPv4 prefix as the key of its network, `a.b.c.d/len` with the host bits zero, or undefined when not IPv4.
 * A network printed as iproute2 prints it is its own key: building a 5,000-route index cold spent more on reading
 * each prefix digit by digit than on everything else (BENCHMARKS.md, issue 15 item 4); only other spellings are read.
 */
function networkKey(cidr: string): { key: string; len: number } | undefined {
  if (CANONICAL_V4.test(cidr)) {
    const lenText = cidr.slice(cidr.indexOf('/') + 1);
    const zero = ZERO_HOST[lenText];
    if (zero !== undefined && (lenText === '0' ? cidr === zero : cidr.endsWith(zero))) return { key: cidr, len: +lenText };
  }
  const p = parseCidr(cidr);
  return p && { key: `${intToIpv4(p.net)}/${p.len}`, len: p.len };
}

const big6 = (ip: string): bigint | undefined => parseIPv6(ip)?.reduce((n, g) => (n << 16n) | BigInt(g), 0n);
const mask6 = (len: number): bigint => (len === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - len)) - 1n));

/** An IPv6 CIDR (a bare address is a /128) as network number and length; undefined when not IPv6. */
function parseCidr6(cidr: string): { net: bigint; len: number } | undefined {
  const [ip, lenText] = cidr.split('/');
  const n = big6(ip);
  const len = lenText === undefined ? 128 : Number(lenText);
  if (n === undefined || !Number.isInteger(len) || len < 0 || len > 128) return undefined;
  return { net: n & mask6(len), len };
}

/** One family's tables: network number by prefix length, lengths probed longest first. */
class Lengths<K, T> {
  private readonly byLen = new Map<number, Map<K, T[]>>();
  private lengths: number[] = [];

  add(len: number, net: K, value: T): void {
    let table = this.byLen.get(len);
    if (!table) {
      table = new Map();
      this.byLen.set(len, table);
      this.lengths = [...this.byLen.keys()].sort((a, b) => b - a);
    }
    const list = table.get(net);
    if (list) list.push(value);
    else table.set(net, [value]);
  }

  longest(netAt: (len: number) => K): { len: number; values: T[] } | undefined {
    for (const len of this.lengths) {
      const hit = this.byLen.get(len)!.get(netAt(len));
      if (hit) return { len, values: hit };
    }
    return undefined;
  }

  exact(len: number, net: K): T[] {
    return this.byLen.get(len)?.get(net) ?? [];
  }
}

/**
 * A longest-prefix index of values by IPv4 or IPv6 prefix (the families apart). Lengths are probed from the
 * longest down, so the cost of a lookup depends on the number of distinct lengths, never on the number of entries.
 */
export class PrefixIndex<T> {
  private readonly v4 = new Lengths<string, T>();
  private readonly v6 = new Lengths<bigint, T>();

  add(cidr: string, value: T): void {
    const p = networkKey(cidr);
    if (p) return this.v4.add(p.len, p.key, value);
    const p6 = parseCidr6(cidr);
    if (p6) this.v6.add(p6.len, p6.net, value);
  }

  /** Every value of the longest prefix that contains `ip` (all share that prefix), or [] */
  longest(ip: string): { len: number; values: T[] } | undefined {
    if (isIPv4(ip)) {
      const n = ipv4ToInt(ip);
      return this.v4.longest((len) => `${intToIpv4((n & maskOf(len)) >>> 0)}/${len}`);
    }
    const n6 = big6(ip);
    return n6 === undefined ? undefined : this.v6.longest((len) => n6 & mask6(len));
  }

  /** Values stored under exactly this prefix. */
  exact(cidr: string): T[] {
    const p = networkKey(cidr);
    if (p) return this.v4.exact(p.len, p.key);
    const p6 = parseCidr6(cidr);
    return p6 ? this.v6.exact(p6.len, p6.net) : [];
  }
}

const tables = new WeakMap<object, RouteTable>();

/** One snapshot's route table, indexed once however many lookups trace, doctor and peer-state make. */
export function routeTableOf(s: { routes: Route[]; addresses: Address[] }): RouteTable {
  let t = tables.get(s);
  if (!t) tables.set(s, (t = new RouteTable(s.routes, s.addresses)));
  return t;
}

/** Route types that forward packets; `blackhole`, `unreachable`, `prohibit` match but drop. */
const DROP_TYPES = new Set(['blackhole', 'unreachable', 'prohibit']);

export class RouteTable {
  private readonly routes = new PrefixIndex<Route>();
  private readonly locals = new Map<string, Address>();

  constructor(routes: Route[], addresses: Address[]) {
    for (const r of routes) {
      // the main table is what flannel programs; `local` table entries are covered by the addresses
      if (r.table !== 'main' || r.type === 'local' || r.type === 'broadcast' || r.type === 'multicast') continue;
      this.routes.add(r.dst, r);
    }
    for (const a of addresses) {
      const local = a.family === 'inet' ? a.local : normalizeIPv6(a.local);
      if (local !== undefined && !this.locals.has(local)) this.locals.set(local, a);
    }
  }

  /** `ip`: IPv4, or IPv6 in RFC 5952 form (as iproute2 prints it). */
  lookup(ip: string): RouteMatch {
    const address = this.locals.get(ip);
    if (address) return { kind: 'local', address, reason: `${ip} is an address of this node (dev ${address.dev})` };
    const hit = this.routes.longest(ip);
    if (!hit) return { kind: 'none', reason: `no route in the ${ip.includes(':') ? 'IPv6 ' : ''}main table covers ${ip}, and there is no default route` };
    // same prefix: the lowest metric wins (absent = 0), then the first listed, like the kernel's fib alias order
    const sorted = [...hit.values].sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0));
    const route = sorted[0];
    let reason = hit.len === 0 ? 'only the default route covers it' : `longest matching prefix /${hit.len}`;
    if (sorted.length > 1) reason += `; lowest metric ${route.metric ?? 0} of ${sorted.length} routes to ${route.dst}`;
    if (DROP_TYPES.has(route.type)) reason += `; it is a ${route.type} route: packets are dropped`;
    return { kind: 'route', route, reason };
  }
}

/**
 * flannel's ip.DirectRouting(ip) (pkg/ip/iface.go): netlink.RouteGet(ip) answers one route and it has no gateway —
 * the peer is on a network this node reaches directly. The same lookup on the node's table: the longest prefix
 * (then metric) that covers `ip`, forwarding, with no gateway (a hidden one — redacted, a host name — is one).
 */
export function directlyConnected(table: RouteTable, ip: string): boolean {
  const m = table.lookup(ip);
  if (m.kind === 'local') return true;
  const r = m.route;
  return r !== undefined && r.type === 'unicast' && r.gateway === undefined && r.gatewayRedacted === undefined && r.gatewayHost === undefined;
}

/** The route as `ip route` prints it. */
export function formatRoute(r: Route): string {
  const parts = [r.type !== 'unicast' ? `${r.type} ` : '', isDefaultRoute(r) ? 'default' : r.dst.replace(/^([0-9a-f:]+:[0-9a-f:]*)\/128$/, '$1')];
  // a gateway the paste hid is shown as pasted (`via 10.xx.xx.1`, `via vms106.liruilon`)
  const hidden = r.gateway ?? r.gatewayRedacted ?? r.gatewayHost;
  if (hidden !== undefined) parts.push(` via ${String(hidden)}`);
  if (r.dev) parts.push(` dev ${r.dev}`);
  if (r.onlink) parts.push(' onlink');
  if (r.metric) parts.push(` metric ${r.metric}`);
  return parts.join('');
}

/** Is the route's own prefix /0? */
export const isDefaultRoute = (r: Route): boolean => r.dst === '0.0.0.0/0' || r.dst === '::/0';
