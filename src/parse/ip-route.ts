// `ip route` / `ip -d route` / `ip route show table all` (iproute2), one route per line:
//   [TYPE] PREFIX [via [inet|inet6] ADDR] [dev DEV] [table T] [proto P] [scope S] [src ADDR] [metric N] [onlink] [linkdown]
//   10.244.3.0/24 via 10.244.3.0 dev flannel.1 onlink
//   blackhole 10.244.169.64/26 proto bird
//   default via 192.168.26.2 dev ens32
// and `ip -j route` (JSON array: dst, gateway, dev, protocol, scope, prefsrc, metric, flags[], type, table).
// Multipath `nexthop ...` continuation lines are kept in `nexthops`. `default` becomes 0.0.0.0/0 (::/0),
// a bare address a /32 (/128); `onlink` is lifted into Route.onlink, other flags stay in Route.flags.
// A redacted gateway (`via 10.xx.xx.1`) is kept as `gatewayRedacted`. Unknown keywords are kept in `extra`; neighbour vocabulary (lladdr, NUD states) is rejected.
// `default` is ::/0 when the output is `ip -6 route` (family 'inet6', or a line with an IPv6 address or `pref`,
// which iproute2 prints for IPv6 routes only).
import { ROUTE_TYPES, Route } from '../model/route.js';
import { isIfname } from '../model/net.js';
import { type Line, fail, field, int, ip, isRedactedIPv4, jsonArray, lines, looksJson, prefix, rest, stringArray, tokens, validate } from './common.js';

const CMD = 'ip route';
const TYPES = new Set<string>(ROUTE_TYPES);
const FLAGS = new Set(['onlink', 'linkdown', 'dead', 'pervasive', 'notify', 'offload', 'trap', 'rt_offload', 'rt_trap', 'rt_offload_failed']);
// keyword -> takes one value
const VALUE_KEYS = new Set([
  'table', 'proto', 'scope', 'src', 'metric', 'pref', 'expires', 'error', 'tos', 'dsfield', 'realm', 'realms', 'nhid', 'advmss',
  'hoplimit', 'initcwnd', 'initrwnd', 'rtt', 'rttvar', 'rto_min', 'ssthresh', 'cwnd', 'window', 'features', 'quickack', 'congctl',
  'fastopen_no_cookie', 'from', 'weight', 'ttl-propagate', 'age', 'users', 'used', 'mtu',
]);

export function parseIpRoute(text: string, family?: 'inet' | 'inet6'): Route[] {
  const v6 = family === 'inet6';
  if (looksJson(text)) return jsonArray(CMD, text).map((o) => fromJson(o, v6));
  const routes: Route[] = [];
  let last: Record<string, unknown> | undefined;
  for (const line of lines(text)) {
    const t = tokens(line.text);
    if (t[0] === 'nexthop') {
      if (!last || !/^\s/.test(line.text)) fail(CMD, 'nexthop line without a route', line);
      ((last.nexthops ??= []) as Record<string, unknown>[]).push(nexthop(t.slice(1), line));
      continue;
    }
    if (/^\s/.test(line.text) && t[0] === 'cache') continue; // `ip route get` cache line
    last = fromText(t, line, v6);
    routes.push(last as Route);
  }
  return routes.map((r) => validate(CMD, Route, r));
}

function fromText(t: string[], line: Line, family6: boolean): Record<string, unknown> {
  let i = 0;
  const type = TYPES.has(t[0]) ? t[i++] : 'unicast';
  const dstText = t[i++];
  const v6 = family6 || t.includes('pref') || t.some((x) => x.includes(':') && !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(x));
  const dst = prefix(CMD, dstText, line, v6);
  const route: Record<string, unknown> = { type, dst };
  const flags: string[] = [];
  const extra: string[] = [];
  while (i < t.length) {
    const k = t[i++];
    if (k === 'via') {
      if (t[i] === 'inet' || t[i] === 'inet6') i++;
      // `via 10.xx.xx.1`: a gateway is there, its address was hidden by whoever pasted it
      if (t[i] !== undefined && isRedactedIPv4(t[i])) route.gatewayRedacted = t[i++];
      else route.gateway = ip(CMD, t[i++], 'via', line);
    } else if (k === 'dev') {
      const dev = t[i++];
      if (dev === undefined || !isIfname(dev)) fail(CMD, `not an interface name: ${JSON.stringify(dev ?? '')}`, line);
      route.dev = dev;
    } else if (k === 'onlink') route.onlink = true;
    else if (FLAGS.has(k)) flags.push(k);
    else if (k === 'lladdr' || /^[A-Z]{4,}$/.test(k)) fail(CMD, `neighbour vocabulary ${JSON.stringify(k)} in a route (ip neigh output?)`, line);
    else if (VALUE_KEYS.has(k)) {
      let v = t[i++];
      if (v === undefined) fail(CMD, `${k} without a value`, line);
      if (v === 'lock' && (k === 'mtu' || k === 'advmss' || k === 'window')) v = t[i++] ?? fail(CMD, `${k} lock without a value`, line);
      if (k === 'proto') route.proto = v;
      else if (k === 'scope' || k === 'table' || k === 'pref') route[k] = v;
      else if (k === 'src') route.src = ip(CMD, v, 'src', line);
      else if (k === 'metric') route.metric = int(CMD, v, 'metric', line);
      else if (k === 'mtu') route.mtu = int(CMD, v, 'mtu', line);
      else extra.push(k, v);
    } else if (/^[a-z][a-z0-9_-]*$/.test(k)) extra.push(k);
    else if (extra.length > 0 && !/^[A-Z]/.test(k)) extra.push(k); // value of an unknown keyword
    else fail(CMD, `unexpected ${JSON.stringify(k)}`, line);
  }
  route.flags = flags;
  if (extra.length > 0) route.extra = extra;
  return route;
}

function nexthop(t: string[], line: Line): Record<string, unknown> {
  const hop: Record<string, unknown> = {};
  for (let i = 0; i < t.length; i++) {
    if (t[i] === 'via') hop.gateway = ip(CMD, t[++i] === 'inet' || t[i] === 'inet6' ? t[++i] : t[i], 'via', line);
    else if (t[i] === 'dev') hop.dev = t[++i];
    else if (t[i] === 'weight') hop.weight = int(CMD, t[++i], 'weight', line);
    else ((hop.extra ??= []) as string[]).push(t[i]);
  }
  return hop;
}

const USED = new Set(['type', 'dst', 'gateway', 'dev', 'protocol', 'scope', 'prefsrc', 'metric', 'flags', 'table']);

// A -j route is built valid: every field is checked as it is copied (the model's types, enum and integer), defaults
// filled and keys in the model's order, so it is what zod would build and needs no second pass over 5,000 routes
// (test/parse/property.test.ts holds every result equal to zod's parse of it).
function fromJson(o: Record<string, unknown>, family6: boolean): Route {
  if ('lladdr' in o || Array.isArray(o.state)) fail(CMD, 'JSON element is a neighbour, not a route (ip -j neigh output?)');
  const gateway = field(CMD, o, 'gateway', 'string');
  const flags = stringArray(CMD, o, 'flags') ?? [];
  const type = field(CMD, o, 'type', 'string') ?? 'unicast';
  if (!TYPES.has(type)) fail(CMD, `not a route type: ${JSON.stringify(type)}`);
  const route: Record<string, unknown> = {
    table: field(CMD, o, 'table', 'string') ?? 'main',
    type,
    dst: prefix(CMD, field(CMD, o, 'dst', 'string'), undefined, family6 || 'pref' in o || (gateway?.includes(':') ?? false)),
  };
  if (gateway !== undefined) route.gateway = ip(CMD, gateway, 'gateway');
  const dev = field(CMD, o, 'dev', 'string');
  if (dev !== undefined) route.dev = dev;
  route.onlink = flags.includes('onlink');
  const proto = field(CMD, o, 'protocol', 'string');
  if (proto !== undefined) route.proto = proto;
  const scope = field(CMD, o, 'scope', 'string');
  if (scope !== undefined) route.scope = scope;
  const metric = field(CMD, o, 'metric', 'number');
  if (metric !== undefined && !Number.isSafeInteger(metric)) fail(CMD, `JSON field metric should be an integer, got ${metric}`);
  if (metric !== undefined) route.metric = metric;
  const src = field(CMD, o, 'prefsrc', 'string');
  if (src !== undefined) route.src = src;
  // the JSON's own array when there is no onlink to lift out of it
  route.flags = route.onlink ? flags.filter((f) => f !== 'onlink') : flags;
  const raw = rest(o, USED);
  if (raw !== undefined) route.raw = raw;
  return route as Route;
}
