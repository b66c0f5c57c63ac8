// `arp -n` / `arp -e` (net-tools table) and `arp -an` (BSD style), the IPv4 neighbour table:
//   Address                  HWtype  HWaddress           Flags Mask            Iface
//   10.244.3.0               ether   4e:9d:22:aa:10:03   CM                    flannel.1
//   192.168.56.201                   (incomplete)                              eth0
//   ? (10.244.3.0) at 4e:9d:22:aa:10:03 [ether] PERM on flannel.1
//   ? (192.168.56.201) at <incomplete> on eth0
// Flags: C complete, M / PERM permanent, P / PUB published (proxy). M or PERM -> state PERMANENT,
// incomplete -> INCOMPLETE; arp cannot tell REACHABLE from STALE, so a plain C entry has no state.
// Without -n the Address column may be a host name: kept as `dstHost` (dst then holds the name too).
import { Neigh } from '../model/neigh.js';
import { isIP, isIfname } from '../model/net.js';
import { type Line, compact, fail, lines, mac, tokens, validate } from './common.js';

const CMD = 'arp';
const HOSTNAME = /^[A-Za-z0-9_?][A-Za-z0-9_.-]*$/;
const HWTYPES = new Set(['ether', 'loop', 'infiniband', 'ax25', 'netrom', 'rose', 'arcnet', 'dlci', 'fddi', 'hippi', 'irda', 'x25', 'eui64', 'tr', 'ash', 'sit', 'tunnel', 'ppp', 'strip', 'ec', 'unspec']);

export function parseArp(text: string): Neigh[] {
  const out: Neigh[] = [];
  for (const line of lines(text)) {
    const t = tokens(line.text);
    if (t[0] === 'Address' && t[1] === 'HWtype') continue;
    if (/^(arp: in \d+ entries|Entries: \d+)/.test(line.text.trim())) continue; // arp -v footer
    out.push(t[2] === 'at' || (t[1] !== '(incomplete)' && t[1]?.startsWith('(') && t[1].endsWith(')')) ? bsd(t, line) : table(t, line));
  }
  return out;
}

function address(s: string | undefined, line: Line): { dst: string; dstHost?: string } {
  if (s !== undefined && isIP(s)) return { dst: s };
  if (s !== undefined && HOSTNAME.test(s)) return { dst: s, dstHost: s };
  return fail(CMD, `not an address: ${JSON.stringify(s ?? '')}`, line);
}

function iface(s: string | undefined, line: Line): string {
  if (s === undefined || !isIfname(s)) fail(CMD, `not an interface name: ${JSON.stringify(s ?? '')}`, line);
  return s;
}

function stateOf(flags: string): string[] {
  if (/[M]/.test(flags) || /PERM/.test(flags)) return ['PERMANENT'];
  return [];
}

// net-tools table: Address HWtype HWaddress Flags [Mask] Iface, or Address (incomplete) Iface
function table(t: string[], line: Line): Neigh {
  const { dst, dstHost } = address(t[0], line);
  if (t[1] === '(incomplete)') {
    if (t.length !== 3) fail(CMD, 'expected Address (incomplete) Iface', line);
    return validate(CMD, Neigh, compact({ dst, dstHost, dev: iface(t[2], line), state: ['INCOMPLETE'] }), line);
  }
  if (t.length < 5 || t.length > 6) fail(CMD, `expected 5 or 6 columns (Address HWtype HWaddress Flags [Mask] Iface), got ${t.length}`, line);
  if (!HWTYPES.has(t[1])) fail(CMD, `unknown HWtype ${JSON.stringify(t[1])}`, line);
  const flags = t[3];
  if (!/^[CMPA]+$/.test(flags)) fail(CMD, `not arp flags: ${JSON.stringify(flags)}`, line);
  const neigh = compact({
    dst,
    dstHost,
    dev: iface(t[t.length - 1], line),
    lladdr: t[1] === 'ether' ? mac(CMD, t[2], 'HWaddress', line) : t[2].toLowerCase(),
    hwtype: t[1],
    arpFlags: flags,
    mask: t.length === 6 ? t[4] : undefined,
    state: stateOf(flags),
    proxy: flags.includes('P'),
  });
  return validate(CMD, Neigh, neigh, line);
}

// BSD style: NAME (ADDR) at MAC [ether] [PERM] [PUB] on IFACE [ifscope ...] [netmask M]
function bsd(t: string[], line: Line): Neigh {
  const inner = t[1].slice(1, -1);
  if (!t[1].startsWith('(') || !isIP(inner)) fail(CMD, `expected (ADDRESS), got ${JSON.stringify(t[1])}`, line);
  if (t[2] !== 'at') fail(CMD, 'expected `at`', line);
  const host = t[0] === '?' ? undefined : t[0];
  if (host !== undefined && !HOSTNAME.test(host)) fail(CMD, `not a host name: ${JSON.stringify(host)}`, line);
  const incomplete = t[3] === '<incomplete>' || t[3] === '(incomplete)';
  const lladdr = incomplete ? undefined : mac(CMD, t[3], 'hardware address', line);
  let dev: string | undefined;
  let hwtype: string | undefined;
  const flags: string[] = [];
  const extra: string[] = [];
  for (let i = 4; i < t.length; i++) {
    const k = t[i];
    if (k === 'on') dev = iface(t[++i], line);
    else if (/^\[[a-z0-9]+\]$/.test(k)) hwtype = k.slice(1, -1);
    else if (k === 'PERM' || k === 'PUB' || k === 'permanent' || k === 'published') flags.push(k);
    else if (k === 'netmask' || k === 'ifscope' || k === 'expires' || k === 'in') extra.push(k, t[++i] ?? fail(CMD, `${k} without a value`, line));
    else if (/^[a-z]+$/.test(k)) extra.push(k);
    else fail(CMD, `unexpected ${JSON.stringify(k)}`, line);
  }
  if (dev === undefined) fail(CMD, 'no `on IFACE`', line);
  const permanent = flags.some((f) => f === 'PERM' || f === 'permanent');
  const neigh = compact({
    dst: inner,
    dstHost: host,
    dev,
    lladdr,
    hwtype,
    arpFlags: flags.length > 0 ? flags.join(' ') : undefined,
    state: incomplete ? ['INCOMPLETE'] : permanent ? ['PERMANENT'] : [],
    proxy: flags.some((f) => f === 'PUB' || f === 'published'),
    extra: extra.length > 0 ? extra : undefined,
  });
  return validate(CMD, Neigh, neigh, line);
}
