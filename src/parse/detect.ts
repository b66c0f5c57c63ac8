// Which command printed a piece of text: from the command line that ran it (a transcript's prompt line),
// from the text itself, or from the conventional file name (`route-n.txt`, `ip-neigh@flannel.1.txt`) as a hint.
// Pure: text in, a recognised kind (with the device or filter the command line implies) or the reason out.
import { isIfname } from '../model/net.js';
import { splitRows } from './common.js';
import { shellSplit } from './iptables-save.js';

/** What a piece of pasted text is: a parser name, or a file-only source (hostname, kernel, Node objects). */
export type SourceKind =
  | 'route-n'
  | 'route-n6'
  | 'ip-route'
  | 'ip-link'
  | 'ip-addr'
  | 'ifconfig'
  | 'ip-neigh'
  | 'arp'
  | 'bridge-fdb'
  | 'brctl-show'
  | 'bridge-link'
  | 'iptables-save'
  | 'iptables-s'
  | 'nft'
  | 'wg-dump'
  | 'iflink'
  | 'subnet-env'
  | 'ethtool-stats'
  | 'ethtool-features'
  | 'sysctl'
  | 'cni-conflist'
  | 'hostname'
  | 'kernel'
  | 'nodes';

export interface Recognised {
  kind: SourceKind;
  by: 'command' | 'content' | 'name';
  /** the device the output is limited to (`ip neigh show dev flannel.1`, `ip-neigh@flannel.1.txt`, `ethtool -S eth0`) */
  dev?: string;
  /** iptables -S: the table (`-t nat`) */
  table?: string;
  /** the output is part of the table only (`| grep X`, `show dev X`, `ip a s X`): what it was narrowed to */
  filter?: string;
  /** `ip -6 …`, `ip-route6.txt`: the output holds IPv6 entries only (an empty one too) */
  family?: 'inet6';
}

export interface Unrecognised {
  kind?: undefined;
  reason: string;
}

/** The conventional --from-dir file names (README "Sources"): the one list. */
export const FILE_NAMES: Record<string, SourceKind> = {
  'route-n.txt': 'route-n',
  'route-n6.txt': 'route-n6',
  'ip-route.txt': 'ip-route',
  'ip-route6.txt': 'ip-route',
  'ip-link.txt': 'ip-link',
  'ip-addr.txt': 'ip-addr',
  'ifconfig.txt': 'ifconfig',
  'ip-neigh.txt': 'ip-neigh',
  'arp.txt': 'arp',
  'bridge-fdb.txt': 'bridge-fdb',
  'brctl-show.txt': 'brctl-show',
  'bridge-link.txt': 'bridge-link',
  'iptables-save.txt': 'iptables-save',
  'iptables-legacy-save.txt': 'iptables-save',
  'iptables-s.txt': 'iptables-s',
  'nft-ruleset.txt': 'nft',
  'wg-dump.txt': 'wg-dump',
  'iflink.txt': 'iflink',
  'subnet.env': 'subnet-env',
  '10-flannel.conflist': 'cni-conflist',
  'cni-conflist.json': 'cni-conflist',
  'sysctl.txt': 'sysctl',
  'hostname.txt': 'hostname',
  'kernel.txt': 'kernel',
  'nodes.json': 'nodes',
  'nodes.yaml': 'nodes',
};

/** Kinds only a name or a command line can tell (their content is a bare word or number). */
const NAME_ONLY = new Set<SourceKind>(['hostname', 'kernel']);

/** A conventional file name, optionally with `@DEV` before the extension (`ip-neigh@flannel.1.txt`). */
export function recogniseName(file: string): Recognised | undefined {
  const ethtool = /^ethtool-([Sk])-(.+)\.txt$/.exec(file);
  if (ethtool && isIfname(ethtool[2])) return { kind: ethtool[1] === 'S' ? 'ethtool-stats' : 'ethtool-features', by: 'name', dev: ethtool[2] };
  if (FILE_NAMES[file]) return { kind: FILE_NAMES[file], by: 'name', ...(file === 'ip-route6.txt' ? { family: 'inet6' as const } : {}) };
  const at = /^([^@]+)@(.+)\.(txt|json)$/.exec(file);
  const kind = at ? FILE_NAMES[`${at[1]}.${at[3]}`] ?? FILE_NAMES[`${at[1]}.txt`] : undefined;
  if (at && kind && isIfname(at[2])) return { kind, by: 'name', dev: at[2], filter: `dev ${at[2]}` };
  return undefined;
}

const wrapped = (argv: string[]): string[] => {
  // sudo, `ip netns exec NS cmd`, `docker exec ID cmd`, `kubectl exec POD -- cmd`, `nsenter … -- cmd`: the command inside
  if (argv[0] === 'sudo') return wrapped(argv.slice(1));
  // `k3s kubectl …`, `microk8s kubectl …`: kubectl itself
  if ((argv[0] === 'k3s' || argv[0] === 'microk8s') && argv[1] === 'kubectl') return argv.slice(1);
  if (argv[0] === 'ip' && argv[1] === 'netns' && argv[2] === 'exec') return wrapped(argv.slice(4));
  if ((argv[0] === 'docker' || argv[0] === 'crictl') && argv[1] === 'exec') {
    let i = 2;
    while (argv[i]?.startsWith('-')) i++;
    return wrapped(argv.slice(i + 1));
  }
  const dashes = argv.indexOf('--');
  if ((argv[0] === 'kubectl' && argv[1] === 'exec') || argv[0] === 'nsenter') return dashes < 0 ? [] : wrapped(argv.slice(dashes + 1));
  return argv;
};

/** The program's words after its options (`ip -d -4 neigh show` -> [neigh, show]; `ip -n NS` skips NS). */
function words(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    if (['-n', '-netns', '-t', '--table', '-f', '-family'].includes(argv[i])) i++;
    else if (!argv[i].startsWith('-')) out.push(argv[i]);
  }
  return out;
}

/** `dev X` or a bare device name after show/list: what `ip`/`bridge` was narrowed to. */
function devArg(rest: string[]): string | undefined {
  const i = rest.indexOf('dev');
  if (i >= 0 && rest[i + 1] !== undefined && isIfname(rest[i + 1])) return rest[i + 1];
  return undefined;
}

/**
 * The kind of output a command line prints, with the device and filter it implies; undefined when it is not a
 * command flanctl reads (an Unrecognised with the reason when it is a near miss such as `iptables -L`).
 */
export function recogniseCommand(line: string): Recognised | Unrecognised | undefined {
  const [cmd, ...pipes] = splitPipes(line);
  let argv: string[];
  try {
    argv = wrapped(shellSplit(cmd));
  } catch {
    return undefined;
  }
  if (argv.length === 0) return undefined;
  // `bash -c "ip route | grep 66"` (ansible, ssh): the command line inside
  if (/^(ba|z|da)?sh$/.test(argv[0]) && argv[1] === '-c' && argv[2] !== undefined && pipes.length === 0) return recogniseCommand(argv[2]);
  const grep = pipes.filter((p) => /^(e|f)?grep\b|^head\b|^tail\b|^awk\b|^sed\b/.test(p));
  // `cluster/kubectl.sh` (a source checkout's wrapper) is kubectl
  const prog = argv[0].replace(/^.*\//, '').replace(/^kubectl\.sh$/, 'kubectl');
  const w = words(argv);
  const r = commandKind(prog, argv, w);
  if (r === undefined || r.kind === undefined || grep.length === 0) return r;
  return { ...r, filter: [r.filter, ...grep].filter(Boolean).join(' | ') };
}

function commandKind(prog: string, argv: string[], w: string[]): Recognised | Unrecognised | undefined {
  if (prog === 'route' && (argv.includes('-6') || argv.includes('inet6'))) return { kind: 'route-n6', by: 'command' };
  if (prog === 'route') return w.length === 0 ? { kind: 'route-n', by: 'command' } : undefined;
  if (prog === 'netstat' && argv.some((a) => /^-\w*r/.test(a))) return { kind: 'route-n', by: 'command' };
  if (prog === 'arp') return { kind: 'arp', by: 'command' };
  if (prog === 'ifconfig') return { kind: 'ifconfig', by: 'command', ...(w[0] && isIfname(w[0]) ? { dev: w[0], filter: w[0] } : {}) };
  if (prog === 'brctl') return w[0] === 'show' ? { kind: 'brctl-show', by: 'command' } : undefined;
  if (prog === 'hostname') return { kind: 'hostname', by: 'command' };
  if (prog === 'uname') return argv.includes('-r') ? { kind: 'kernel', by: 'command' } : undefined;
  if (prog === 'sysctl') return { kind: 'sysctl', by: 'command' };
  if (prog === 'ethtool') {
    const dev = w.find(isIfname);
    if (argv.includes('-S') || argv.includes('--statistics')) return { kind: 'ethtool-stats', by: 'command', dev };
    if (argv.includes('-k') || argv.includes('--show-features')) return { kind: 'ethtool-features', by: 'command', dev };
    return undefined;
  }
  if (/^ip6?tables(-nft|-legacy)?-save$/.test(prog)) return { kind: 'iptables-save', by: 'command' };
  if (/^ip6?tables(-nft|-legacy)?$/.test(prog)) {
    const t = argv.indexOf('-t');
    const table = t >= 0 ? argv[t + 1] : 'filter';
    if (argv.some((a) => a === '--list-rules' || /^-[a-zA-Z]*S$/.test(a))) return { kind: 'iptables-s', by: 'command', table };
    if (argv.some((a) => a === '--list' || /^-[a-zA-Z]*L/.test(a))) return { reason: 'iptables -L is not read: paste `iptables-save` or `iptables -S`' };
    return undefined;
  }
  // `wg show [all|DEV] dump`: the only wg form read (the pretty form drops allowed-ips order and numbers)
  if (prog === 'wg') return w[0] === 'show' && w.includes('dump') ? { kind: 'wg-dump', by: 'command', ...(w[1] !== 'all' && w[1] !== 'dump' ? { dev: w[1] } : {}) } : undefined;
  if (prog === 'nft') return w[0] === 'list' ? { kind: 'nft', by: 'command', ...(w[1] === 'ruleset' ? {} : { filter: w.slice(1).join(' ') }) } : undefined;
  if (['cat', 'more', 'less', 'tail', 'head'].includes(prog)) return catFile(w);
  if (prog === 'kubectl' && /^(get|describe)$/.test(w[0] ?? '') && /^(no|nodes?)$/.test(w[1] ?? '')) return kubectlNodes(argv, w[0]);
  if (prog === 'bridge') {
    if (w[0] === 'fdb') return { kind: 'bridge-fdb', by: 'command', ...narrowed(devArg(w)) };
    if (w[0] === 'link') return { kind: 'bridge-link', by: 'command', ...narrowed(devArg(w)) };
    return undefined;
  }
  if (prog === 'ip') {
    const r = ipCommand(w);
    const f = argv.findIndex((a) => a === '-f' || a === '-family');
    const v6 = argv.includes('-6') || (f > 0 && argv[f + 1] === 'inet6');
    return r && v6 ? { ...r, family: 'inet6' } : r;
  }
  return undefined;
}

/** `kubectl get node(s) -o yaml|json` and `kubectl describe node` carry the annotations; the default table does not. */
function kubectlNodes(argv: string[], verb: string): Recognised | Unrecognised {
  if (verb === 'describe') return { kind: 'nodes', by: 'command' };
  const o = argv.findIndex((a) => a === '-o' || a === '--output');
  const format = o >= 0 ? argv[o + 1] : argv.map((a) => /^(?:-o=?|--output=)(\w+)/.exec(a)?.[1]).find(Boolean);
  if (format === 'yaml' || format === 'json') return { kind: 'nodes', by: 'command' };
  return { reason: `\`kubectl get nodes${format ? ` -o ${format}` : ''}\` is a table without the flannel annotations: paste \`kubectl get nodes -o yaml\`` };
}

const narrowed = (dev: string | undefined): Partial<Recognised> => (dev ? { dev, filter: `dev ${dev}` } : {});

const IP_VERBS = new Set(['add', 'del', 'delete', 'change', 'replace', 'append', 'flush', 'set', 'get', 'test', 'save', 'restore', 'monitor', 'help', 'prepend']);
const SHOW = new Set(['show', 's', 'sh', 'list', 'ls', 'l', 'lst']);
// iproute2 takes any prefix of an object name
const IP_OBJECTS: [RegExp, SourceKind][] = [
  [/^l(i(nk?)?)?$/, 'ip-link'],
  [/^a(d(d(r(e(ss?)?)?)?)?)?$/, 'ip-addr'],
  [/^r(o(u(te?)?)?)?$/, 'ip-route'],
  [/^n(e(i(gh(bou?r)?)?)?)?$/, 'ip-neigh'],
];
// arguments that select, not narrow: the whole main table is still printed (`type veth` does narrow ip link)
const NOT_A_FILTER = /^table (main|all)$/;

function ipCommand(w: string[]): Recognised | undefined {
  const [object, verb, ...rest] = w;
  const kind = IP_OBJECTS.find(([re]) => object !== undefined && re.test(object))?.[1];
  if (kind === undefined) return undefined;
  // ip link/addr show [dev] X …, ip a s X, ip route get X is not a table; `ip neigh flush all` changes, it does not show
  if (verb !== undefined && IP_VERBS.has(verb)) return undefined;
  if (verb !== undefined && !SHOW.has(verb) && !(kind !== 'ip-route' && isIfname(verb)) && !(kind === 'ip-route' && verb === 'show')) return undefined;
  const args = verb === undefined ? [] : SHOW.has(verb) ? rest : [verb, ...rest];
  const bare = args[0] !== undefined && !['type', 'master', 'up', 'table', 'dev', 'scope', 'to', 'label', 'proto', 'nud'].includes(args[0]) && isIfname(args[0]);
  const dev = devArg(args) ?? (kind !== 'ip-route' && bare ? args[0] : undefined);
  const narrowedBy = args.join(' ');
  const filter = narrowedBy === '' || NOT_A_FILTER.test(narrowedBy) ? undefined : narrowedBy;
  return { kind, by: 'command', ...(dev && kind !== 'ip-route' ? { dev } : {}), ...(filter ? { filter } : {}) };
}

/** `cat /run/flannel/subnet.env`, `cat /etc/cni/net.d/10-flannel.conflist`, `cat /sys/class/net/eth0/iflink`. */
function catFile(w: string[]): Recognised | undefined {
  const path = w[w.length - 1];
  if (path === undefined) return undefined;
  if (/subnet\.env$/.test(path)) return { kind: 'subnet-env', by: 'command' };
  if (/\.conflist$|net\.d\/.*\.conf$/.test(path)) return { kind: 'cni-conflist', by: 'command' };
  const sys = /\/sys\/class\/net\/([^/]+)\/iflink$/.exec(path);
  if (sys) return { kind: 'iflink', by: 'command', ...(sys[1] !== '*' && isIfname(sys[1]) ? { dev: sys[1] } : {}) };
  if (/\/proc\/sys\/net\//.test(path)) return undefined;
  return undefined;
}

/** A command line's pipeline stages (quotes honoured well enough for `grep "a|b"`). */
function splitPipes(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '|') {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s, i) => i === 0 || s !== '');
}

const IPV4 = String.raw`(?:\d{1,3}|[x*]+)(?:\.(?:\d{1,3}|[x*]+)){3}`;
const MAC = '[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){5}';
const IFNAME = String.raw`[A-Za-z0-9_.@-]{1,15}`;
// `7: docker0: <BROADCAST,…> mtu 1500`; a post may have lost the `<…>` (`7: docker0:mtu 1500`)
const LINK_HEAD = new RegExp(String.raw`^\d+: ${IFNAME}(@\S+)?:\s*(<[^>]*>\s*)?mtu \d+`);

/** Tests over the text's non-blank lines: the share of lines a pattern fits. */
function share(rows: string[], re: RegExp): number {
  return rows.length === 0 ? 0 : rows.filter((r) => re.test(r)).length / rows.length;
}

/** What the text itself says it is. */
export function recogniseContent(text: string): Recognised | undefined {
  const rows = splitRows(text).map((r) => r.trim()).filter((r) => r !== '' && r !== '...');
  if (rows.length === 0) return undefined;
  const all = rows.join('\n');
  const content = (kind: SourceKind): Recognised => ({ kind, by: 'content' });
  if (/^\s*[[{]/.test(text)) return recogniseJson(all);
  if (/^(apiVersion|kind): /m.test(all) && /\bkind: (Node|List)\b/.test(all)) return content('nodes');
  if (/flannel\.alpha\.coreos\.com\/[\w-]+["']?\s*[:=]/.test(all) && share(rows, /flannel\.alpha\.coreos\.com\/|^\s*(Annotations|Name|Labels):/) >= 0.5) return content('nodes');
  if (/^Kernel IPv6 routing table|^Destination\s+Next Hop\s+Flag\s+Met/m.test(all)) return content('route-n6');
  if (/^Kernel IP routing table|^Destination\s+Gateway\s+Genmask/m.test(all)) return content('route-n');
  if (/^\*(filter|nat|mangle|raw|security)$/m.test(all) || /^# Generated by ip6?tables/m.test(all)) return content('iptables-save');
  if (/^-P [A-Z]+ (ACCEPT|DROP)$/m.test(all) || (share(rows, /^-[ANP] \S+/) > 0.8 && /^-[AN] /m.test(all))) return content('iptables-s');
  if (/^bridge name\s+bridge id/m.test(all)) return content('brctl-show');
  if (/^table (ip|ip6|inet|arp|bridge|netdev) \S+ \{/m.test(all)) return content('nft');
  if (/^FLANNEL_(NETWORK|SUBNET)=/m.test(all)) return content('subnet-env');
  // wg show all dump: tab-separated, a 44-character base64 key (or (none)/(hidden)) in the first or second field
  if (share(rows, /^([\w.-]+\t)?(\(none\)|\(hidden\)|[A-Za-z0-9+/]{43}=)\t/) > 0.5) return content('wg-dump');
  if (/^NIC statistics:/m.test(all) || /^\s*peer_ifindex: \d+$/m.test(all)) return content('ethtool-stats');
  if (/^Features for \S+:/m.test(all)) return { kind: 'ethtool-features', by: 'content', dev: /^Features for (\S+):/m.exec(all)![1] };
  if (/^Address\s+HWtype\s+HWaddress/m.test(all) || share(rows, new RegExp(String.raw`^\S+ \(${IPV4}\) at `)) > 0.5) return content('arp');
  if (share(rows, new RegExp(String.raw`^${IPV4}\s+(ether|infiniband)\s+${MAC}\s+[CMPA]+\s`)) > 0.5) return content('arp');
  if (share(rows, /^\S+: flags=\d+/) > 0 || /Link encap:/.test(all)) return content('ifconfig');
  // ip link / ip addr: numbered link heads and their indented detail lines (a stray first line is only that line)
  if (rows.some((r) => LINK_HEAD.test(r)) && share(rows, /^(\d+: |link\/|inet6? |valid_lft|altname |vxlan |ipip |bridge|veth|RX|TX|\d+\s+\d+)/) > 0.6) {
    if (/^\s*inet6? /m.test(text)) return content('ip-addr');
    // bridge link: the port state on the header line itself, and no link/ether lines
    if (!/^\s*link\//m.test(text) && / master \S+ state (forwarding|disabled|blocking|listening|learning)\b/.test(rows.find((r) => LINK_HEAD.test(r))!)) return content('bridge-link');
    return content('ip-link');
  }
  if (share(rows, new RegExp(String.raw`^${MAC}( dev ${IFNAME})?( |$)`)) > 0.5) return content('bridge-fdb');
  const neigh = new RegExp(String.raw`^(${IPV4}|[0-9a-fA-F:]+:[0-9a-fA-F:]*)( dev ${IFNAME})?( lladdr ${MAC})?( router| proxy)*( [A-Z]+)+$`);
  if (share(rows, neigh) > 0.5) return content('ip-neigh');
  // `ip -6 route` prints a host route without /128 (`fd00:10:244:1:: dev flannel-v6.1 proto kernel …`)
  const route = new RegExp(String.raw`^(default|(unicast|local|broadcast|multicast|anycast|blackhole|unreachable|prohibit|throw|nat) \S+|${IPV4}(/\d+)?|[0-9a-f]*:[0-9a-f:]*(/\d+)?)( (via|dev|proto|scope|src|metric|table) |$)`);
  if (share(rows, route) > 0.5) return content('ip-route');
  if (share(rows, new RegExp(String.raw`^${IPV4}\s+${IPV4}\s+${IPV4}\s+[UGHRDMACI!]+\s+\d+\s+\d+\s+\d+\s+\S+$`)) > 0.5) return content('route-n');
  if (share(rows, /^\/sys\/class\/net\/[^/]+\/(iflink|ifindex):\s*\d+$/) > 0.5) return content('iflink');
  if (share(rows, /^[a-z0-9_]+(\.[a-z0-9_-]+)+\s*=\s*\S*$/) > 0.5) return content('sysctl');
  return undefined;
}

/** `ip -j …`, `bridge -j …`, a conflist or Node objects, by their keys. */
function recogniseJson(all: string): Recognised | undefined {
  const content = (kind: SourceKind): Recognised => ({ kind, by: 'content' });
  if (/"kind"\s*:\s*"(Node|List)"/.test(all) && /"metadata"/.test(all)) return content('nodes');
  if (/"cniVersion"|"plugins"\s*:/.test(all)) return content('cni-conflist');
  if (/"nftables"\s*:/.test(all)) return content('nft');
  if (/"addr_info"/.test(all)) return content('ip-addr');
  if (/"link_type"|"operstate"/.test(all)) return content('ip-link');
  if (/"state"\s*:\s*"(forwarding|disabled|blocking|listening|learning)"/.test(all) && /"ifname"/.test(all)) return content('bridge-link');
  if (/"lladdr"/.test(all)) return content('ip-neigh');
  if (/"mac"\s*:/.test(all) && /"ifname"|"flags"/.test(all)) return content('bridge-fdb');
  if (/"dst"\s*:/.test(all) && /"(gateway|dev|protocol|scope|prefsrc)"\s*:/.test(all)) return content('ip-route');
  return undefined;
}

/**
 * One piece of text: the command line decides when it names a command flanctl reads, then the content, then
 * the file name. A file name also settles what the content cannot tell (ip link vs ip addr, a bare number).
 */
export function recognise(text: string, hint: { command?: string; file?: string } = {}): Recognised | Unrecognised {
  const byName = hint.file === undefined ? undefined : recogniseName(hint.file);
  if (hint.command !== undefined) {
    const byCommand = recogniseCommand(hint.command);
    if (byCommand) return byCommand;
  }
  if (byName && NAME_ONLY.has(byName.kind)) return byName;
  const byContent = recogniseContent(text);
  if (byContent) {
    // the name narrows what the content leaves open: ip-link.txt holding `ip addr` output stays ip addr
    if (byName && byName.kind === byContent.kind) return { ...byContent, ...byName, by: 'content' as const };
    if (byName && byName.kind === 'iflink') return byName;
    return byContent;
  }
  if (byName) return byName;
  if (hint.command !== undefined) return { reason: `\`${hint.command.slice(0, 60)}\` is not a command flanctl reads` };
  return { reason: 'not the output of a command flanctl reads (see README "Sources")' };
}
