// argv builders for every fix command (doctor fix hints, the cluster matrix, repair plans). Each value is validated here,
// right before it becomes part of a command line (IPs, MACs, device names, prefixes, namespace names); a bad value
// throws UnsafeValue and the caller skips that item instead of building the command.
// IPv4 and IPv6 alike: iproute2 takes the family from the address (`ip neigh replace fd00:10:244:2:: …` is
// `ip -6 neigh replace …`), which is also the only way a `-batch` line can say it.
import { UsageError } from '../errors.js';
import { parseIPv6 } from './ipv6.js';
import { isIfname, isIPv4 } from './net.js';

export class UnsafeValue extends UsageError {}

const NETNS = /^[A-Za-z0-9_.@:+-]{1,128}$/;
// plain regexes, not the zod schemas: a 50,000-peer plan validates ~500,000 values
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
// IPv6 as iproute2 reads it: hex groups, `::`, an IPv4 tail; no zone (`%eth0`), nothing else
const isIPv6 = (v: string): boolean => /^[0-9a-fA-F:.]{2,45}$/.test(v) && parseIPv6(v) !== undefined;
const familyOf = (ip: string): 4 | 6 | undefined => (isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : undefined);
const isCidr = (v: string): boolean => {
  const [ip, len, extra] = v.split('/');
  if (extra !== undefined || len === undefined || !/^\d{1,3}$/.test(len)) return false;
  const family = familyOf(ip);
  return family !== undefined && Number(len) <= (family === 4 ? 32 : 128);
};

function ip(v: string | undefined, what: string, family?: 4 | 6): string {
  const f = v === undefined ? undefined : familyOf(v);
  if (v === undefined || f === undefined) throw new UnsafeValue(`${what} ${JSON.stringify(v)} is not an IP address`);
  // a gateway of the other family than its route would be an RTA_VIA route, which flannel never writes
  if (family !== undefined && f !== family) throw new UnsafeValue(`${what} ${v} is not an IPv${family} address`);
  return v;
}
function mac(v: string | undefined, what = 'MAC'): string {
  if (v === undefined || !MAC.test(v)) throw new UnsafeValue(`${what} ${JSON.stringify(v)} is not a MAC address`);
  return v;
}
function dev(v: string | undefined): string {
  // a leading '-' would read as an option to ip/bridge
  if (v === undefined || !isIfname(v) || v.startsWith('-')) throw new UnsafeValue(`device ${JSON.stringify(v)} is not an interface name`);
  return v;
}
function cidr(v: string | undefined): string {
  if (v === undefined || !isCidr(v)) throw new UnsafeValue(`prefix ${JSON.stringify(v)} is not an IP prefix (CIDR)`);
  return v;
}
function int(v: number | undefined, what: string, max: number): string {
  if (v === undefined || !Number.isInteger(v) || v < 0 || v > max) throw new UnsafeValue(`${what} ${String(v)} is out of range`);
  return String(v);
}

/** Where the commands run: the live node, or a named namespace (`ip -n NS`, `bridge -n NS`, iproute2 ≥ 4.x). */
export function programPrefix(program: 'ip' | 'bridge', netns?: string): string[] {
  if (netns === undefined) return [program];
  if (!NETNS.test(netns) || netns === '.' || netns === '..') throw new UnsafeValue(`not a network namespace name: ${JSON.stringify(netns)}`);
  return [program, '-n', netns];
}

/** One command without its program prefix: what goes on a `-batch` line and after `ip`/`bridge`. */
export interface Cmd {
  program: 'ip' | 'bridge';
  args: string[];
}

export const neighReplace = (d: string, addr: string, lladdr: string): Cmd => ({
  program: 'ip',
  args: ['neigh', 'replace', ip(addr, 'neighbour'), 'dev', dev(d), 'lladdr', mac(lladdr), 'nud', 'permanent'],
});
/** Restore a neighbour as it was: NUD state lower case (`permanent`, `noarp`, `stale`…). */
export const neighRestore = (d: string, addr: string, lladdr: string, nud: string): Cmd => {
  if (!/^[a-z]{4,10}$/.test(nud)) throw new UnsafeValue(`NUD state ${JSON.stringify(nud)}`);
  return { program: 'ip', args: ['neigh', 'replace', ip(addr, 'neighbour'), 'dev', dev(d), 'lladdr', mac(lladdr), 'nud', nud] };
};
export const neighDel = (d: string, addr: string): Cmd => ({ program: 'ip', args: ['neigh', 'del', ip(addr, 'neighbour'), 'dev', dev(d)] });

export const fdbReplace = (d: string, m: string, dst: string): Cmd => ({
  program: 'bridge',
  args: ['fdb', 'replace', mac(m), 'dev', dev(d), 'dst', ip(dst, 'fdb dst'), 'self', 'permanent'],
});
/** Restores a deleted entry next to any other remote of the same MAC (`replace` would overwrite it). */
export const fdbAppend = (d: string, m: string, dst: string): Cmd => ({
  program: 'bridge',
  args: ['fdb', 'append', mac(m), 'dev', dev(d), 'dst', ip(dst, 'fdb dst'), 'self', 'permanent'],
});
export const fdbDel = (d: string, m: string, dst?: string): Cmd => ({
  program: 'bridge',
  args: ['fdb', 'del', mac(m), 'dev', dev(d), ...(dst ? ['dst', ip(dst, 'fdb dst')] : []), 'self'],
});

export interface RouteSpec {
  dst: string;
  gateway?: string;
  dev?: string;
  onlink?: boolean;
  metric?: number;
  /** what undo restores besides: the route exactly as `ip -j route` showed it */
  src?: string;
  proto?: string;
  scope?: string;
  mtu?: number;
}
// iproute2's rt_protos / rt_scopes names, or their numbers
const WORD = /^([a-z][a-z0-9_.-]{0,15}|\d{1,3})$/;
function word(v: string, what: string): string {
  if (!WORD.test(v)) throw new UnsafeValue(`${what} ${JSON.stringify(v)}`);
  return v;
}
function routeArgs(r: RouteSpec): string[] {
  const family = familyOf(cidr(r.dst).split('/')[0]);
  return [
    r.dst,
    ...(r.gateway ? ['via', ip(r.gateway, 'gateway', family)] : []),
    ...(r.dev ? ['dev', dev(r.dev)] : []),
    ...(r.onlink ? ['onlink'] : []),
    ...(r.metric !== undefined ? ['metric', int(r.metric, 'metric', 0xffffffff)] : []),
    ...(r.src ? ['src', ip(r.src, 'src', family)] : []),
    ...(r.proto ? ['proto', word(r.proto, 'proto')] : []),
    ...(r.scope ? ['scope', word(r.scope, 'scope')] : []),
    ...(r.mtu !== undefined ? ['mtu', int(r.mtu, 'mtu', 65535)] : []),
  ];
}
export const routeReplace = (r: RouteSpec): Cmd => ({ program: 'ip', args: ['route', 'replace', ...routeArgs(r)] });
export const routeDel = (r: RouteSpec): Cmd => ({ program: 'ip', args: ['route', 'del', ...routeArgs(r)] });

export interface VxlanSpec {
  name: string;
  mac: string;
  mtu: number;
  vni: number;
  local: string;
  dev: string;
  port: number;
  learning?: boolean;
}
/** flannel's device (reference §1.2): `ip link add flannel.1 address MAC mtu M type vxlan id N local IP dev ETH dstport P nolearning`. */
export const linkAddVxlan = (s: VxlanSpec): Cmd => ({
  program: 'ip',
  args: [
    'link', 'add', dev(s.name), 'address', mac(s.mac, 'VtepMAC'), 'mtu', int(s.mtu, 'mtu', 65535), 'type', 'vxlan',
    'id', int(s.vni, 'VNI', 0xffffff), 'local', ip(s.local, 'local'), 'dev', dev(s.dev), 'dstport', int(s.port, 'port', 65535),
    s.learning ? 'learning' : 'nolearning',
  ],
});
export const linkDel = (d: string): Cmd => ({ program: 'ip', args: ['link', 'del', dev(d)] });
export const linkUp = (d: string): Cmd => ({ program: 'ip', args: ['link', 'set', 'dev', dev(d), 'up'] });
export const linkDown = (d: string): Cmd => ({ program: 'ip', args: ['link', 'set', 'dev', dev(d), 'down'] });
export const linkMtu = (d: string, mtu: number): Cmd => ({ program: 'ip', args: ['link', 'set', 'dev', dev(d), 'mtu', int(mtu, 'mtu', 65535)] });
export const addrReplace = (d: string, prefix: string): Cmd => ({ program: 'ip', args: ['addr', 'replace', cidr(prefix), 'dev', dev(d)] });
export const addrDel = (d: string, prefix: string): Cmd => ({ program: 'ip', args: ['addr', 'del', cidr(prefix), 'dev', dev(d)] });

/** The full argv for execa and its display form. */
export function render(cmd: Cmd, netns?: string): { argv: string[]; command: string } {
  const argv = [...programPrefix(cmd.program, netns), ...cmd.args];
  return { argv, command: argv.join(' ') };
}
