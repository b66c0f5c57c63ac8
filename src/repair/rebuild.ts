// A journal is a file: anyone who can write it chooses what `repair --undo` runs as root. So undo never runs a
// journal's argv as written: each command is parsed back into the values flanctl's builders take and rebuilt
// through them (model/fix.ts, which validates every value), and must come out identical. Anything flanctl does
// not write is refused. Pure.
import * as c from '../model/fix.js';

/** `KEY VALUE` pairs and flag words after a fixed head, e.g. `via 10.0.0.1 dev eth0 onlink`. */
function options(words: string[], flags: string[]): { kv: Map<string, string>; flags: Set<string> } {
  const kv = new Map<string, string>();
  const seen = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    if (flags.includes(words[i])) seen.add(words[i]);
    else if (i + 1 < words.length && !kv.has(words[i])) kv.set(words[i], words[++i]);
    else throw new c.UnsafeValue(`unexpected word ${JSON.stringify(words[i])}`);
  }
  return { kv, flags: seen };
}

const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : /^\d{1,10}$/.test(v) ? Number(v) : NaN);

/** The words after `ip route replace|del` back into the spec they were built from. */
export function routeSpecOf(rest: string[]): c.RouteSpec {
  const [dst, ...more] = rest;
  const { kv, flags } = options(more, ['onlink']);
  for (const k of kv.keys()) if (!['via', 'dev', 'metric', 'src', 'proto', 'scope', 'mtu'].includes(k)) throw new c.UnsafeValue(`route option ${k}`);
  return { dst, gateway: kv.get('via'), dev: kv.get('dev'), onlink: flags.has('onlink'), metric: num(kv.get('metric')), src: kv.get('src'), proto: kv.get('proto'), scope: kv.get('scope'), mtu: num(kv.get('mtu')) };
}

function route(verb: string, rest: string[]): c.Cmd {
  const spec = routeSpecOf(rest);
  if (verb === 'replace') return c.routeReplace(spec);
  if (verb === 'del') return c.routeDel(spec);
  throw new c.UnsafeValue(`route ${verb}`);
}

function build(cmd: c.Cmd): c.Cmd {
  const [object, verb, ...rest] = cmd.args;
  const key = `${cmd.program} ${object} ${verb}`;
  const at = (i: number): string => rest[i] ?? '';
  switch (key) {
    case 'ip neigh replace':
      return c.neighRestore(at(2), at(0), at(4), at(6));
    case 'ip neigh del':
      return c.neighDel(at(2), at(0));
    case 'bridge fdb replace':
      return c.fdbReplace(at(2), at(0), at(4));
    case 'bridge fdb append':
      return c.fdbAppend(at(2), at(0), at(4));
    case 'bridge fdb del':
      return c.fdbDel(at(2), at(0), rest.includes('dst') ? at(4) : undefined);
    case 'ip route replace':
    case 'ip route del':
      return route(verb, rest);
    case 'ip link del':
      return c.linkDel(at(0));
    case 'ip link set':
      if (at(2) === 'up') return c.linkUp(at(1));
      if (at(2) === 'down') return c.linkDown(at(1));
      if (at(2) === 'mtu') return c.linkMtu(at(1), num(at(3)) ?? NaN);
      break;
    case 'ip addr replace':
      return c.addrReplace(at(2), at(0));
    case 'ip addr del':
      return c.addrDel(at(2), at(0));
  }
  throw new c.UnsafeValue(`not a command flanctl writes: ${key}`);
}

/** The command rebuilt through the builders; throws UnsafeValue unless it comes out word for word the same. */
export function rebuildCmd(cmd: c.Cmd): c.Cmd {
  const again = build(cmd);
  if (again.program !== cmd.program || again.args.join('\u0000') !== cmd.args.join('\u0000')) {
    throw new c.UnsafeValue(`${cmd.program} ${cmd.args.join(' ')} is not a command flanctl writes`);
  }
  return again;
}
