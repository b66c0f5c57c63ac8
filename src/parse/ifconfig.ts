// `ifconfig` (net-tools), both layouts, blocks separated by blank lines:
//   new (net-tools 2.x, CentOS 7+):
//     flannel.1: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1450
//             inet 10.27.9.0  netmask 255.255.255.255  broadcast 0.0.0.0
//             inet6 fe80::a0fc:49ff:fed4:e884  prefixlen 64  scopeid 0x20<link>
//             ether a2:fc:49:d4:e8:84  txqueuelen 0  (Ethernet)
//   old / busybox (seed 002, pod eth0):
//     eth0      Link encap:Ethernet  HWaddr EA:BC:22:E6:7A:FA
//               inet addr:10.244.1.2  Bcast:10.244.1.255  Mask:255.255.255.0
//               UP BROADCAST RUNNING MULTICAST  MTU:1480  Metric:1
// Blog pastes lose the `<...>` flag list (`flags=4163 mtu 1450`): the numeric flags are decoded then.
// ifconfig prints no ifindex: links carry ifindex 0 and `ifindexKnown: false`. Counters (RX/TX lines) are kept as `stats`.
// Result: { links: Link[]; addresses: Address[] }.
import { Address } from '../model/address.js';
import { Link } from '../model/link.js';
import { isIfname } from '../model/net.js';
import { type Line, compact, fail, int, ip, ipv4, lines, mac, maskLen, tokens, validate } from './common.js';

const CMD = 'ifconfig';
// IFF_* bits, for `flags=4163` without the names
const IFF: [number, string][] = [
  [0x1, 'UP'], [0x2, 'BROADCAST'], [0x4, 'DEBUG'], [0x8, 'LOOPBACK'], [0x10, 'POINTOPOINT'], [0x20, 'NOTRAILERS'],
  [0x40, 'RUNNING'], [0x80, 'NOARP'], [0x100, 'PROMISC'], [0x200, 'ALLMULTI'], [0x400, 'MASTER'], [0x800, 'SLAVE'],
  [0x1000, 'MULTICAST'], [0x2000, 'PORTSEL'], [0x4000, 'AUTOMEDIA'], [0x8000, 'DYNAMIC'],
];
const NEW_HEADER = /^([^\s:]+(?::\d+)?):\s+flags=(\d+)\s*(?:<([^>]*)>)?\s*mtu\s*(\d+)\s*$/;
const OLD_HEADER = /^(\S+)\s+Link\s+encap:\s*(.+?)(?:\s+HWaddr\s+(\S+))?\s*$/;
const OLD_FLAG_WORDS = /^[A-Z][A-Z_-]*$/;

export function parseIfconfig(text: string): { links: Link[]; addresses: Address[] } {
  const links: Link[] = [];
  const addresses: Address[] = [];
  let cur: Record<string, unknown> | undefined;
  let curLine: Line | undefined;
  const finish = () => {
    if (cur && curLine) links.push(validate(CMD, Link, cur, curLine));
    cur = undefined;
  };
  for (const line of lines(text)) {
    const isHeader = !/^\s/.test(line.text);
    const mNew = isHeader ? NEW_HEADER.exec(line.text.trim()) : null;
    const mOld = isHeader && !mNew ? OLD_HEADER.exec(line.text.replace(/^(\S+?)(Link encap)/, '$1 $2')) : null;
    if (mNew || mOld) {
      finish();
      curLine = line;
      cur = mNew ? newHeader(mNew, line) : oldHeader(mOld!, line);
      continue;
    }
    if (!cur) fail(CMD, 'expected `NAME: flags=N<...>  mtu N` or `NAME Link encap:...` to start an interface', line);
    body(cur, tokens(line.text), line, addresses);
  }
  finish();
  return { links, addresses };
}

function base(name: string, line: Line): Record<string, unknown> {
  if (!isIfname(name.replace(/:\d+$/, ''))) fail(CMD, `not an interface name: ${JSON.stringify(name)}`, line);
  return { ifindex: 0, ifindexKnown: false, name, kind: 'device', flags: [] };
}

function newHeader(m: RegExpExecArray, line: Line): Record<string, unknown> {
  const [, name, num, names, mtu] = m;
  const link = base(name, line);
  link.ifFlags = int(CMD, num, 'flags', line);
  link.flags = names !== undefined ? names.split(',').map((f) => f.trim()).filter((f) => f !== '') : IFF.filter(([bit]) => (Number(num) & bit) !== 0).map(([, n]) => n);
  link.mtu = int(CMD, mtu, 'mtu', line);
  return link;
}

function oldHeader(m: RegExpExecArray, line: Line): Record<string, unknown> {
  const [, name, encap, hw] = m;
  const link = base(name, line);
  link.encap = encap.trim().replace(/\s+/g, ' ');
  if (/^Local Loopback$/i.test(link.encap as string)) link.kind = 'loopback';
  if (hw !== undefined) link.mac = mac(CMD, hw, 'HWaddr', line);
  return link;
}

/** `key:value` (old layout) or `key value` (new layout) -> value after `key`. */
function after(t: string[], key: string): string | undefined {
  for (let i = 0; i < t.length; i++) {
    if (t[i] === key) return t[i + 1];
    if (t[i].startsWith(`${key}:`)) return t[i].slice(key.length + 1) || t[i + 1];
  }
  return undefined;
}

function body(link: Record<string, unknown>, t: string[], line: Line, addresses: Address[]): void {
  const dev = String(link.name);
  const k = t[0];
  if (k === 'inet' && t[1] !== undefined) {
    // new: inet A netmask M [broadcast B] [destination D]; old: inet addr:A Bcast:B Mask:M
    const local = ipv4(CMD, t[1].startsWith('addr:') ? t[1].slice(5) || t[2] : t[1], 'inet', line);
    const mask = after(t, 'netmask') ?? after(t, 'Mask');
    const addr = compact({
      dev,
      family: 'inet',
      local,
      prefixlen: mask === undefined ? 32 : maskLen(CMD, mask, line),
      broadcast: optIp(after(t, 'broadcast') ?? after(t, 'Bcast'), line),
      peer: optIp(after(t, 'destination') ?? after(t, 'P-t-P'), line),
    });
    addresses.push(validate(CMD, Address, addr, line));
  } else if (k === 'inet6') {
    // new: inet6 A prefixlen N scopeid 0x20<link>; old: inet6 addr: A/N Scope:Link
    const old = t[1] === 'addr:' || t[1]?.startsWith('addr:');
    const text = old ? (t[1] === 'addr:' ? t[2] : t[1].slice(5)) : t[1];
    const [a, len] = (text ?? '').split('/');
    const scopeid = after(t, 'scopeid');
    const addr = compact({
      dev,
      family: 'inet6',
      local: ip(CMD, a, 'inet6', line),
      prefixlen: int(CMD, len ?? after(t, 'prefixlen'), 'prefixlen', line),
      scope: (scopeid !== undefined ? /<(\w+)>/.exec(scopeid)?.[1] : after(t, 'Scope')?.toLowerCase()) ?? undefined,
    });
    addresses.push(validate(CMD, Address, addr, line));
  } else if (k === 'ether') {
    link.mac = mac(CMD, t[1], 'ether', line);
    const q = after(t, 'txqueuelen');
    if (q !== undefined) link.qlen = int(CMD, q, 'txqueuelen', line);
  } else if (k === 'loop') {
    link.kind = 'loopback';
  } else if (k === 'unspec' || k === 'infiniband' || k === 'tunnel' || k === 'ppp' || k === 'ipip') {
    link.linkType = k;
  } else if (/^(RX|TX)$/.test(k) || k === 'collisions:' || k.startsWith('collisions') || k === 'Interrupt:' || k.startsWith('Interrupt')) {
    ((link.stats ??= []) as string[]).push(t.join(' '));
  } else if (OLD_FLAG_WORDS.test(k) && t.some((x) => x.startsWith('MTU:'))) {
    // old layout flag line: UP BROADCAST RUNNING MULTICAST  MTU:1480  Metric:1
    link.flags = t.filter((x) => OLD_FLAG_WORDS.test(x));
    link.mtu = int(CMD, after(t, 'MTU'), 'MTU', line);
    const metric = after(t, 'Metric');
    if (metric !== undefined) link.metric = int(CMD, metric, 'Metric', line);
  } else if (k === 'device' || /^[a-z]+$/.test(k)) {
    ((link.extra ??= []) as string[]).push(t.join(' '));
  } else fail(CMD, `unexpected line in interface ${dev}`, line);
}

function optIp(s: string | undefined, line: Line): string | undefined {
  return s === undefined ? undefined : ip(CMD, s, 'address', line);
}
