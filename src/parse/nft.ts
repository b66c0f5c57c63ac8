// `nft -j list ruleset` (JSON schema version 1, nftables ≥ 0.9) and `nft list ruleset` (text):
//   {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
//                 {"table": {"family": "ip", "name": "flannel-ipv4", "handle": 1}},
//                 {"chain": {"family": "ip", "table": "flannel-ipv4", "name": "postrtg", "type": "nat", "hook": "postrouting", "prio": 100, "policy": "accept"}},
//                 {"rule": {"family": "ip", "table": "flannel-ipv4", "chain": "postrtg", "expr": [{"match": …}, {"masquerade": {"flags": "fully-random"}}]}}]}
//   table ip flannel-ipv4 {
//           chain postrtg {
//                   type nat hook postrouting priority srcnat; policy accept;
//                   ip saddr 10.244.0.0/16 ip daddr != 224.0.0.0/4 masquerade fully-random
// Both forms give the same NftRuleset: a JSON rule's expressions are printed back the way nft prints that
// rule in text, for the expressions flannel, kube-proxy and iptables-nft use; anything else is printed as
// its JSON key, never a crash. Sets, maps, flowtables and their elements are skipped (no flannel check needs
// them). A JSON document from another schema version is a ParseError: the collector then reads the text form.
import { NftRuleset } from '../model/nft.js';
import { type Line, fail, lines, looksJson, validate } from './common.js';

const CMD = 'nft list ruleset';
const SCHEMA_VERSION = 1;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseNft(text: string): NftRuleset {
  return looksJson(text) ? parseNftJson(text) : parseNftText(text);
}

// ---- JSON ----

function parseNftJson(text: string): NftRuleset {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail(CMD, `invalid JSON: ${(e as Error).message}`);
  }
  if (!isObj(doc) || !Array.isArray(doc.nftables)) fail(CMD, 'expected {"nftables": [...]} (nft -j list ruleset)');
  const out: Obj = { form: 'json', tables: [], chains: [], rules: [] };
  const push = (key: 'tables' | 'chains' | 'rules', v: Obj): number => (out[key] as Obj[]).push(v);
  for (const item of doc.nftables) {
    if (!isObj(item)) continue;
    if (isObj(item.metainfo)) {
      const v = item.metainfo.json_schema_version;
      if (v !== undefined && v !== SCHEMA_VERSION) fail(CMD, `JSON schema version ${JSON.stringify(v)}; flanctl reads version ${SCHEMA_VERSION} (collect the text form: nft list ruleset)`);
      if (typeof item.metainfo.version === 'string') out.version = item.metainfo.version;
    } else if (isObj(item.table)) {
      const t = item.table;
      push('tables', { family: str(t.family), name: str(t.name), ...num('handle', t.handle) });
    } else if (isObj(item.chain)) {
      const c = item.chain;
      push('chains', {
        family: str(c.family),
        table: str(c.table),
        name: str(c.name),
        ...num('handle', c.handle),
        ...(typeof c.type === 'string' ? { type: c.type } : {}),
        ...(typeof c.hook === 'string' ? { hook: c.hook } : {}),
        ...num('prio', c.prio),
        ...(typeof c.policy === 'string' ? { policy: c.policy } : {}),
      });
    } else if (isObj(item.rule)) {
      const r = item.rule;
      const exprs = Array.isArray(r.expr) ? r.expr : [];
      const parts = exprs.map(statement).filter((s) => s !== '');
      if (typeof r.comment === 'string') parts.push(`comment ${quote(r.comment)}`);
      push('rules', { family: str(r.family), table: str(r.table), chain: str(r.chain), ...num('handle', r.handle), text: parts.join(' ') });
    }
  }
  return validate(CMD, NftRuleset, out);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v ?? ''));
const num = (key: string, v: unknown): Obj => (typeof v === 'number' && Number.isInteger(v) ? { [key]: v } : {});
const quote = (s: string): string => `"${s}"`;

// meta keys nft prints without the `meta` keyword (src/meta.c: the "unqualified" keys)
const BARE_META = new Set(['iif', 'oif', 'iifname', 'oifname', 'iiftype', 'oiftype', 'iifgroup', 'oifgroup', 'skuid', 'skgid', 'rtclassid', 'ibrname', 'obrname', 'ibriport', 'obriport', 'cpu', 'cgroup', 'ipsec']);
const NAME_KEYS = new Set(['iifname', 'oifname', 'ibrname', 'obrname', 'ibriport', 'obriport']);
const VERDICTS = new Set(['accept', 'drop', 'continue', 'return', 'queue']);

/** The left side of a match, and whether its values are interface names (printed quoted). */
function left(e: unknown): { text: string; names: boolean; mark: boolean; binop?: boolean } {
  if (!isObj(e)) return { text: value(e, false, false), names: false, mark: false };
  const [key, v] = Object.entries(e)[0] ?? ['', undefined];
  const o = isObj(v) ? v : {};
  switch (key) {
    case 'payload':
      return { text: typeof o.protocol === 'string' ? `${o.protocol} ${str(o.field)}` : `@${str(o.base)},${str(o.offset)},${str(o.len)}`, names: false, mark: false };
    case 'meta': {
      const k = str(o.key);
      return { text: BARE_META.has(k) ? k : `meta ${k}`, names: NAME_KEYS.has(k), mark: k === 'mark' };
    }
    case 'ct':
      return { text: `ct ${typeof o.dir === 'string' ? `${o.dir} ` : ''}${str(o.key)}`, names: false, mark: o.key === 'mark' };
    case '&':
    case '|':
    case '^': {
      // `meta mark & 0x00004000 == 0x00004000`: nft prints the operator of a bitwise match explicitly
      const inner = Array.isArray(v) ? left(v[0]) : { text: key, names: false, mark: false };
      const rest = Array.isArray(v) ? v.slice(1).map((x) => value(x, false, inner.mark)) : [];
      return { text: [inner.text, ...rest].join(` ${key} `), names: false, mark: inner.mark, binop: true };
    }
    default:
      return { text: key, names: false, mark: false };
  }
}

/** A value as nft prints it: prefixes, ranges, sets, marks in hex, interface names quoted. */
function value(v: unknown, names: boolean, mark: boolean): string {
  if (typeof v === 'string') return names ? quote(v) : v;
  if (typeof v === 'number') return mark ? `0x${v.toString(16).padStart(8, '0')}` : String(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((x) => value(x, names, mark)).join(',');
  if (!isObj(v)) return '';
  const [key, inner] = Object.entries(v)[0] ?? ['', undefined];
  const o = isObj(inner) ? inner : {};
  switch (key) {
    case 'prefix':
      return `${str(o.addr)}/${str(o.len)}`;
    case 'range':
      return Array.isArray(inner) ? inner.map((x) => value(x, names, mark)).join('-') : '';
    case 'set':
      return Array.isArray(inner) ? `{ ${inner.map((x) => value(x, names, mark)).join(', ')} }` : `{ ${value(inner, names, mark)} }`;
    default:
      return left(v).text;
  }
}

/** One statement of a rule's `expr` list, printed as nft prints it. */
function statement(s: unknown): string {
  if (!isObj(s)) return '';
  const [key, v] = Object.entries(s)[0] ?? ['', undefined];
  const o = isObj(v) ? v : {};
  if (VERDICTS.has(key)) return key;
  switch (key) {
    case 'match': {
      const l = left(o.left);
      const implicit = (o.op === '==' && !l.binop) || o.op === 'in' || o.op === undefined;
      const op = implicit ? '' : `${str(o.op)} `;
      return `${l.text} ${op}${value(o.right, l.names, l.mark)}`;
    }
    case 'jump':
    case 'goto':
      return `${key} ${str(o.target)}`;
    case 'counter':
      return isObj(v) ? `counter packets ${str(o.packets)} bytes ${str(o.bytes)}` : `counter ${str(v)}`;
    case 'masquerade':
    case 'snat':
    case 'dnat':
    case 'redirect': {
      const to = o.addr !== undefined ? ` to ${value(o.addr, false, false)}${o.port !== undefined ? `:${value(o.port, false, false)}` : ''}` : o.port !== undefined ? ` to :${value(o.port, false, false)}` : '';
      const flags = o.flags === undefined ? '' : ` ${Array.isArray(o.flags) ? o.flags.join(',') : str(o.flags)}`;
      return `${key}${to}${flags}`;
    }
    case 'mangle':
      return `${left(o.key).text} set ${value(o.value, false, false)}`;
    case 'log':
      return o.prefix !== undefined ? `log prefix ${quote(str(o.prefix))}` : 'log';
    case 'reject':
      return o.type !== undefined ? `reject with ${str(o.type)}${o.expr !== undefined ? ` ${str(o.expr)}` : ''}` : 'reject';
    case 'xt':
      // iptables-nft rules using an xtables match/target: nft prints them as a comment
      return `xt ${str(o.type)} ${quote(str(o.name))}`;
    default:
      return key;
  }
}

// ---- text ----

// priority names (nft(8) "PRIORITY NAMES", families ip/ip6/inet)
const PRIORITY: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };

function priority(text: string, line: Line): number {
  const m = /^(-?\d+|[a-z]+)(?:\s*([+-])\s*(\d+))?$/.exec(text.trim());
  if (!m) fail(CMD, `unknown chain priority ${JSON.stringify(text)}`, line);
  const base = /^-?\d+$/.test(m[1]) ? Number(m[1]) : PRIORITY[m[1]];
  if (base === undefined) fail(CMD, `unknown chain priority ${JSON.stringify(m[1])}`, line);
  return m[2] === undefined ? base : m[2] === '+' ? base + Number(m[3]) : base - Number(m[3]);
}

/** Braces outside double quotes: +1 per `{`, -1 per `}`. */
function braceBalance(s: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '{') n++;
    else if (!quoted && ch === '}') n--;
  }
  return n;
}

function parseNftText(text: string): NftRuleset {
  const tables: Obj[] = [];
  const chains: Obj[] = [];
  const rules: Obj[] = [];
  let table: { family: string; name: string } | undefined;
  let chain: Obj | undefined;
  /** depth of a block being skipped (set, map, flowtable…) */
  let skip = 0;
  /** a rule whose anonymous set or map spans several lines */
  let pending: { text: string; balance: number } | undefined;
  const addRule = (ruleText: string): void => {
    const m = /^(.*?)\s*# handle (\d+)$/.exec(ruleText);
    const body = (m ? m[1] : ruleText).replace(/\s+/g, ' ').trim();
    rules.push({ family: table!.family, table: table!.name, chain: chain!.name, ...(m ? { handle: Number(m[2]) } : {}), text: body });
  };
  for (const line of lines(text)) {
    const s = line.text.trim();
    if (skip > 0) {
      skip += braceBalance(s);
      continue;
    }
    if (pending) {
      pending.text += ` ${s}`;
      pending.balance += braceBalance(s);
      if (pending.balance <= 0) {
        addRule(pending.text);
        pending = undefined;
      }
      continue;
    }
    if (s.startsWith('#')) continue;
    if (!table) {
      const m = /^table\s+(ip|ip6|inet|arp|bridge|netdev)\s+(\S+)\s*\{(?:\s*#\s*handle\s+(\d+))?$/.exec(s);
      if (!m) fail(CMD, 'expected `table FAMILY NAME {`', line);
      table = { family: m[1], name: m[2] };
      tables.push({ ...table, ...(m[3] ? { handle: Number(m[3]) } : {}) });
      continue;
    }
    if (s === '}') {
      if (chain) chain = undefined;
      else table = undefined;
      continue;
    }
    if (!chain) {
      const m = /^chain\s+(\S+)\s*\{(?:\s*#\s*handle\s+(\d+))?$/.exec(s);
      if (m) {
        chain = { family: table.family, table: table.name, name: m[1], ...(m[2] ? { handle: Number(m[2]) } : {}) };
        chains.push(chain);
      } else if (/^(set|map|flowtable|counter|quota|limit|ct\s+\S+|secmark|synproxy)\s.*\{/.test(s)) {
        skip = braceBalance(s);
      } else if (!/^(comment|flags)\s/.test(s)) {
        fail(CMD, 'expected a chain, set, map or `}` inside a table', line);
      }
      continue;
    }
    const base = /^type\s+(\S+)\s+hook\s+(\S+)(?:\s+device\s+\S+)?\s+priority\s+([^;]+);(?:\s*policy\s+(\w+);)?$/.exec(s);
    if (base) {
      Object.assign(chain, { type: base[1], hook: base[2], prio: priority(base[3], line), ...(base[4] ? { policy: base[4] } : {}) });
      continue;
    }
    if (/^(comment\s+"|policy\s+\w+;$|devices\s*=)/.test(s)) continue;
    const balance = braceBalance(s);
    if (balance > 0) pending = { text: s, balance };
    else addRule(s);
  }
  if (table || pending || skip > 0) fail(CMD, 'output ends inside a table (cut short?)');
  return validate(CMD, NftRuleset, { form: 'text', tables, chains, rules });
}
