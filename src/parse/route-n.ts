// `route -n` / `route` (net-tools): the kernel IPv4 routing table as columns
//   Kernel IP routing table
//   Destination     Gateway         Genmask         Flags Metric Ref    Use Iface
//   10.244.3.0      10.244.3.0      255.255.255.0   UG    0      0        0 flannel.1
// Also `route -ne` / `netstat -rn` (MSS Window irtt columns). Without -n, net-tools prints names:
// `default`, `link-local`, and gateways such as `vms106.liruilon` (truncated to 15 characters) — a named
// gateway is kept as `gatewayHost`, never guessed into an IP; a redacted one (`*.*.*.1`, `10.xx.xx.1`) as `gatewayRedacted`. Iface `*` is a route with no device
// (a blackhole, e.g. calico's own block); flag `!` is a reject route (unreachable/prohibit).
// route -n never prints `onlink`; a gateway inside the route's own prefix (flannel vxlan: 10.244.3.0/24 via
// 10.244.3.0) and on no directly connected route can only have been added with onlink, so onlink is set and
// marked `onlinkInferred` (a pod's `10.244.0.0/16 via 10.244.1.1` is not: 10.244.1.0/24 is connected).
// A paste that lost its line breaks (header and rows on one line) is split back into rows.
// Result: Route[] (src/model/route.ts), with the printed flags in `routeFlags` and ref/use kept.
import { Route } from '../model/route.js';
import { cidrContains, isIPv4, isIfname } from '../model/net.js';
import { type Line, compact, fail, int, isRedactedIPv4, lines, maskLen, tokens, validate } from './common.js';

const CMD = 'route -n';
const DEFAULT_COLUMNS = ['Destination', 'Gateway', 'Genmask', 'Flags', 'Metric', 'Ref', 'Use', 'Iface'];
const COLUMN_NAMES = new Set([...DEFAULT_COLUMNS, 'MSS', 'Window', 'irtt']);
// names net-tools prints for well-known networks (/etc/networks) when -n is not given
const NETWORK_NAMES: Record<string, string> = { default: '0.0.0.0', 'link-local': '169.254.0.0', loopback: '127.0.0.0' };
// a host name as `route` prints it: letters, digits, dots, dashes, underscores
const HOSTNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function parseRouteN(text: string): Route[] {
  let columns = DEFAULT_COLUMNS;
  const routes: Route[] = [];
  for (const line of lines(text)) {
    let t = tokens(line.text);
    if (t.slice(0, 4).join(' ') === 'Kernel IP routing table') t = t.slice(4);
    if (t[0] === 'Destination') {
      const n = t.findIndex((c, i) => i > 0 && !COLUMN_NAMES.has(c));
      const header = n < 0 ? t : t.slice(0, n);
      if (header.length < 8 || t[1] !== 'Gateway' || t[2] !== 'Genmask' || t[3] !== 'Flags') fail(CMD, 'unexpected column header', line);
      columns = header;
      t = t.slice(header.length);
    }
    if (t.length === 0) continue;
    // a paste that lost its line breaks puts several rows on one line: split it into whole rows
    const rows = t.length > columns.length && t.length % columns.length === 0 ? chunk(t, columns.length) : [t];
    for (const r of rows) routes.push(row(columns, r, line));
  }
  const connected = routes.filter((d) => d.gateway === undefined && d.gatewayHost === undefined && d.gatewayRedacted === undefined && d.dev !== undefined);
  for (const r of routes) {
    const gw = r.gateway;
    // a default route contains every gateway: `route -n | grep ^0.0.0.0` alone says nothing about onlink
    if (gw === undefined || r.dst.endsWith('/0') || !cidrContains(r.dst, gw)) continue;
    if (connected.some((d) => cidrContains(d.dst, gw))) continue;
    r.onlink = true;
    r.onlinkInferred = true;
  }
  return routes;
}

const chunk = (t: string[], n: number): string[][] => Array.from({ length: t.length / n }, (_, i) => t.slice(i * n, (i + 1) * n));

function row(columns: string[], t: string[], line: Line): Route {
  // Iface may be empty in old net-tools for reject routes; every other column is always printed
  if (t.length !== columns.length && !(t.length === columns.length - 1 && t[3]?.includes('!'))) {
    fail(CMD, `expected ${columns.length} columns, got ${t.length}`, line);
  }
  const col = (name: string): string | undefined => t[columns.indexOf(name)];
  const dstText = col('Destination')!;
  const dst = NETWORK_NAMES[dstText] ?? dstText;
  if (!isIPv4(dst)) fail(CMD, `destination is not an IPv4 address${HOSTNAME.test(dst) ? ' (a network name: use route -n)' : ''}: ${JSON.stringify(dstText)}`, line);
  const len = maskLen(CMD, col('Genmask')!, line);
  const flags = col('Flags')!;
  if (!/^[UGHRDMACI!]+$/.test(flags)) fail(CMD, `not route flags: ${JSON.stringify(flags)}`, line);
  const gwText = col('Gateway')!;
  let gateway: string | undefined;
  let gatewayHost: string | undefined;
  let gatewayRedacted: string | undefined;
  if (isIPv4(gwText)) gateway = gwText === '0.0.0.0' ? undefined : gwText;
  else if (gwText === '*' || gwText === '-') gateway = undefined;
  else if (isRedactedIPv4(gwText)) gatewayRedacted = gwText;
  else if (HOSTNAME.test(gwText) && flags.includes('G')) gatewayHost = gwText;
  else fail(CMD, `not a gateway: ${JSON.stringify(gwText)}`, line);
  const iface = col('Iface');
  if (iface !== undefined && iface !== '*' && iface !== '-' && !isIfname(iface)) fail(CMD, `not an interface name: ${JSON.stringify(iface)}`, line);
  const dev = iface === undefined || iface === '*' || iface === '-' ? undefined : iface;
  const num = (name: string): number | undefined => {
    const v = col(name);
    return v === undefined || v === '-' ? undefined : int(CMD, v, name, line);
  };
  let type = 'unicast';
  if (flags.includes('!')) type = 'unreachable';
  else if (dev === undefined) type = 'blackhole';
  const route = compact({
    dst: `${dst}/${len}`,
    type,
    gateway,
    gatewayHost,
    gatewayRedacted,
    dev,
    metric: num('Metric'),
    routeFlags: flags,
    ref: num('Ref'),
    use: num('Use'),
    mss: num('MSS'),
    window: num('Window'),
    irtt: num('irtt'),
  });
  return validate(CMD, Route, route, line);
}
