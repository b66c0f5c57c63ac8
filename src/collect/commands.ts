// What flanctl reads from a node, step by step. Each step lists its sources in order of preference:
// a live program (argv) and the file name the same output has in a --from-dir directory. The live
// collector runs the first attempt that works; the directory loader reads the first file present.
// Both fill the same Collected record, so `collect --raw-dir d` and `--from-dir d` agree by construction.
import type { Address, BridgeInfo, BridgePort, CniConflist, CommandResult, EthtoolStats, FdbEntry, Iflink, IpamAllocation, IptablesRuleset, Link, Neigh, NftRuleset, PodNetns, WgDevice, Route, SubnetEnv } from '../model/index.js';
import {
  parseArp,
  parseBrctlShow,
  parseBridgeFdb,
  parseBridgeLink,
  parseEthtoolFeatures,
  parseIfconfig,
  parseIflink,
  parseIpAddr,
  parseIpLink,
  parseIpNeigh,
  parseIpRoute,
  parseIptablesSave,
  parseNft,
  parseWgDump,
  redactWgDump,
  parseRouteN,
  parseSysctl,
} from '../parse/index.js';

/** Everything collected about one node, before it is checked and shaped into a Snapshot. */
export interface Collected {
  host?: string;
  kernel?: string;
  /** from ip link: the authoritative link list */
  links?: Link[];
  /** from ip addr / ifconfig: links merged into `links` by name, addresses as they are */
  addrLinks?: Link[];
  addresses?: Address[];
  routes?: Route[];
  neigh?: Neigh[];
  fdb?: FdbEntry[];
  bridges?: BridgeInfo[];
  bridgePorts?: BridgePort[];
  iptables?: IptablesRuleset;
  nft?: NftRuleset;
  wireguard?: WgDevice[];
  subnetEnv?: SubnetEnv;
  cniConflist?: CniConflist;
  iflinks?: Iflink[];
  ethtool: Record<string, EthtoolStats>;
  features: Record<string, Record<string, string>>;
  sysctls: Record<string, string>;
  pods: PodNetns[];
  /** `ip -j netns list-id`: the named namespaces this node has an nsid for (its pods) */
  netnsIds?: { nsid: number; name?: string }[];
  ipam: IpamAllocation[];
  commands: CommandResult[];
}

export const emptyCollected = (): Collected => ({ ethtool: {}, features: {}, sysctls: {}, pods: [], ipam: [], commands: [] });

export interface Attempt {
  /** live: the program to run; absent when the source is only a saved file */
  argv?: string[];
  /** json | text | fallback (an older or other tool standing in for the preferred one) */
  form: 'json' | 'text' | 'fallback';
  /** the name of this output in a --from-dir / --raw-dir directory; '' for none (never saved) */
  file: string;
  /** applied to the output before it is parsed or saved (wg's private keys) */
  redact?: (text: string) => string;
  /** stderr lines that belong with the output, kept as `cmd 2>&1` would show them (iptables-nft-save's legacy warning) */
  stderrLines?: RegExp;
  apply(text: string, into: Collected): void;
}

export interface Step {
  /** CommandResult.name */
  name: string;
  attempts: Attempt[];
}

/** The sysctls flannel depends on (flannel-node-state.md §1.1, §2.6). */
/** iptables-nft-save warns on stderr when the legacy backend holds rules too (flannel #1317) */
const IPTABLES_WARNING = /^# Warning: /;

const SYSCTLS = ['net.ipv4.ip_forward', 'net.bridge.bridge-nf-call-iptables'];

/** uname -r, hostname: the first non-empty line */
const oneLine = (text: string): string | undefined => text.split('\n').find((l) => l.trim() !== '')?.trim();

/** One family's routes, next to the other family's (two route steps fill one table): IPv4 first, whichever step ends first. */
export const setRoutes = (c: Collected, routes: Route[], v6: boolean): void => {
  const other = (c.routes ?? []).filter((r) => r.dst.includes(':') !== v6);
  c.routes = v6 ? [...other, ...routes] : [...routes, ...other];
};

const addr = (text: string, c: Collected, parse: typeof parseIpAddr): void => {
  const r = parse(text);
  c.addrLinks = r.links;
  c.addresses = r.addresses;
};

/** Steps that do not depend on each other: run concurrently. */
export const STEPS: Step[] = [
  {
    name: 'ip-link',
    attempts: [
      { argv: ['ip', '-j', '-d', 'link', 'show'], form: 'json', file: 'ip-link.txt', apply: (t, c) => void (c.links = parseIpLink(t)) },
      { argv: ['ip', '-d', 'link', 'show'], form: 'text', file: 'ip-link.txt', apply: (t, c) => void (c.links = parseIpLink(t)) },
    ],
  },
  {
    name: 'ip-addr',
    attempts: [
      { argv: ['ip', '-j', 'addr', 'show'], form: 'json', file: 'ip-addr.txt', apply: (t, c) => addr(t, c, parseIpAddr) },
      { argv: ['ip', 'addr', 'show'], form: 'text', file: 'ip-addr.txt', apply: (t, c) => addr(t, c, parseIpAddr) },
      { argv: ['ifconfig', '-a'], form: 'fallback', file: 'ifconfig.txt', apply: (t, c) => addr(t, c, parseIfconfig) },
    ],
  },
  {
    name: 'ip-route',
    attempts: [
      { argv: ['ip', '-j', 'route', 'show', 'table', 'main'], form: 'json', file: 'ip-route.txt', apply: (t, c) => setRoutes(c, parseIpRoute(t, 'inet'), false) },
      { argv: ['ip', 'route', 'show', 'table', 'main'], form: 'text', file: 'ip-route.txt', apply: (t, c) => setRoutes(c, parseIpRoute(t, 'inet'), false) },
      { argv: ['route', '-n'], form: 'fallback', file: 'route-n.txt', apply: (t, c) => setRoutes(c, parseRouteN(t), false) },
    ],
  },
  // flannel-v6.<VNI>'s routes (dual-stack, IPv6-only); the main table, as for IPv4: the local table's entries are
  // the addresses, and its multicast routes are on every device
  {
    name: 'ip-route6',
    attempts: [
      { argv: ['ip', '-6', '-j', 'route', 'show', 'table', 'main'], form: 'json', file: 'ip-route6.txt', apply: (t, c) => setRoutes(c, parseIpRoute(t, 'inet6'), true) },
      { argv: ['ip', '-6', 'route', 'show', 'table', 'main'], form: 'text', file: 'ip-route6.txt', apply: (t, c) => setRoutes(c, parseIpRoute(t, 'inet6'), true) },
    ],
  },
  {
    name: 'ip-neigh',
    // both families: `ip neigh` without -4/-6 lists IPv4 and IPv6 neighbours (flannel-v6.1's too)
    attempts: [
      { argv: ['ip', '-j', 'neigh', 'show'], form: 'json', file: 'ip-neigh.txt', apply: (t, c) => void (c.neigh = parseIpNeigh(t)) },
      { argv: ['ip', 'neigh', 'show'], form: 'text', file: 'ip-neigh.txt', apply: (t, c) => void (c.neigh = parseIpNeigh(t)) },
      { argv: ['arp', '-n'], form: 'fallback', file: 'arp.txt', apply: (t, c) => void (c.neigh = parseArp(t)) },
    ],
  },
  {
    name: 'bridge-fdb',
    attempts: [
      { argv: ['bridge', '-j', 'fdb', 'show'], form: 'json', file: 'bridge-fdb.txt', apply: (t, c) => void (c.fdb = parseBridgeFdb(t)) },
      { argv: ['bridge', 'fdb', 'show'], form: 'text', file: 'bridge-fdb.txt', apply: (t, c) => void (c.fdb = parseBridgeFdb(t)) },
    ],
  },
  {
    name: 'bridge-link',
    attempts: [
      { argv: ['bridge', '-j', 'link', 'show'], form: 'json', file: 'bridge-link.txt', apply: (t, c) => void (c.bridgePorts = parseBridgeLink(t)) },
      { argv: ['bridge', 'link', 'show'], form: 'text', file: 'bridge-link.txt', apply: (t, c) => void (c.bridgePorts = parseBridgeLink(t)) },
    ],
  },
  // without brctl the bridges are derived from ip link (kind bridge + masters): see assemble.ts
  { name: 'brctl-show', attempts: [{ argv: ['brctl', 'show'], form: 'text', file: 'brctl-show.txt', apply: (t, c) => void (c.bridges = parseBrctlShow(t)) }] },
  {
    name: 'iptables-save',
    attempts: [
      { argv: ['iptables-save'], form: 'text', file: 'iptables-save.txt', stderrLines: IPTABLES_WARNING, apply: (t, c) => void (c.iptables = parseIptablesSave(t)) },
      { argv: ['iptables-nft-save'], form: 'fallback', file: 'iptables-save.txt', stderrLines: IPTABLES_WARNING, apply: (t, c) => void (c.iptables = parseIptablesSave(t)) },
      { argv: ['iptables-legacy-save'], form: 'fallback', file: 'iptables-save.txt', apply: (t, c) => void (c.iptables = parseIptablesSave(t)) },
    ],
  },
  // flannel's nftables mode (EnableNFTables); the text form when this nft has no -j or another JSON schema
  {
    name: 'nft',
    attempts: [
      { argv: ['nft', '-j', 'list', 'ruleset'], form: 'json', file: 'nft-ruleset.txt', apply: (t, c) => void (c.nft = parseNft(t)) },
      { argv: ['nft', 'list', 'ruleset'], form: 'text', file: 'nft-ruleset.txt', apply: (t, c) => void (c.nft = parseNft(t)) },
    ],
  },
  {
    name: 'sysctl',
    attempts: [{ argv: ['sysctl', '-e', ...SYSCTLS], form: 'text', file: 'sysctl.txt', apply: (t, c) => void Object.assign(c.sysctls, parseSysctl(t)) }],
  },
  { name: 'kernel', attempts: [{ argv: ['uname', '-r'], form: 'text', file: 'kernel.txt', apply: (t, c) => void (c.kernel = oneLine(t)) }] },
];

/** hostname is a step of its own: with --netns the node is named after the namespace instead. */
export const HOSTNAME_STEP: Step = { name: 'hostname', attempts: [{ argv: ['hostname'], form: 'text', file: 'hostname.txt', apply: (t, c) => void (c.host = oneLine(t)) }] };

/** The other iptables backend: checked when present, used when the preferred one holds no rules (flannel wrote to the other). */
export const IPTABLES_LEGACY_STEP: Step = {
  name: 'iptables-legacy-save',
  attempts: [{ argv: ['iptables-legacy-save'], form: 'text', file: 'iptables-legacy-save.txt', apply: (t, c) => void (c.iptables = parseIptablesSave(t)) }],
};

/** Offloads of the vxlan device (checksum offload bugs break VXLAN on some kernels), run when flannel.1 exists. */
export const FEATURES_STEP: Step = {
  name: 'ethtool-k',
  attempts: [{ argv: ['ethtool', '-k', 'flannel.1'], form: 'text', file: 'ethtool-k-flannel.1.txt', apply: (t, c) => void (c.features['flannel.1'] = parseEthtoolFeatures(t)) }],
};

/** WireGuard devices (flannel-wg, flannel-wg-v6), run when a wireguard link exists; private keys never leave this step. */
export const WG_STEP: Step = {
  name: 'wg-dump',
  attempts: [{ argv: ['wg', 'show', 'all', 'dump'], form: 'text', file: 'wg-dump.txt', redact: redactWgDump, apply: (t, c) => void (c.wireguard = parseWgDump(t)) }],
};

/** `grep -H . /sys/class/net/<dev>/{ifindex,iflink}` for the named links: `iflink.txt`. */
export function iflinkStep(linkNames: string[]): Step {
  const paths = linkNames.flatMap((n) => [`/sys/class/net/${n}/ifindex`, `/sys/class/net/${n}/iflink`]);
  return { name: 'iflink', attempts: [{ argv: ['grep', '-H', '.', ...paths], form: 'text', file: 'iflink.txt', apply: (t, c) => void (c.iflinks = parseIflink(t)) }] };
}

