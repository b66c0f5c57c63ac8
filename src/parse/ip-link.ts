// `ip link` / `ip -d link` / `ip -o link` (iproute2): one block per link,
//   5: veth5bed3ddb@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue master cni0 state UP mode DEFAULT group default qlen 1000
//       link/ether da:5d:44:8a:7d:82 brd ff:ff:ff:ff:ff:ff link-netns pod1 promiscuity 1 ...      (link-netnsid N when unnamed)
//       veth                                                            (-d: the kind line, e.g. vxlan id 1 local A dev eth0 dstport 8472 nolearning)
//       bridge_slave state forwarding priority 32 cost 2 ...            (-d: the port line)
//   5: flannel.ipip@NONE: <NOARP,UP,LOWER_UP> mtu 1480 ...  /  link/ipip 192.168.0.81 brd 0.0.0.0  /  ipip remote any local 192.168.0.81 ...
// `-o` joins a block's lines with `\`. `ip -j [-d] link` is JSON (linkinfo.info_kind, info_data, info_slave_kind,
// link_index, link_netnsid). Result: Link[] (src/model/link.ts), discriminated by kind. Without -d the kind is
// guessed only where the output proves it (link/loopback, link/ipip, `@ifN` + link-netns => veth) and marked
// `kindGuessed`; anything else is `device`. Unknown tokens are kept in `extra`, unknown JSON keys in `raw`.
// The block reader is shared with `ip addr` (parseLinkBlocks).
import { Link } from '../model/link.js';
import { isIP, isIPv4, isIfname } from '../model/net.js';
import { type Line, compact, fail, field, int, jsonArray, lines, looksJson, mac, rest, stringArray, tokens, validate, warn } from './common.js';

const CMD = 'ip link';
const HEADER = /^(\d+):\s*([^\s:]+?)(?:@([^\s:]+))?:\s*(?:<\s*([^>]*?)\s*>)?\s*(.*)$/;
const HEADER_KEYS = new Set(['mtu', 'qdisc', 'master', 'state', 'mode', 'group', 'qlen', 'link-netnsid', 'netns', 'alias', 'vrf']);
const LINK_KEYS = new Set(['brd', 'peer', 'link-netns', 'link-netnsid', 'promiscuity', 'allmulti', 'minmtu', 'maxmtu', 'permaddr', 'new-netns', 'new-netnsid', 'new-ifindex']);
const KINDS = new Set(['veth', 'bridge', 'vxlan', 'ipip', 'wireguard', 'dummy']);

export function parseIpLink(text: string): Link[] {
  if (looksJson(text)) {
    return jsonArray(CMD, text).map((o) => {
      if ('addr_info' in o) fail(CMD, 'JSON link with addr_info: this is `ip -j addr` output (parse it with parseIpAddr)');
      return linkFromJson(CMD, o);
    });
  }
  return parseLinkBlocks(CMD, text);
}

/**
 * Parse `ip link`/`ip addr` text blocks. `onBodyLine` sees each indented line first (ip addr takes its
 * inet/inet6/valid_lft lines) and returns true when it consumed it.
 */
export function parseLinkBlocks(command: string, text: string, onBodyLine?: (link: Record<string, unknown>, t: string[], line: Line) => boolean): Link[] {
  const out: Link[] = [];
  let cur: Record<string, unknown> | undefined;
  let curLine: Line | undefined;
  let stats = false;
  const finish = () => {
    if (cur && curLine) out.push(validate(command, Link, finishKind(cur), curLine));
  };
  for (const line of expandOneline(lines(text))) {
    const m = HEADER.exec(line.text);
    if (m && !/^\s/.test(line.text)) {
      finish();
      cur = header(command, m, line);
      curLine = line;
      stats = false;
      continue;
    }
    if (!cur) fail(command, 'expected `N: name: <FLAGS> ...` to start a link', line);
    const t = tokens(line.text);
    if (onBodyLine?.(cur, t, line)) continue;
    if (t[0] === 'RX:' || t[0] === 'TX:' || (stats && t.every((x) => /^\d+$/.test(x)))) {
      stats = t[0] === 'RX:' || t[0] === 'TX:';
      push(cur, 'statsLines', t.join(' '));
    } else if (t[0].startsWith('link/')) linkLine(command, cur, t, line);
    else if (t[0] === 'altname') push(cur, 'altnames', t[1] ?? fail(command, 'altname without a name', line));
    else if (t[0] === 'alias') cur.alias = t.slice(1).join(' ');
    else if (/^[a-z][a-z0-9_/]*$/.test(t[0])) detailLine(command, cur, t, line);
    else fail(command, `unexpected line in link ${String(cur.name)}`, line);
  }
  finish();
  return out;
}

// `ip -o link` puts a whole block on one line joined by `\`
function expandOneline(input: Line[]): Line[] {
  return input.flatMap((l) =>
    l.text.includes('\\')
      ? l.text
          .split('\\')
          .map((text, i) => ({ no: l.no, text: i === 0 ? text : `    ${text.trim()}` }))
          .filter((p) => p.text.trim() !== '')
      : [l],
  );
}

function push(obj: Record<string, unknown>, key: string, v: string): void {
  ((obj[key] ??= []) as string[]).push(v);
}

function header(command: string, m: RegExpExecArray, line: Line): Record<string, unknown> {
  const [, index, name, parent, flags, tail] = m;
  if (!isIfname(name)) fail(command, `not an interface name: ${JSON.stringify(name)}`, line);
  const link: Record<string, unknown> = { ifindex: int(command, index, 'ifindex', line), name };
  if (parent !== undefined) {
    const ifn = /^if(\d+)$/.exec(parent);
    if (ifn) link.linkIndex = Number(ifn[1]);
    else if (isIfname(parent)) link.linkName = parent;
    else fail(command, `not a parent link: ${JSON.stringify(parent)}`, line);
  }
  link.flags = flags === undefined ? [] : flags.split(',').map((f) => f.trim()).filter((f) => f !== '');
  if ((link.flags as string[]).some((f) => !/^[A-Z][A-Z0-9_-]*$/.test(f))) fail(command, `not link flags: <${flags}>`, line);
  const t = tokens(tail);
  const extra: string[] = [];
  for (let i = 0; i < t.length; i++) {
    const k = t[i];
    if (!HEADER_KEYS.has(k)) {
      if (!/^[a-z][a-z0-9_-]*$/.test(k)) fail(command, `unexpected ${JSON.stringify(k)}`, line);
      extra.push(k);
      continue;
    }
    const v = t[++i];
    if (v === undefined) fail(command, `${k} without a value`, line);
    if (k === 'mtu') link.mtu = int(command, v, 'mtu', line);
    else if (k === 'qlen') link.qlen = int(command, v, 'qlen', line);
    else if (k === 'state') link.operstate = v;
    else if (k === 'mode') link.linkmode = v;
    else if (k === 'link-netnsid') link.linkNetnsid = int(command, v, 'link-netnsid', line);
    else if (k === 'master') link.master = v;
    else link[k] = v;
  }
  if (extra.length > 0) link.extra = extra;
  return link;
}

function linkLine(command: string, link: Record<string, unknown>, t: string[], line: Line): void {
  const type = t[0].slice(5);
  link.linkType = type;
  let i = 1;
  if (t[i] !== undefined && !LINK_KEYS.has(t[i])) {
    const addr = t[i++];
    if (type === 'ether') link.mac = mac(command, addr, 'link/ether', line);
    else if (type === 'ipip' || type === 'sit' || type === 'gre') link.local = addr;
    else link.address = addr;
  }
  const extra: string[] = [];
  for (; i < t.length; i++) {
    const k = t[i];
    const v = t[i + 1];
    if (k === 'brd') link.broadcast = t[++i];
    else if (k === 'peer') link.remote = t[++i];
    else if (k === 'link-netns') link.linkNetns = t[++i];
    else if (k === 'link-netnsid') link.linkNetnsid = int(command, t[++i], 'link-netnsid', line);
    else if (k === 'promiscuity') link.promiscuity = int(command, t[++i], 'promiscuity', line);
    else if (LINK_KEYS.has(k) && v !== undefined) extra.push(k, t[++i]);
    else if (/^[a-z][a-z0-9_-]*$/.test(k)) extra.push(k);
    else if (extra.length > 0) extra.push(k);
    else fail(command, `unexpected ${JSON.stringify(k)}`, line);
  }
  if (extra.length > 0) push(link, 'extra', extra.join(' '));
  if (link.broadcast === undefined) delete link.broadcast;
}

// -d lines: `<kind> attrs...`, `<kind>_slave attrs...`, or `addrgenmode ...` for a plain device
function detailLine(command: string, link: Record<string, unknown>, t: string[], line: Line): void {
  const k = t[0];
  if (k === 'inet' || k === 'inet6' || k === 'valid_lft') fail(command, 'an address line: this is `ip addr` output (parse it with parseIpAddr)', line);
  if (k.endsWith('_slave')) {
    link.slaveKind = k.slice(0, -'_slave'.length);
    push(link, 'extra', t.join(' '));
    return;
  }
  if (k === 'addrgenmode' || k === 'vf' || k.includes('/') || link.infoKind !== undefined) {
    push(link, 'extra', t.join(' '));
    return;
  }
  link.infoKind = k;
  const a = t.slice(1);
  const after = (key: string): string | undefined => {
    const i = a.indexOf(key);
    return i < 0 ? undefined : a[i + 1];
  };
  if (k === 'vxlan') {
    const id = after('id');
    if (id !== undefined) link.vni = int(command, id, 'vxlan id', line);
    for (const key of ['local', 'remote'] as const) {
      const v = after(key);
      if (v !== undefined && isIP(v)) link[key] = v;
      else if (v !== undefined) warn(`vxlan ${key} is not an IP address: ${JSON.stringify(v)} (left out)`, line);
    }
    if (after('dev') !== undefined) link.dev = after('dev');
    const port = after('dstport');
    if (port !== undefined) link.port = int(command, port, 'dstport', line);
    link.learning = !a.includes('nolearning');
  } else if (k === 'ipip') {
    for (const key of ['local', 'remote'] as const) {
      const v = after(key);
      if (v !== undefined && v !== 'any') link[key] = v;
      else if (v === 'any') delete link[key];
    }
  } else if (k === 'bridge') {
    const stp = after('stp_state');
    if (stp !== undefined) link.stp = stp !== '0';
    const id = after('bridge_id');
    if (id !== undefined) link.bridgeId = bridgeId(id);
  }
  if (a.length > 0) push(link, 'extra', t.join(' '));
}

/**
 * `8000.d2:9b:39:3b:f5:11` (ip -d) -> `8000.d29b393bf511` (brctl), so both sources compare equal.
 * iproute2 drops leading zeros of each octet (`8000.e:d9:bf:8c:45:2b`): pad them back.
 */
function bridgeId(id: string): string {
  const [prio, addr] = id.toLowerCase().split('.');
  if (addr === undefined) return id;
  return `${prio.padStart(4, '0')}.${addr.split(':').map((o) => o.padStart(2, '0')).join('')}`;
}

function finishKind(link: Record<string, unknown>): Record<string, unknown> {
  const infoKind = link.infoKind as string | undefined;
  if (infoKind !== undefined) {
    link.kind = KINDS.has(infoKind) ? infoKind : 'other';
    if (KINDS.has(infoKind)) delete link.infoKind;
  } else if (link.linkType === 'loopback') link.kind = 'loopback';
  else if (link.linkType === 'ipip') {
    link.kind = 'ipip';
    link.kindGuessed = true;
  } else if (link.linkIndex !== undefined && (link.linkNetns !== undefined || link.linkNetnsid !== undefined) && link.linkType === 'ether') {
    link.kind = 'veth';
    link.kindGuessed = true;
  } else link.kind = 'device';
  // a tunnel's link/ipip address is its local end; 0.0.0.0 means any
  if (link.kind === 'ipip') {
    if (link.local === '0.0.0.0' || (link.local !== undefined && !isIPv4(String(link.local)))) delete link.local;
    if (link.remote === '0.0.0.0' || link.remote === 'any') delete link.remote;
  } else if (link.local !== undefined && link.kind !== 'vxlan') {
    link.address = link.local;
    delete link.local;
  }
  if (link.kind !== 'ipip' && link.kind !== 'vxlan' && link.remote !== undefined) {
    link.peerAddress = link.remote;
    delete link.remote;
  }
  return link;
}

const JSON_USED = new Set([
  'ifindex', 'ifname', 'flags', 'mtu', 'operstate', 'address', 'broadcast', 'master', 'link_index', 'link', 'link_netnsid',
  'linkinfo', 'link_type', 'qdisc', 'linkmode', 'group', 'txqlen', 'altnames', 'promiscuity', 'addr_info',
]);
const INFO_USED = new Set(['info_kind']);

export function linkFromJson(command: string, o: Record<string, unknown>): Link {
  // `bridge -j link` objects have a port `state` and no operstate
  if ('state' in o && !('operstate' in o)) fail(command, 'JSON element has a port state and no operstate (bridge -j link output?)');
  const linkType = field(command, o, 'link_type', 'string');
  const address = field(command, o, 'address', 'string');
  const info = (o.linkinfo ?? {}) as Record<string, unknown>;
  if (typeof info !== 'object' || Array.isArray(info)) fail(command, 'JSON linkinfo is not an object');
  const infoKind = field(command, info, 'info_kind', 'string');
  const data = (info.info_data ?? {}) as Record<string, unknown>;
  if (typeof data !== 'object' || Array.isArray(data)) fail(command, 'JSON info_data is not an object');
  const linkName = o.link === null ? 'NONE' : field(command, o, 'link', 'string');
  const link: Record<string, unknown> = compact({
    ifindex: field(command, o, 'ifindex', 'number'),
    name: field(command, o, 'ifname', 'string'),
    flags: stringArray(command, o, 'flags') ?? [],
    mtu: field(command, o, 'mtu', 'number'),
    operstate: field(command, o, 'operstate', 'string'),
    mac: linkType === 'ether' && address !== undefined ? mac(command, address, 'address') : undefined,
    address: linkType !== 'ether' && linkType !== 'ipip' ? address : undefined,
    local: linkType === 'ipip' ? address : undefined,
    broadcast: field(command, o, 'broadcast', 'string'),
    master: field(command, o, 'master', 'string'),
    linkIndex: field(command, o, 'link_index', 'number'),
    linkName,
    linkNetnsid: field(command, o, 'link_netnsid', 'number'),
    slaveKind: field(command, info, 'info_slave_kind', 'string'),
    linkType,
    qdisc: field(command, o, 'qdisc', 'string'),
    linkmode: field(command, o, 'linkmode', 'string'),
    group: field(command, o, 'group', 'string'),
    qlen: field(command, o, 'txqlen', 'number'),
    promiscuity: field(command, o, 'promiscuity', 'number'),
    altnames: stringArray(command, o, 'altnames'),
    infoKind,
  });
  if (link.ifindex === undefined || link.name === undefined) fail(command, 'JSON link without ifindex/ifname');
  if (infoKind === 'vxlan') {
    Object.assign(link, compact({
      vni: field(command, data, 'id', 'number'),
      // a vxlan over an IPv6 underlay (flannel-v6.<VNI>) names its ends local6 / remote6 / group6
      local: field(command, data, 'local', 'string') ?? field(command, data, 'local6', 'string'),
      remote: field(command, data, 'remote', 'string') ?? field(command, data, 'group', 'string') ?? field(command, data, 'remote6', 'string') ?? field(command, data, 'group6', 'string'),
      dev: field(command, data, 'link', 'string'),
      port: field(command, data, 'port', 'number'),
      learning: field(command, data, 'learning', 'boolean'),
    }));
  } else if (infoKind === 'ipip') {
    const local = field(command, data, 'local', 'string');
    const remote = field(command, data, 'remote', 'string');
    if (local !== undefined) link.local = local;
    if (remote !== undefined) link.remote = remote;
  } else if (infoKind === 'bridge') {
    const stp = field(command, data, 'stp_state', 'number');
    const id = field(command, data, 'bridge_id', 'string');
    if (stp !== undefined) link.stp = stp !== 0;
    if (id !== undefined) link.bridgeId = bridgeId(id);
  }
  const raw = rest(o, JSON_USED);
  const infoRest = rest(info, INFO_USED);
  if (raw || infoRest) link.raw = { ...raw, ...(infoRest ? { linkinfo: infoRest } : {}) };
  return validate(command, Link, finishKind(link));
}
