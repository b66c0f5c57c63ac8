// `ip addr` (iproute2): `ip link` blocks plus one line per address,
//   3: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN group default qlen 1000
//       link/ether 8a:1c:3f:5e:77:01 brd ff:ff:ff:ff:ff:ff
//       inet 10.244.1.0/32 [brd B] [peer P/len] scope global [dynamic noprefixroute ...] flannel.1
//          valid_lft forever preferred_lft forever
//       inet6 fe80::881c:3fff:fe5e:7701/64 scope link
// and `ip -j addr` (link objects with addr_info[]). Result: { links: Link[]; addresses: Address[] }.
// Address flags (dynamic, secondary, tentative, ...) are kept in `addrFlags`, the label when it differs from the device.
import { Address } from '../model/address.js';
import type { Link } from '../model/link.js';
import { type Line, compact, fail, field, int, ip, jsonArray, looksJson, rest, validate } from './common.js';
import { linkFromJson, parseLinkBlocks } from './ip-link.js';

const CMD = 'ip addr';

export function parseIpAddr(text: string): { links: Link[]; addresses: Address[] } {
  const addresses: Address[] = [];
  if (looksJson(text)) {
    const objs = jsonArray(CMD, text);
    const links = objs.map((o) => linkFromJson(CMD, o));
    objs.forEach((o, i) => {
      const info = o.addr_info ?? [];
      if (!Array.isArray(info)) fail(CMD, 'JSON addr_info is not an array');
      for (const a of info as Record<string, unknown>[]) addresses.push(fromJson(a, links[i]));
    });
    return { links, addresses };
  }
  const links = parseLinkBlocks(CMD, text, (link, t, line) => {
    if (t[0] === 'valid_lft') return true; // lifetimes: forever on static addresses, nothing to model
    if (t[0] !== 'inet' && t[0] !== 'inet6') return false;
    addresses.push(fromText(link, t, line));
    return true;
  });
  return { links, addresses };
}

function splitPrefix(s: string | undefined, line: Line): [string, number] {
  const [addr, len] = (s ?? '').split('/');
  return [ip(CMD, addr, 'address', line), len === undefined ? (addr.includes(':') ? 128 : 32) : int(CMD, len, 'prefix length', line)];
}

function fromText(link: Record<string, unknown>, t: string[], line: Line): Address {
  const [local, prefixlen] = splitPrefix(t[1], line);
  const dev = String(link.name);
  const addr: Record<string, unknown> = { dev, ifindex: link.ifindex, family: t[0], local, prefixlen };
  const flags: string[] = [];
  for (let i = 2; i < t.length; i++) {
    const k = t[i];
    if (k === 'brd') addr.broadcast = ip(CMD, t[++i], 'brd', line);
    else if (k === 'peer') {
      const [peer, plen] = splitPrefix(t[++i], line);
      addr.peer = peer;
      addr.prefixlen = plen;
    } else if (k === 'scope') addr.scope = t[++i] ?? fail(CMD, 'scope without a value', line);
    else if (k === 'metric') addr.metric = int(CMD, t[++i], 'metric', line);
    else if (i === t.length - 1 && (k === dev || k.startsWith(`${dev}:`))) {
      if (k !== dev) addr.label = k;
    } else if (/^[a-z][a-z0-9_-]*$/.test(k)) flags.push(k);
    else if (i === t.length - 1 && /^[\w.@:-]+$/.test(k)) addr.label = k;
    else fail(CMD, `unexpected ${JSON.stringify(k)}`, line);
  }
  if (flags.length > 0) addr.addrFlags = flags;
  return validate(CMD, Address, addr, line);
}

const FLAG_KEYS = ['dynamic', 'secondary', 'tentative', 'deprecated', 'noprefixroute', 'permanent', 'home', 'nodad', 'optimistic', 'dadfailed', 'mngtmpaddr', 'stable-privacy'];
const USED = new Set(['family', 'local', 'prefixlen', 'address', 'broadcast', 'scope', 'label', ...FLAG_KEYS]);

function fromJson(a: Record<string, unknown>, link: Link): Address {
  const label = field(CMD, a, 'label', 'string');
  const address = compact({
    dev: link.name,
    ifindex: link.ifindex,
    family: field(CMD, a, 'family', 'string'),
    local: ip(CMD, field(CMD, a, 'local', 'string'), 'local'),
    prefixlen: field(CMD, a, 'prefixlen', 'number'),
    peer: field(CMD, a, 'address', 'string'),
    broadcast: field(CMD, a, 'broadcast', 'string'),
    scope: field(CMD, a, 'scope', 'string'),
    label: label !== undefined && label !== link.name ? label : undefined,
    addrFlags: FLAG_KEYS.some((k) => a[k] === true) ? FLAG_KEYS.filter((k) => a[k] === true) : undefined,
    raw: rest(a, USED),
  });
  return validate(CMD, Address, address);
}
