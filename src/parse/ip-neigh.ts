// `ip neigh` (iproute2), one neighbour per line:
//   ADDR dev DEV [lladdr MAC] [router] [proxy] [extern_learn] STATE...
//   10.244.3.0 dev flannel.1 lladdr 4e:9d:22:aa:10:03 PERMANENT
//   192.168.56.201 dev eth0 INCOMPLETE
// `ip neigh show dev X` omits `dev X`: pass `dev` then. Also `ip -j neigh` (state is an array, upper case).
// Result: Neigh[] (src/model/neigh.ts); unknown tokens kept in `extra`, unknown JSON keys in `raw`.
import { Neigh, NUD_STATES } from '../model/neigh.js';
import { isIfname } from '../model/net.js';
import { type Line, fail, field, ip, jsonArray, lines, looksJson, mac, rest, stringArray, tokens, validate } from './common.js';

const CMD = 'ip neigh';
const STATES = new Set<string>(NUD_STATES);
const FLAGS = new Set(['router', 'proxy', 'extern_learn', 'offload', 'managed', 'extern_valid']);
const USED = new Set(['dst', 'dev', 'lladdr', 'state', 'router', 'proxy']);

export function parseIpNeigh(text: string, dev?: string): Neigh[] {
  if (looksJson(text)) return jsonArray(CMD, text).map((o) => fromJson(o, dev));
  return lines(text).map((line) => fromText(tokens(line.text), line, dev));
}

function fromText(t: string[], line: Line, defaultDev?: string): Neigh {
  const neigh: Record<string, unknown> = { dst: ip(CMD, t[0], 'neighbour address', line) };
  const state: string[] = [];
  const extra: string[] = [];
  for (let i = 1; i < t.length; i++) {
    const k = t[i];
    if (k === 'dev') {
      const dev = t[++i];
      if (dev === undefined || !isIfname(dev)) fail(CMD, `not an interface name: ${JSON.stringify(dev ?? '')}`, line);
      neigh.dev = dev;
    } else if (k === 'lladdr') neigh.lladdr = mac(CMD, t[++i], 'lladdr', line);
    else if (STATES.has(k)) state.push(k);
    else if (k === 'router' || k === 'proxy') neigh[k] = true;
    else if (FLAGS.has(k)) extra.push(k);
    else if (k === 'used' || k === 'probes' || k === 'protocol' || k === 'nud') extra.push(k, t[++i] ?? fail(CMD, `${k} without a value`, line));
    else if (/^[a-z][a-z0-9_]*$/.test(k) && k !== 'via' && k !== 'scope' && k !== 'proto') extra.push(k);
    else fail(CMD, `unexpected ${JSON.stringify(k)}`, line);
  }
  neigh.dev ??= defaultDev;
  if (neigh.dev === undefined) fail(CMD, 'no `dev` on the line: paste the command line (`ip neigh show dev flannel.1`) with it, or pass --dev', line);
  neigh.state = state;
  if (extra.length > 0) neigh.extra = extra;
  return validate(CMD, Neigh, neigh, line);
}

// A -j neighbour is built valid, as ip-route.ts builds a -j route: checked field by field, in the model's key order.
function fromJson(o: Record<string, unknown>, defaultDev?: string): Neigh {
  const lladdr = field(CMD, o, 'lladdr', 'string');
  const neigh: Record<string, unknown> = { dst: ip(CMD, field(CMD, o, 'dst', 'string'), 'dst') };
  neigh.dev = field(CMD, o, 'dev', 'string') ?? defaultDev ?? fail(CMD, 'JSON neighbour without dev');
  if (lladdr !== undefined) neigh.lladdr = mac(CMD, lladdr, 'lladdr');
  const states = stringArray(CMD, o, 'state') ?? [];
  // iproute2 prints them upper case: the JSON's own array then
  neigh.state = states.every((s) => STATES.has(s))
    ? states
    : states.map((s) => {
        const state = s.toUpperCase();
        return STATES.has(state) ? state : fail(CMD, `not a neighbour state: ${JSON.stringify(s)}`);
      });
  neigh.router = o.router === true || o.router === null;
  neigh.proxy = o.proxy === true || o.proxy === null;
  const raw = rest(o, USED);
  if (raw !== undefined) neigh.raw = raw;
  return neigh as Neigh;
}
