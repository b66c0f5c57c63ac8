// `route -n -A inet6` / `route -6 -n` (net-tools, from /proc/net/ipv6_route): the kernel's IPv6 routes as columns
//   Kernel IPv6 routing table
//   Destination                    Next Hop                   Flag Met Ref  Use If
//   fd00:10:244:3::/64             fd00:10:244:3::            UGH  1024 1      0 flannel-v6.1
//   fd00:56::11/128                ::                         Un   0   3      0 eth0
//   ::/0                           ::                         !n   -1  1      0 lo
// /proc/net/ipv6_route holds every table: a no-next-hop (`n`) entry with metric 0 is the local table's route for
// one of the node's own addresses (ip -6 route show table local); `!` is a reject route. Next hop `::` means
// none. Flags (net-tools inet6_gr.c): U up, ! reject, G gateway, H host, D default, A addrconf, C cache,
// a allonlink, e expires, m modified, n no next hop, f flow. Like route -n, onlink is never printed: a gateway
// inside the route's own prefix is flannel's `via <sn>:: onlink` and marked so (`onlinkInferred`).
// Result: Route[] (src/model/route.ts) with the printed flags in `routeFlags`.
import { cidrContains6, normalizeIPv6 } from '../model/ipv6.js';
import { isIfname } from '../model/net.js';
import { Route } from '../model/route.js';
import { type Line, compact, fail, int, lines, tokens, validate } from './common.js';

const CMD = 'route -n -A inet6';
const HEADER = ['Destination', 'Next', 'Hop', 'Flag', 'Met', 'Ref', 'Use', 'If'];

function prefix(s: string, line: Line): string {
  const [addr, len, extra] = s.split('/');
  const ip = normalizeIPv6(addr);
  if (!ip || extra !== undefined || len === undefined || !/^\d{1,3}$/.test(len) || Number(len) > 128) fail(CMD, `not an IPv6 prefix: ${JSON.stringify(s)}`, line);
  return `${ip}/${len}`;
}

export function parseRouteN6(text: string): Route[] {
  const routes: Route[] = [];
  for (const line of lines(text)) {
    const t = tokens(line.text);
    if (t.join(' ') === 'Kernel IPv6 routing table') continue;
    if (t[0] === 'Destination') {
      if (t.join(' ') !== HEADER.join(' ')) fail(CMD, 'unexpected column header', line);
      continue;
    }
    if (t.length !== 7) fail(CMD, `expected 7 columns, got ${t.length}`, line);
    const [dstText, hop, flags, met, ref, use, dev] = t;
    if (!/^[UGHDACaemnf!]+$/.test(flags)) fail(CMD, `unknown route flags ${JSON.stringify(flags)}`, line);
    if (!isIfname(dev)) fail(CMD, `not an interface name: ${JSON.stringify(dev)}`, line);
    const dst = prefix(dstText, line);
    const gw = normalizeIPv6(hop);
    if (!gw) fail(CMD, `next hop is not an IPv6 address: ${JSON.stringify(hop)}`, line);
    // the kernel prints metric 0xffffffff (reject/null routes) as -1
    const metric = met === '-1' ? 4294967295 : int(CMD, met, 'metric', line);
    const local = flags.includes('n') && metric === 0 && !flags.includes('!');
    const gateway = gw === '::' ? undefined : gw;
    const onlink = gateway !== undefined && cidrContains6(dst, gateway);
    routes.push(
      compact({
        table: local ? 'local' : 'main',
        type: flags.includes('!') ? 'unreachable' : local ? 'local' : 'unicast',
        dst,
        gateway,
        dev,
        onlink,
        onlinkInferred: onlink || undefined,
        metric,
        flags: [],
        routeFlags: flags,
        ref: int(CMD, ref, 'ref', line),
        use: int(CMD, use, 'use', line),
      }) as Route,
    );
  }
  return routes.map((r) => validate(CMD, Route, r));
}
