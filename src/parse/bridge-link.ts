// `bridge link` / `bridge -d link` (iproute2): one bridge port per line,
//   5: veth5bed3ddb@eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 master cni0 state forwarding priority 32 cost 2
// (-d adds indented lines: hairpin off guard off ...), and `bridge -j link` (ifname, link, flags, mtu, master,
// state, priority, cost). Result: BridgePort[] (src/model/bridge.ts); -d attributes kept in `extra`.
import { BridgePort } from '../model/bridge.js';
import { isIfname } from '../model/net.js';
import { type Line, compact, fail, field, int, jsonArray, lines, looksJson, rest, stringArray, tokens, validate } from './common.js';

const CMD = 'bridge link';
const USED = new Set(['ifindex', 'ifname', 'link', 'flags', 'mtu', 'master', 'state', 'priority', 'cost']);
const HEADER = /^(\d+):\s*([^\s:@]+)(?:@([^\s:]+))?:\s*<\s*([^>]*?)\s*>\s*(.*)$/;

export function parseBridgeLink(text: string): BridgePort[] {
  if (looksJson(text)) return jsonArray(CMD, text).map(fromJson);
  const ports: Record<string, unknown>[] = [];
  let lastLine: Line | undefined;
  const out: BridgePort[] = [];
  for (const line of lines(text)) {
    const m = /^\s/.test(line.text) ? null : HEADER.exec(line.text);
    if (!m) {
      const last = ports.at(-1);
      if (!last || !/^\s/.test(line.text) || /^\s*link\//.test(line.text)) fail(CMD, 'expected `N: port: <FLAGS> ... master BR state S`', line);
      ((last.extra ??= []) as string[]).push(...tokens(line.text));
      continue;
    }
    if (ports.length > 0) out.push(validate(CMD, BridgePort, ports.at(-1), lastLine));
    ports.push(fromText(m, line));
    lastLine = line;
  }
  if (ports.length > 0) out.push(validate(CMD, BridgePort, ports.at(-1), lastLine));
  return out;
}

function fromText(m: RegExpExecArray, line: Line): Record<string, unknown> {
  const [, index, name, parent, flags, tail] = m;
  if (!isIfname(name)) fail(CMD, `not an interface name: ${JSON.stringify(name)}`, line);
  const port: Record<string, unknown> = { ifindex: int(CMD, index, 'ifindex', line), port: name, flags: flags.split(',').map((f) => f.trim()).filter(Boolean) };
  if (parent !== undefined) port.linkName = parent;
  const t = tokens(tail);
  const extra: string[] = [];
  for (let i = 0; i < t.length; i++) {
    const k = t[i];
    const v = t[i + 1];
    if (k === 'mtu') port.mtu = int(CMD, t[++i], 'mtu', line);
    else if (k === 'master') port.master = t[++i];
    else if (k === 'state') port.state = t[++i];
    else if (k === 'priority' || k === 'cost') port[k] = int(CMD, t[++i], k, line);
    else if (/^[a-z][a-z0-9_-]*$/.test(k)) {
      extra.push(k);
      if (v !== undefined && !/^[a-z][a-z_-]*$/.test(v)) extra.push(t[++i]);
    } else fail(CMD, `unexpected ${JSON.stringify(k)}`, line);
  }
  if (port.master === undefined || extra.includes('qdisc')) fail(CMD, 'a bridge port line has `master BR` and no qdisc (ip link output?)', line);
  if (extra.length > 0) port.extra = extra;
  return port;
}

function fromJson(o: Record<string, unknown>): BridgePort {
  // ip -j link objects carry qdisc/link_type, fdb objects a mac: not bridge ports
  if ('qdisc' in o || 'link_type' in o || 'mac' in o) fail(CMD, 'JSON element is not a bridge port (ip -j link or fdb output?)');
  const port = compact({
    ifindex: field(CMD, o, 'ifindex', 'number'),
    port: field(CMD, o, 'ifname', 'string'),
    linkName: field(CMD, o, 'link', 'string'),
    flags: stringArray(CMD, o, 'flags') ?? [],
    mtu: field(CMD, o, 'mtu', 'number'),
    master: field(CMD, o, 'master', 'string'),
    state: field(CMD, o, 'state', 'string'),
    priority: field(CMD, o, 'priority', 'number'),
    cost: field(CMD, o, 'cost', 'number'),
    raw: rest(o, USED),
  });
  if (port.port === undefined || port.master === undefined) fail(CMD, 'JSON port without ifname/master');
  return validate(CMD, BridgePort, port);
}
