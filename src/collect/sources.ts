// One recognised output into a node's Collected record: which parser reads each kind, which collect step it
// stands for, and how a second output of the same kind combines with the first (a later full table replaces,
// a filtered one adds to it, a fallback form never replaces the preferred one).
import type { Address, FdbEntry, IptablesRuleset, Link, Neigh, PodNetns, Route } from '../model/index.js';
import {
  parseArp,
  parseBrctlShow,
  parseBridgeFdb,
  parseBridgeLink,
  parseCniConflist,
  parseEthtoolFeatures,
  parseEthtoolStats,
  parseIfconfig,
  parseIflink,
  parseIpAddr,
  parseIpLink,
  parseIpNeigh,
  parseIpRoute,
  parseIptablesSave,
  parseNft,
  parseRouteN,
  parseRouteN6,
  parseSubnetEnv,
  parseSysctl,
  parseWgDump,
} from '../parse/index.js';
import { parseLenient, type ParseWarning } from '../parse/common.js';
import type { Recognised, SourceKind } from '../parse/detect.js';
import { parseIptablesS } from '../parse/iptables-s.js';
import { podFromAddr } from './assemble.js';
import { type Collected, setRoutes } from './commands.js';

/** The collect step (CommandResult.name) each kind stands for, as live collection names it. */
export const STEP_OF: Record<SourceKind, string> = {
  'route-n': 'ip-route',
  'route-n6': 'ip-route',
  'ip-route': 'ip-route',
  'ip-link': 'ip-link',
  'ip-addr': 'ip-addr',
  ifconfig: 'ip-addr',
  'ip-neigh': 'ip-neigh',
  arp: 'ip-neigh',
  'bridge-fdb': 'bridge-fdb',
  'brctl-show': 'brctl-show',
  'bridge-link': 'bridge-link',
  'iptables-save': 'iptables-save',
  'iptables-s': 'iptables-save',
  nft: 'nft',
  'wg-dump': 'wg-dump',
  iflink: 'iflink',
  'subnet-env': 'subnet-env',
  'ethtool-stats': 'ethtool-S',
  'ethtool-features': 'ethtool-k',
  sysctl: 'sysctl',
  'cni-conflist': 'cni-conflist',
  hostname: 'hostname',
  kernel: 'kernel',
  nodes: 'nodes',
};

// the preferred form of a step outranks its fallback (ip route over route -n), whatever the order of the paste
const RANK: Partial<Record<SourceKind, number>> = { 'route-n': 1, 'route-n6': 1, arp: 1, ifconfig: 1 };

/** The command to paste for each step, named when it is missing. */
export const PASTE_FOR: Record<string, string> = {
  'ip-route': 'ip route',
  'ip-neigh': 'ip neigh show dev flannel.1',
  'bridge-fdb': 'bridge fdb show dev flannel.1',
  'ip-link': 'ip -d link show',
  'ip-addr': 'ip addr',
  'subnet-env': 'cat /run/flannel/subnet.env',
};

type Parsed =
  | { slot: 'routes'; value: Route[] }
  | { slot: 'neigh'; value: Neigh[] }
  | { slot: 'fdb'; value: FdbEntry[] }
  | { slot: 'links'; value: Link[] }
  | { slot: 'addr'; value: { links: Link[]; addresses: Address[] } }
  | { slot: 'iptables'; value: IptablesRuleset }
  | { slot: 'other'; apply: (c: Collected) => void };

const oneLine = (text: string): string | undefined => text.split('\n').find((l) => l.trim() !== '')?.trim();

/** Parse one recognised output (leniently: a bad line costs that line). `nodes` is read elsewhere (desired state). */
export function parseKind(r: Recognised, text: string): { parsed: Parsed; warnings: ParseWarning[] } {
  const lenient = <T,>(f: (t: string) => T): { value: T; warnings: ParseWarning[] } => parseLenient(f, text);
  const dev = r.dev;
  const list = <S extends 'routes' | 'neigh' | 'fdb' | 'links', T>(slot: S, f: (t: string) => T) => {
    const { value, warnings } = lenient(f);
    return { parsed: { slot, value } as Parsed, warnings };
  };
  const other = <T,>(f: (t: string) => T, apply: (v: T, c: Collected) => void) => {
    const { value, warnings } = lenient(f);
    return { parsed: { slot: 'other', apply: (c: Collected) => apply(value, c) } as Parsed, warnings };
  };
  switch (r.kind) {
    case 'route-n':
      return list('routes', parseRouteN);
    case 'route-n6':
      return list('routes', parseRouteN6);
    case 'ip-route':
      return list('routes', (t) => parseIpRoute(t, r.family));
    case 'ip-neigh':
      return list('neigh', (t) => parseIpNeigh(t, dev));
    case 'arp':
      return list('neigh', parseArp);
    case 'bridge-fdb':
      return list('fdb', (t) => parseBridgeFdb(t, dev));
    case 'ip-link':
      return list('links', parseIpLink);
    case 'ip-addr':
    case 'ifconfig': {
      const { value, warnings } = lenient(r.kind === 'ip-addr' ? parseIpAddr : parseIfconfig);
      return { parsed: { slot: 'addr', value }, warnings };
    }
    case 'iptables-save':
    case 'iptables-s': {
      const { value, warnings } = lenient(r.kind === 'iptables-s' ? (t) => parseIptablesS(t, r.table) : parseIptablesSave);
      return { parsed: { slot: 'iptables', value }, warnings };
    }
    case 'nft':
      return other(parseNft, (v, c) => void (c.nft = v));
    case 'wg-dump':
      return other((t) => parseWgDump(t, dev), (v, c) => void (c.wireguard = v));
    case 'brctl-show':
      return other(parseBrctlShow, (v, c) => void (c.bridges = v));
    case 'bridge-link':
      return other(parseBridgeLink, (v, c) => void (c.bridgePorts = v));
    case 'iflink':
      return other((t) => parseIflink(t, dev), (v, c) => void (c.iflinks = [...(c.iflinks ?? []).filter((o) => !v.some((n) => n.name === o.name)), ...v]));
    case 'subnet-env':
      return other(parseSubnetEnv, (v, c) => void (c.subnetEnv = v));
    case 'ethtool-stats':
      return other((t) => parseEthtoolStats(t, dev ?? 'eth0'), (v, c) => void (c.ethtool[dev ?? 'eth0'] = v));
    case 'ethtool-features':
      return other(parseEthtoolFeatures, (v, c) => void (c.features[dev ?? 'flannel.1'] = v));
    case 'sysctl':
      return other(parseSysctl, (v, c) => void Object.assign(c.sysctls, v));
    case 'cni-conflist':
      return other(parseCniConflist, (v, c) => void (c.cniConflist = v));
    case 'hostname':
      return other(oneLine, (v, c) => void (c.host = v));
    case 'kernel':
      return other(oneLine, (v, c) => void (c.kernel = v));
    case 'nodes':
      throw new Error('nodes are desired state, not node state');
  }
}

/** How much of each step a node has seen: the rank of the form and whether every output was filtered. */
export interface StepState {
  rank: number;
  filtered: boolean;
}

// identity of an entry, so a filtered paste adds to a table instead of repeating what it holds
const KEY = {
  // `ip route` prints no metric where it is 0 and `route -n` prints 0: one IPv4 route either way
  routes: (r: Route) => `${r.table} ${r.dst} ${r.metric ?? (r.dst.includes(':') ? '' : 0)}`,
  neigh: (n: Neigh) => `${n.dst} ${n.dev}`,
  fdb: (f: FdbEntry) => `${f.mac} ${f.dev} ${f.dst ?? ''} ${f.master ?? ''}`,
  links: (l: Link) => l.name,
  addresses: (a: Address) => `${a.dev} ${a.local}`,
};

function merge<T>(have: T[] | undefined, add: T[], key: (t: T) => string): T[] {
  const out = new Map((have ?? []).map((t) => [key(t), t]));
  for (const t of add) out.set(key(t), t);
  return [...out.values()];
}

function mergeRulesets(have: IptablesRuleset | undefined, add: IptablesRuleset): IptablesRuleset {
  if (!have) return add;
  const tables = [...have.tables.filter((t) => !add.tables.some((a) => a.name === t.name)), ...add.tables];
  return { ...have, ...add, tables };
}

/**
 * Put one parsed output into the node. A full output of at least the same rank replaces what the step had
 * (the later state of the paste wins); a filtered one adds to it; a fallback form after the preferred one is
 * not used. Returns how the output was used, or false when it was not.
 */
/** The collect step an output stands for: `ip -6 route` / `route -n -A inet6` never show IPv4 routes (nor the
 * reverse), so the IPv6 routes are a step of their own, `ip-route6`, as live collection names it. */
export function stepOf(r: Recognised, parsed: Parsed): string {
  const v6 = r.kind === 'route-n6' || (r.kind === 'ip-route' && r.family === 'inet6') || (parsed.slot === 'routes' && parsed.value.length > 0 && parsed.value.every((x) => x.dst.includes(':')));
  return STEP_OF[r.kind] + (v6 ? '6' : '');
}

export function applyParsed(c: Collected, steps: Map<string, StepState>, r: Recognised, parsed: Parsed): 'replaced' | 'merged' | false {
  const step = stepOf(r, parsed);
  const v6 = step === 'ip-route6';
  const rank = RANK[r.kind] ?? 2;
  const filtered = r.filter !== undefined;
  const prev = steps.get(step);
  if (prev && !filtered && !prev.filtered && rank < prev.rank) return false;
  const replace = !filtered && (!prev || rank >= prev.rank);
  steps.set(step, { rank: Math.max(rank, prev?.rank ?? 0), filtered: filtered && (prev?.filtered ?? true) });
  switch (parsed.slot) {
    case 'routes':
      if (replace) setRoutes(c, parsed.value, v6);
      else c.routes = merge(c.routes, parsed.value, KEY.routes);
      break;
    case 'neigh':
      c.neigh = replace ? parsed.value : merge(c.neigh, parsed.value, KEY.neigh);
      break;
    case 'fdb':
      c.fdb = replace ? parsed.value : merge(c.fdb, parsed.value, KEY.fdb);
      break;
    case 'links':
      c.links = replace ? parsed.value : merge(c.links, parsed.value, KEY.links);
      break;
    case 'addr':
      c.addrLinks = replace ? parsed.value.links : merge(c.addrLinks, parsed.value.links, KEY.links);
      c.addresses = replace ? parsed.value.addresses : merge(c.addresses, parsed.value.addresses, KEY.addresses);
      break;
    case 'iptables':
      c.iptables = mergeRulesets(c.iptables, parsed.value);
      break;
    case 'other':
      parsed.apply(c);
  }
  return replace ? 'replaced' : 'merged';
}

/** A pod's own view from one of its outputs (ip addr / ifconfig, route -n, iflink, ethtool -S). */
export function applyPod(pod: PodNetns, r: Recognised, parsed: Parsed): boolean {
  if (parsed.slot === 'addr') {
    const view = podFromAddr(parsed.value, { pod: pod.pod });
    Object.assign(pod, Object.fromEntries(Object.entries(view).filter(([k, v]) => v !== undefined && (k !== 'ifname' || pod.ip === undefined))));
    return true;
  }
  if (parsed.slot === 'routes') {
    pod.routes = parsed.value;
    return true;
  }
  if (r.kind === 'iflink' || r.kind === 'ethtool-stats') {
    const scratch: Collected = { ethtool: {}, features: {}, sysctls: {}, pods: [], ipam: [], commands: [] };
    if (parsed.slot === 'other') parsed.apply(scratch);
    const own = scratch.iflinks?.find((l) => l.name === pod.ifname) ?? scratch.iflinks?.[0];
    // the pod's own iflink file says it directly; ethtool's peer_ifindex only when nothing else did
    if (own?.iflink !== undefined) pod.iflink = own.iflink;
    else pod.iflink ??= Object.values(scratch.ethtool)[0]?.peerIfindex;
    return true;
  }
  return false;
}
