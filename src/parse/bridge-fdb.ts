// `bridge fdb show` (iproute2), one forwarding entry per line:
//   MAC dev DEV [vlan N] [dst ADDR] [port N] [vni N] [via DEV] [self] [master BR] [STATE]
//   4e:9d:22:aa:10:03 dev flannel.1 dst 192.168.56.13 self permanent
//   62:a8:e2:89:08:6c dev veth5bed3ddb master cni0
//   00:00:00:00:00:00 dev vxlan0 dst 192.168.1.3 via veth1 self permanent
// `bridge fdb show dev X` omits `dev X`: pass `dev` then. Also `bridge -j fdb show` (ifname, flags[], state string).
// A redacted dst (`dst 10.xx.xx.5`) is kept as `dstRedacted`. Result: FdbEntry[] (src/model/fdb.ts). State as printed: permanent, static, stale, '' for learned.
import { FDB_STATES, FdbEntry } from '../model/fdb.js';
import { isIfname } from '../model/net.js';
import { type Line, fail, field, int, ip, isRedactedIPv4, jsonArray, lines, looksJson, mac, rest, stringArray, tokens, validate } from './common.js';

const CMD = 'bridge fdb';
const STATES = new Set(['permanent', 'static', 'stale', 'dynamic']);
const MODEL_STATES = new Set<string>(FDB_STATES);
const FLAGS = new Set(['self', 'router', 'extern_learn', 'offload', 'sticky', 'use', 'master', 'locked', 'blackhole']);

export function parseBridgeFdb(text: string, dev?: string): FdbEntry[] {
  if (looksJson(text)) return jsonArray(CMD, text).map((o) => fromJson(o, dev));
  return lines(text).map((line) => fromText(tokens(line.text), line, dev));
}

function ifname(s: string | undefined, line: Line): string {
  if (s === undefined || !isIfname(s)) fail(CMD, `not an interface name: ${JSON.stringify(s ?? '')}`, line);
  return s;
}

function fromText(t: string[], line: Line, defaultDev?: string): FdbEntry {
  const entry: Record<string, unknown> = { mac: mac(CMD, t[0], 'MAC', line) };
  const flags: string[] = [];
  const extra: string[] = [];
  let state = '';
  for (let i = 1; i < t.length; i++) {
    const k = t[i];
    if (k === 'dev') entry.dev = ifname(t[++i], line);
    else if (k === 'master') entry.master = ifname(t[++i], line);
    else if (k === 'dst' && t[i + 1] !== undefined && isRedactedIPv4(t[i + 1])) entry.dstRedacted = t[++i];
    else if (k === 'dst') entry.dst = ip(CMD, t[++i], 'dst', line);
    else if (k === 'vlan') entry.vlan = int(CMD, t[++i], 'vlan', line);
    else if (k === 'port' || k === 'vni' || k === 'src_vni' || k === 'nhid') entry[k === 'src_vni' ? 'srcVni' : k] = int(CMD, t[++i], k, line);
    else if (k === 'via') entry.via = ifname(t[++i], line);
    else if (k === 'self') entry.self = true;
    else if (STATES.has(k)) state = k;
    else if (FLAGS.has(k)) flags.push(k);
    else if (k === 'used' || k === 'state') extra.push(k, t[++i] ?? fail(CMD, `${k} without a value`, line));
    else if (/^[a-z][a-z0-9_]*$/.test(k)) extra.push(k);
    else fail(CMD, `unexpected ${JSON.stringify(k)}`, line);
  }
  entry.dev ??= defaultDev;
  if (entry.dev === undefined) fail(CMD, 'no `dev` on the line: paste the command line (`bridge fdb show dev flannel.1`) with it, or pass --dev', line);
  entry.state = state;
  entry.flags = flags;
  if (extra.length > 0) entry.extra = extra;
  return validate(CMD, FdbEntry, entry, line);
}

const USED = new Set(['mac', 'ifname', 'dev', 'dst', 'vlan', 'master', 'flags', 'state', 'port', 'vni', 'via']);

// A -j entry is built valid, as ip-route.ts builds a -j route: checked field by field, in the model's key order
// (the model's fields, then port, vni, via and raw, which the model keeps as they come).
function fromJson(o: Record<string, unknown>, defaultDev?: string): FdbEntry {
  const flags = stringArray(CMD, o, 'flags') ?? [];
  const state = field(CMD, o, 'state', 'string') ?? '';
  if (!MODEL_STATES.has(state)) fail(CMD, `not an fdb state: ${JSON.stringify(state)}`);
  const dst = field(CMD, o, 'dst', 'string');
  const entry: Record<string, unknown> = { mac: mac(CMD, field(CMD, o, 'mac', 'string'), 'mac') };
  entry.dev = field(CMD, o, 'ifname', 'string') ?? field(CMD, o, 'dev', 'string') ?? defaultDev ?? fail(CMD, 'JSON entry without ifname');
  if (dst !== undefined) entry.dst = ip(CMD, dst, 'dst');
  const vlan = field(CMD, o, 'vlan', 'number');
  if (vlan !== undefined && !Number.isSafeInteger(vlan)) fail(CMD, `JSON field vlan should be an integer, got ${vlan}`);
  if (vlan !== undefined) entry.vlan = vlan;
  const master = field(CMD, o, 'master', 'string');
  if (master !== undefined) entry.master = master;
  entry.self = flags.includes('self');
  entry.state = state;
  entry.flags = flags.filter((f) => f !== 'self');
  const port = field(CMD, o, 'port', 'number');
  if (port !== undefined) entry.port = port;
  const vni = field(CMD, o, 'vni', 'number');
  if (vni !== undefined) entry.vni = vni;
  const via = field(CMD, o, 'via', 'string');
  if (via !== undefined) entry.via = via;
  const raw = rest(o, USED);
  if (raw !== undefined) entry.raw = raw;
  return entry as FdbEntry;
}
