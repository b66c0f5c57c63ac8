// flannel's nftables mode (EnableNFTables: true, flannel ≥ 0.25). pkg/trafficmngr/nftables writes, per family,
// `table ip flannel-ipv4` / `table ip6 flannel-ipv6` with two base chains, each flushed and rewritten whole:
//   postrtg  type nat hook postrouting priority srcnat   (with --ip-masq)
//            meta mark 0x00004000 return; <lease> -> <Network> return; <Network> -> <lease> return;
//            != <lease> -> <Network> return; <Network> -> != multicast masquerade; != <Network> -> <Network> masquerade
//   forward  type filter hook forward priority filter   (with --iptables-forward-rules, the default)
//            saddr <Network> accept; daddr <Network> accept
// Rules are compared with the text `nft list ruleset` prints (flannel's e2e/rules.go golden output).
// In this mode the iptables FLANNEL-* checks do not apply; rules of both backends at once are a finding.
// Repair never touches these rules: flanneld rewrites them within its resync period (5 s).
import type { Finding } from '../../model/finding.js';
import type { IptablesRuleset } from '../../model/iptables.js';
import { normalizeSubnet6 } from '../../model/ipv6.js';
import type { NftChain, NftRule, NftRuleset } from '../../model/nft.js';
import type { CheckContext } from './context.js';
import { type Check, finding } from './finding.js';

type Family = 'ip' | 'ip6';
const TABLE: Record<Family, string> = { ip: 'flannel-ipv4', ip6: 'flannel-ipv6' };
const MULTICAST: Record<Family, string> = { ip: '224.0.0.0/4', ip6: 'ff00::/8' };
/** the hooks flannel gives its chains (knftables NATType/PostroutingHook/SNATPriority, FilterType/ForwardHook/FilterPriority) */
const HOOKS = { postrtg: { type: 'nat', hook: 'postrouting', prio: 100 }, forward: { type: 'filter', hook: 'forward', prio: 0 } } as const;
const RESTART = 'restart flanneld on this node: it flushes and rewrites its nftables chains at start and every resync (--iptables-resync, 5 s); flanctl repair does not touch masquerade rules';

/** Why this node runs flannel in nftables mode, or undefined (iptables mode, or nothing says). */
export function nftMode(ctx: CheckContext): string | undefined {
  const conf = ctx.netConf?.EnableNFTables;
  if (conf === true) return 'net-conf.json EnableNFTables: true';
  if (conf === false) return undefined;
  // flanneld in iptables mode deletes both tables at start (NFTablesManager.CleanUp): their presence says nft mode
  const t = ctx.snapshot.nft?.tables.find((x) => TABLE[x.family as Family] === x.name);
  return t ? `table ${t.family} ${t.name} exists` : undefined;
}

/**
 * Is flannel known to run in iptables mode? net-conf says so, or the nft ruleset was read and holds no flannel
 * table, or flannel's FLANNEL-* iptables chains are there. Without any of these (an iptables-save pasted alone, no
 * net-conf) the mode is open: flannel's iptables rules being absent then proves nothing.
 */
export function iptablesModeKnown(ctx: CheckContext): boolean {
  if (nftMode(ctx) !== undefined) return false;
  return ctx.netConf?.EnableNFTables === false || ctx.snapshot.nft !== undefined || iptablesFlannel(ctx.snapshot.iptables, undefined).length > 0;
}

/** What to paste when the mode is open. */
export const MODE_PASTE = 'whether flannel runs in iptables or nftables mode was not in the data given: paste `nft list ruleset` (or give --nodes/--kube with net-conf.json)';

const chainOf = (rs: NftRuleset, family: Family, name: string): NftChain | undefined => rs.chains.find((c) => c.family === family && c.table === TABLE[family] && c.name === name);
const rulesOf = (rs: NftRuleset, family: Family, chain: string): NftRule[] => rs.rules.filter((r) => r.family === family && r.table === TABLE[family] && r.chain === chain);
const chainLine = (c: NftChain): string => `nft: table ${c.family} ${c.table} chain ${c.name}${c.hook ? ` { type ${c.type} hook ${c.hook} priority ${c.prio}; policy ${c.policy ?? 'accept'}; }` : ' (no hook)'}`;
const ruleLine = (r: NftRule): string => `nft: table ${r.family} ${r.table} chain ${r.chain}: ${r.text}`;
/** flannel writes `masquerade fully-random`, or plain `masquerade` where the kernel lacks it or --ip-masq-random-fully-disable */
const sameRule = (seen: string, want: string): boolean => seen === want || (want.endsWith(' masquerade') && seen === `${want} fully-random`);

interface Expected {
  text: string;
  what: string;
}

/** postrtg as flannel writes it (addMasqRules), `masquerade` without flags. */
function masqRules(f: Family, lease: string, net: string): Expected[] {
  return [
    { text: 'meta mark 0x00004000 return', what: "kube-proxy's marked traffic is not masqueraded twice" },
    { text: `${f} saddr ${lease} ${f} daddr ${net} return`, what: 'pod -> pod traffic from this node keeps its source' },
    { text: `${f} saddr ${net} ${f} daddr ${lease} return`, what: 'pod -> pod traffic to this node keeps its source' },
    { text: `${f} saddr != ${lease} ${f} daddr ${net} return`, what: 'external traffic arriving for pods is not masqueraded' },
    { text: `${f} saddr ${net} ${f} daddr != ${MULTICAST[f]} masquerade`, what: 'pod -> outside is masqueraded' },
    { text: `${f} saddr != ${net} ${f} daddr ${net} masquerade`, what: 'host -> remote pods is masqueraded' },
  ];
}

const hookWrong = (c: NftChain, name: keyof typeof HOOKS): boolean => c.type !== HOOKS[name].type || c.hook !== HOOKS[name].hook || c.prio !== HOOKS[name].prio;

/** The family's Network, this node's lease, and whether flannel uses the family at all. */
function familyNets(ctx: CheckContext, f: Family): { net?: string; lease?: string } {
  if (f === 'ip') return { net: ctx.network, lease: ctx.ownSubnet };
  const conf = ctx.netConf?.IPv6Network;
  const net = (typeof conf === 'string' ? normalizeSubnet6(conf) : undefined) ?? (ctx.subnetEnv?.ipv6Network ? normalizeSubnet6(ctx.subnetEnv.ipv6Network) : undefined);
  const lease = ctx.subnetEnv?.ipv6Subnet ? normalizeSubnet6(ctx.subnetEnv.ipv6Subnet) : undefined;
  return { net, lease };
}

function checkFamily(ctx: CheckContext, rs: NftRuleset, f: Family, out: Finding[]): void {
  const { net, lease } = familyNets(ctx, f);
  const table = `${f} ${TABLE[f]}`;
  if (!rs.tables.some((t) => t.family === f && t.name === TABLE[f])) {
    out.push(finding(ctx, 'NFT_TABLE_MISSING', `flannel runs in nftables mode but table ${table} does not exist: no flannel masquerade or forward rules for ${f === 'ip' ? 'IPv4' : 'IPv6'}`, [`nft list ruleset: no table ${table}`], RESTART));
    return;
  }
  // postrtg exists only with --ip-masq (FLANNEL_IPMASQ=true in subnet.env)
  const postrtg = chainOf(rs, f, 'postrtg');
  const masqOn = ctx.subnetEnv?.ipmasq;
  if (postrtg || masqOn === true) {
    const rules = rulesOf(rs, f, 'postrtg');
    const evidence = [...(masqOn === true ? ['subnet.env: FLANNEL_IPMASQ=true'] : []), ...(postrtg ? [chainLine(postrtg), ...rules.map(ruleLine)] : [`nft list chain ${table} postrtg: no such chain`])];
    if (!postrtg || !rules.some((r) => / masquerade( |$)/.test(r.text))) {
      out.push(finding(ctx, 'NFT_MASQ_MISSING', `${postrtg ? `chain ${table} postrtg holds no masquerade rule` : `chain ${table} postrtg does not exist`}: pods cannot reach outside the cluster`, evidence, RESTART));
    } else {
      if (hookWrong(postrtg, 'postrtg')) out.push(finding(ctx, 'NFT_CHAIN_HOOK', `chain ${table} postrtg is not hooked as flannel creates it (type nat hook postrouting priority srcnat)`, [chainLine(postrtg)], RESTART));
      if (net && lease) {
        const want = masqRules(f, lease, net);
        const at = want.map((w) => rules.findIndex((r) => sameRule(r.text, w.text)));
        const missing = want.filter((_, i) => at[i] < 0);
        if (missing.length) out.push(finding(ctx, 'NFT_MASQ_RULE_MISSING', `chain ${table} postrtg lacks ${missing.length} of flannel's rules: ${missing.map((m) => m.what).join('; ')} no longer holds`, [...evidence, ...missing.map((m) => `missing: ${m.text}`)], RESTART));
        const firstMasq = rules.findIndex((r) => / masquerade( |$)/.test(r.text));
        const late = want.filter((w, i) => !w.text.endsWith('masquerade') && at[i] > firstMasq);
        if (late.length) out.push(finding(ctx, 'NFT_MASQ_ORDER', `in chain ${table} postrtg a masquerade rule comes before flannel's returns: ${late.map((l) => l.what).join('; ')} does not hold`, evidence, RESTART));
      }
    }
  }
  const forward = chainOf(rs, f, 'forward');
  if (forward) {
    const rules = rulesOf(rs, f, 'forward');
    if (hookWrong(forward, 'forward')) out.push(finding(ctx, 'NFT_CHAIN_HOOK', `chain ${table} forward is not hooked as flannel creates it (type filter hook forward priority filter)`, [chainLine(forward)], RESTART));
    const want = net ? [`${f} saddr ${net} accept`, `${f} daddr ${net} accept`] : [];
    const missing = want.filter((w) => !rules.some((r) => r.text === w));
    if (missing.length) out.push(finding(ctx, 'NFT_FORWARD_RULE_MISSING', `chain ${table} forward lacks ${missing.join(' / ')}: forwarded pod traffic is not accepted by flannel`, [chainLine(forward), ...rules.map(ruleLine), ...missing.map((m) => `missing: ${m}`)], RESTART));
  }
  // a drop in any other base chain on the forward hook is final: flannel's accept in its own table does not override it
  const drops = rs.chains.filter((c) => c.hook === 'forward' && c.policy === 'drop' && c.table !== TABLE[f] && (c.family === f || c.family === 'inet'));
  for (const c of drops) {
    out.push(finding(ctx, 'NFT_FORWARD_DROP', `chain ${c.family} ${c.table} ${c.name} drops forwarded packets by policy: flannel's accept in ${table} forward does not override a drop in another table, so pod traffic passes only if that chain accepts it`, [chainLine(c), ...rs.rules.filter((r) => r.family === c.family && r.table === c.table && r.chain === c.name).slice(0, 8).map(ruleLine)], `accept the pod network in ${c.table} ${c.name} too (e.g. nft insert rule ${c.family} ${c.table} ${c.name} ${f} saddr ${net ?? '<Network>'} accept), or set its policy to accept`));
  }
}

/** flannel's iptables rules (FLANNEL-* chains, jumps to them), from iptables-save or as iptables-nft tables in the nft ruleset. */
function iptablesFlannel(ipt: IptablesRuleset | undefined, rs: NftRuleset | undefined): string[] {
  const fromSave = (ipt?.tables ?? []).flatMap((t) => [
    ...t.chains.filter((c) => c.name.startsWith('FLANNEL-')).map((c) => `iptables-save -t ${t.name}: :${c.name} ${c.policy}`),
    ...t.rules.filter((r) => r.chain.startsWith('FLANNEL-') || r.target?.startsWith('FLANNEL-')).map((r) => `iptables-save -t ${t.name}: -A ${r.chain} ${r.spec}`),
  ]);
  if (fromSave.length) return fromSave;
  return (rs?.chains ?? []).filter((c) => c.name.startsWith('FLANNEL-') && !Object.values(TABLE).includes(c.table)).map((c) => `nft: table ${c.family} ${c.table} chain ${c.name} (iptables-nft)`);
}

/** flannel's own nft chains, any family. */
const nftFlannel = (rs: NftRuleset | undefined): NftChain[] => (rs?.chains ?? []).filter((c) => TABLE[c.family as Family] === c.table);

export const nftCheck: Check = {
  name: 'nftables',
  run(ctx) {
    const rs = ctx.snapshot.nft;
    const why = nftMode(ctx);
    const out: Finding[] = [];
    const ipt = iptablesFlannel(ctx.snapshot.iptables, rs);
    const own = nftFlannel(rs);
    if (ipt.length && own.length) {
      out.push(finding(ctx, 'FLANNEL_RULES_BOTH_BACKENDS', `flannel's rules exist in both iptables (FLANNEL-* chains) and nftables (${[...new Set(own.map((c) => `${c.family} ${c.table}`))].join(', ')}): one is left over from a switch of EnableNFTables (flanneld cleans only the nat FLANNEL chains, flannel F20)`, [...ipt.slice(0, 8), ...own.map(chainLine)], why ? 'nftables mode: iptables -D FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD; iptables -F FLANNEL-FWD; iptables -X FLANNEL-FWD (and the same in -t nat for FLANNEL-POSTRTG)' : 'iptables mode: nft delete table ip flannel-ipv4; nft delete table ip6 flannel-ipv6'));
    }
    // iptables mode (net-conf says so, nft shows no flannel table, or flannel's FLANNEL-* iptables chains are there):
    // nothing to check here; with neither nft output nor FLANNEL-* rules nft mode cannot be ruled out
    if (!why) return out.length || rs || ipt.length || ctx.netConf?.EnableNFTables === false ? out : { findings: [], unverified: [`flannel's nftables rules: ${MODE_PASTE}`] };
    // nft mode known, its rules not given: every nft check is open, none is a finding
    if (!rs) return { findings: out, unverified: [`nftables mode (${why}) but no nft list ruleset output in the data given: paste \`nft -j list ruleset\` (as nft-ruleset.txt)`] };
    // flanneld creates a family's table only when that family is enabled
    if (!ctx.v6Only) checkFamily(ctx, rs, 'ip', out);
    if (familyNets(ctx, 'ip6').net || own.some((c) => c.family === 'ip6')) checkFamily(ctx, rs, 'ip6', out);
    // leftover FLANNEL-* iptables chains can only be seen in the iptables rules
    if (own.length && !ipt.length && !ctx.snapshot.iptables) return { findings: out, unverified: ["whether flannel's iptables chains (FLANNEL-*) remain beside its nftables tables: paste `iptables-save`"] };
    return out;
  },
};
