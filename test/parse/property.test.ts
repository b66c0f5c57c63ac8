// Property tests for every parser: arbitrary strings, arbitrary lines made of real tokens, and random
// mutations / truncations of the real fixtures either give a schema-valid result or throw ParseError —
// never another exception, never a slow (backtracking) parse. Plus round trips (render -> parse),
// whitespace tolerance, text/-j agreement, and rejection of every other command's output.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from '../../src/model/zod.js';
import { ParseError } from '../../src/errors.js';
import { Address, BridgeInfo, BridgePort, CniConflist, EthtoolStats, FdbEntry, Iflink, IptablesRuleset, Link, Neigh, NftRuleset, Route, SubnetEnv, WgDevice } from '../../src/model/index.js';
import { PARSERS, type ParserName, parseBridgeFdb, parseIpNeigh, parseIpRoute, parserFor, parseSubnetEnv, shellSplit } from '../../src/parse/index.js';

const root = join(import.meta.dirname, '..', '..', 'fixtures');
const names = Object.keys(PARSERS) as ParserName[];
const LinksAndAddresses = z.object({ links: z.array(Link), addresses: z.array(Address) });
const Strings = z.record(z.string(), z.string());
const SCHEMA: Record<ParserName, z.ZodMiniType> = {
  'route-n': z.array(Route),
  'route-n6': z.array(Route),
  'ip-route': z.array(Route),
  'ip-link': z.array(Link),
  'ip-addr': LinksAndAddresses,
  ifconfig: LinksAndAddresses,
  'ip-neigh': z.array(Neigh),
  arp: z.array(Neigh),
  'bridge-fdb': z.array(FdbEntry),
  'brctl-show': z.array(BridgeInfo),
  'bridge-link': z.array(BridgePort),
  'iptables-save': IptablesRuleset,
  nft: NftRuleset,
  iflink: z.array(Iflink),
  'subnet-env': SubnetEnv,
  'ethtool-stats': EthtoolStats,
  'ethtool-features': Strings,
  sysctl: Strings,
  'cni-conflist': CniConflist,
  'wg-dump': z.array(WgDevice),
};

function fixtures(name: string): { file: string; text: string }[] {
  return readdirSync(join(root, name))
    .filter((f) => /\.(txt|json)$/.test(f) && !f.endsWith('.expected.json'))
    .map((file) => ({ file, text: readFileSync(join(root, name, file), 'utf8') }));
}
const ALL = Object.fromEntries(names.map((n) => [n, fixtures(n)])) as Record<ParserName, { file: string; text: string }[]>;

/** The contract: a schema-valid result or a ParseError (a hang is the test timeout; speed is bench/'s). */
function check(name: ParserName, text: string): void {
  let result: unknown;
  let error: unknown;
  try {
    result = parserFor(name)(text, 'eth0');
  } catch (e) {
    error = e;
  }
  if (error !== undefined) {
    if (error instanceof ParseError) return;
    throw new Error(`${name} threw a non-ParseError on ${JSON.stringify(text.slice(0, 200))}`, { cause: error });
  }
  const r = SCHEMA[name].safeParse(result);
  if (!r.success) throw new Error(`${name} returned a result outside its schema: ${r.error.message}`);
  // and it is what zod builds from it (defaults filled, keys in the model's order): the -j parsers of routes,
  // neighbours and fdb entries build their entries valid instead of passing each through the schema
  expect(result).toStrictEqual(r.data);
  expect(JSON.stringify(result)).toBe(JSON.stringify(r.data));
}

// mutations of a real text: truncate, drop/duplicate/swap lines, change or insert characters
const mutation = (text: string) =>
  fc.oneof(
    fc.nat({ max: text.length }).map((n) => text.slice(0, n)),
    fc.nat({ max: text.length }).map((n) => text.slice(n)),
    fc.tuple(fc.nat(), fc.string({ maxLength: 8 })).map(([n, s]) => {
      const i = n % (text.length + 1);
      return text.slice(0, i) + s + text.slice(i);
    }),
    fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1 })).map(([n, s]) => {
      const i = n % Math.max(text.length, 1);
      return text.slice(0, i) + s + text.slice(i + 1);
    }),
    fc.tuple(fc.nat(), fc.nat(), fc.boolean()).map(([a, b, dup]) => {
      const lines = text.split('\n');
      const i = a % lines.length;
      const j = b % lines.length;
      if (dup) lines.splice(j, 0, lines[i]);
      else [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n');
    }),
    fc.nat().map((n) => {
      const lines = text.split('\n');
      lines.splice(n % lines.length, 1);
      return lines.join('\n');
    }),
  );

describe('parsers: schema-valid result or ParseError', () => {
  for (const name of names) {
    describe(name, () => {
      const corpus = ALL[name];
      const vocabulary = [...new Set(corpus.flatMap((f) => f.text.split(/\s+/)).filter((t) => t !== ''))];

      it('arbitrary strings', () => {
        fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => check(name, s)), { numRuns: 300 });
        fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => check(name, s)), { numRuns: 100 });
      });

      it('arbitrary lines of real tokens', () => {
        const line = fc.tuple(fc.constantFrom('', '    ', '\t'), fc.array(fc.constantFrom(...vocabulary), { maxLength: 12 })).map(([indent, t]) => indent + t.join(' '));
        fc.assert(fc.property(fc.array(line, { maxLength: 8 }), (ls) => check(name, ls.join('\n'))), { numRuns: 300 });
      });

      it('mutations and truncations of the real fixtures', () => {
        const arb = fc.constantFrom(...corpus.map((f) => f.text)).chain((t) => fc.tuple(fc.constant(t), mutation(t)));
        fc.assert(fc.property(arb, ([, mutated]) => check(name, mutated)), { numRuns: 400 });
      });

      it('rejects every other parser’s fixtures', () => {
        // ip addr output is ip link output plus addresses: ip link text and JSON are valid ip addr input
        const compatible = (other: ParserName) => name === 'ip-addr' && other === 'ip-link';
        for (const other of names) {
          if (other === name || compatible(other)) continue;
          for (const f of ALL[other]) {
            expect(() => parserFor(name)(f.text, 'eth0'), `${other}/${f.file} fed to ${name}`).toThrow(ParseError);
          }
        }
      });
    });
  }
});

// ---- -j entries mutated field by field: the parsers that build entries without the schema ----

describe('-j routes, neighbours and fdb entries with any field changed: schema-valid (as zod builds it) or ParseError', () => {
  const odd = ['', 'x', 'default', 'PERMANENT', 'permanent', 'noarp', 'AA:BB:CC:DD:EE:FF', '0e:00:00:00:00:01', '10.0.0.1', '10.0.0.0/24', 'fe80::1', '::', -1, 0, 1.5, 2 ** 60, true, false, null, [], {}, ['self'], ['onlink', 'dead'], ['permanent'], ['REACHABLE', 'bogus'], [1]];
  for (const name of ['ip-route', 'ip-neigh', 'bridge-fdb'] as const) {
    it(name, () => {
      const entries = ALL[name].filter((f) => f.file.endsWith('.json')).flatMap((f) => JSON.parse(f.text) as Record<string, unknown>[]);
      const keys = [...new Set([...entries.flatMap((e) => Object.keys(e)), 'type', 'table', 'metric', 'vlan', 'lladdr', 'state', 'router', 'proxy', 'master', 'port', 'vni', 'via', 'extra'])];
      const edit = fc.record({ key: fc.constantFrom(...keys), op: fc.constantFrom('set', 'set', 'delete'), value: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...odd) }, { weight: 1, arbitrary: fc.jsonValue() }) });
      fc.assert(
        fc.property(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 3 }), (pick, edits) => {
          const entry = structuredClone(entries[pick % entries.length]);
          for (const e of edits) {
            if (e.op === 'delete') delete entry[e.key];
            else entry[e.key] = e.value;
          }
          check(name, JSON.stringify([entry]));
        }),
        { numRuns: 2000 },
      );
    });
  }
});

// ---- whitespace tolerance: blog pastes collapse or change runs of blanks ----

const WHITESPACE_INSENSITIVE: ParserName[] = ['route-n', 'ip-route', 'ip-link', 'ip-addr', 'ifconfig', 'ip-neigh', 'arp', 'bridge-fdb', 'brctl-show', 'bridge-link', 'iflink', 'ethtool-stats', 'ethtool-features'];

function reblank(text: string, seeds: number[]): string {
  let k = 0;
  const blank = () => [' ', '  ', '\t', ' \t ', '    '][seeds[k++ % seeds.length] % 5];
  return text
    .split('\n')
    .map((l) => l.replace(/^([ \t]*)(.*)$/, (_m, lead: string, rest: string) => (lead === '' ? '' : blank()) + rest.replace(/[ \t]+/g, () => blank())))
    .join('\n');
}

describe('whitespace runs do not change the result', () => {
  for (const name of WHITESPACE_INSENSITIVE) {
    it(name, () => {
      const texts = ALL[name].filter((f) => !f.file.endsWith('.json')).map((f) => f.text);
      fc.assert(
        fc.property(fc.constantFrom(...texts), fc.array(fc.nat(), { minLength: 1, maxLength: 20 }), (text, seeds) => {
          expect(parserFor(name)(reblank(text, seeds), 'eth0')).toEqual(parserFor(name)(text, 'eth0'));
        }),
        { numRuns: 100 },
      );
    });
  }
});

// ---- text and -j forms of the same capture agree on the modelled fields ----

describe('text and -j output of the same state agree', () => {
  const pick = <T extends object>(xs: T[], keys: string[]) => xs.map((x) => Object.fromEntries(keys.map((k) => [k, (x as Record<string, unknown>)[k]])));
  const pair = (dir: string, text: string, json: string) => [readFileSync(join(root, dir, text), 'utf8'), readFileSync(join(root, dir, json), 'utf8')];

  it('ip route', () => {
    for (const [t, j] of [pair('ip-route', 'netns-node.txt', 'netns-node-j.json'), pair('ip-route', 'netns-table-all.txt', 'netns-table-all-j.json')]) {
      const keys = ['type', 'table', 'dst', 'gateway', 'dev', 'onlink', 'proto', 'scope', 'src', 'metric', 'flags'];
      expect(pick(parseIpRoute(t), keys)).toEqual(pick(parseIpRoute(j), keys));
    }
  });
  it('ip neigh', () => {
    const [t, j] = pair('ip-neigh', 'netns-node.txt', 'netns-node-j.json');
    const keys = ['dst', 'dev', 'lladdr', 'state', 'router', 'proxy'];
    expect(pick(parseIpNeigh(t), keys)).toEqual(pick(parseIpNeigh(j), keys));
  });
  it('bridge fdb', () => {
    const [t, j] = pair('bridge-fdb', 'netns-node.txt', 'netns-node-j.json');
    const keys = ['mac', 'dev', 'dst', 'vlan', 'master', 'self', 'permanent', 'state', 'flags'];
    expect(pick(parseBridgeFdb(t), keys)).toEqual(pick(parseBridgeFdb(j), keys));
  });
  it('ip -d link', () => {
    const [t, j] = pair('ip-link', 'netns-node-detail.txt', 'netns-node-detail-j.json');
    const keys = ['ifindex', 'name', 'kind', 'flags', 'mtu', 'operstate', 'mac', 'master', 'linkIndex', 'slaveKind', 'vni', 'local', 'dev', 'port', 'learning', 'stp', 'bridgeId'];
    expect(pick(parserFor('ip-link')(t) as Link[], keys)).toEqual(pick(parserFor('ip-link')(j) as Link[], keys));
  });
  it('bridge link', () => {
    const [t, j] = pair('bridge-link', 'netns-node.txt', 'netns-node-j.json');
    expect(parserFor('bridge-link')(t)).toEqual(parserFor('bridge-link')(j));
  });
});

// ---- round trips: render the model back to the command's text, parse it again ----

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const macArb = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }).map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'));
const ifname = fc.stringMatching(/^[a-z][a-z0-9]{0,6}(\.[0-9]{1,3})?$/);

describe('round trips', () => {
  it('ip route: render then parse gives the same routes', () => {
    const route = fc.record({
      type: fc.constantFrom('unicast', 'blackhole', 'unreachable', 'local', 'broadcast'),
      dst: fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, l]) => `${a}/${l}`),
      gateway: fc.option(ipv4, { nil: undefined }),
      dev: fc.option(ifname, { nil: undefined }),
      proto: fc.option(fc.constantFrom('kernel', 'boot', 'bird', 'static'), { nil: undefined }),
      scope: fc.option(fc.constantFrom('link', 'host', 'global'), { nil: undefined }),
      metric: fc.option(fc.nat({ max: 100000 }), { nil: undefined }),
      onlink: fc.boolean(),
      flags: fc.subarray(['linkdown', 'dead']),
    });
    fc.assert(
      fc.property(fc.array(route, { maxLength: 6 }), (routes) => {
        const text = routes
          .map((r) =>
            [r.type === 'unicast' ? '' : r.type, r.dst, r.gateway && `via ${r.gateway}`, r.dev && `dev ${r.dev}`, r.proto && `proto ${r.proto}`, r.scope && `scope ${r.scope}`, r.metric !== undefined && `metric ${r.metric}`, r.onlink && 'onlink', ...r.flags]
              .filter(Boolean)
              .join(' '),
          )
          .join('\n');
        const parsed = parseIpRoute(text);
        expect(parsed).toEqual(routes.map((r) => Object.fromEntries(Object.entries({ table: 'main', ...r }).filter(([, v]) => v !== undefined))));
        // normalise (parse) then re-parse the JSON form: idempotent
        const json = JSON.stringify(parsed.map((r) => ({ type: r.type, dst: r.dst, gateway: r.gateway, dev: r.dev, protocol: r.proto, scope: r.scope, metric: r.metric, flags: [...(r.onlink ? ['onlink'] : []), ...r.flags] })));
        expect(parseIpRoute(json)).toEqual(parsed);
      }),
      { numRuns: 300 },
    );
  });

  it('ip neigh: render then parse', () => {
    const neigh = fc.record({
      dst: ipv4,
      dev: ifname,
      lladdr: fc.option(macArb, { nil: undefined }),
      state: fc.subarray(['PERMANENT', 'REACHABLE', 'STALE', 'NOARP'], { minLength: 1, maxLength: 1 }),
      router: fc.boolean(),
      proxy: fc.constant(false),
    });
    fc.assert(
      fc.property(fc.array(neigh, { maxLength: 6 }), (ns) => {
        const text = ns.map((n) => [n.dst, `dev ${n.dev}`, n.lladdr && `lladdr ${n.lladdr}`, n.router && 'router', ...n.state].filter(Boolean).join(' ')).join('\n');
        expect(parseIpNeigh(text)).toEqual(ns.map((n) => Object.fromEntries(Object.entries(n).filter(([, v]) => v !== undefined))));
      }),
      { numRuns: 300 },
    );
  });

  it('bridge fdb: render then parse', () => {
    const entry = fc.record({ mac: macArb, dev: ifname, dst: fc.option(ipv4, { nil: undefined }), self: fc.boolean(), state: fc.constantFrom('permanent' as const, 'static' as const, '' as const) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), (es) => {
        const text = es.map((e) => [e.mac, `dev ${e.dev}`, e.dst && `dst ${e.dst}`, e.self && 'self', e.state].filter(Boolean).join(' ')).join('\n');
        const parsed = parseBridgeFdb(text);
        expect(parsed.map((p) => ({ mac: p.mac, dev: p.dev, dst: p.dst, self: p.self, state: p.state }))).toEqual(es);
      }),
      { numRuns: 300 },
    );
  });

  it('subnet.env: render then parse keeps every variable', () => {
    const env = fc.record({ net: fc.tuple(ipv4, fc.integer({ min: 8, max: 24 })), mtu: fc.integer({ min: 68, max: 65535 }), masq: fc.boolean() });
    fc.assert(
      fc.property(env, ({ net, mtu, masq }) => {
        const text = `FLANNEL_NETWORK=${net[0]}/${net[1]}\nFLANNEL_SUBNET=${net[0]}/24\nFLANNEL_MTU=${mtu}\nFLANNEL_IPMASQ=${masq}\n`;
        expect(parseSubnetEnv(text)).toMatchObject({ network: `${net[0]}/${net[1]}`, subnet: `${net[0]}/24`, mtu, ipmasq: masq });
      }),
    );
  });

  it('shellSplit inverts shell quoting (iptables-save comments)', () => {
    const word = fc.string({ minLength: 0, maxLength: 12 }).filter((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20));
    const quote = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
    fc.assert(fc.property(fc.array(word, { maxLength: 8 }), (words) => {
          expect(shellSplit(words.map(quote).join(' '))).toEqual(words);
        }), { numRuns: 500 });
  });
});
