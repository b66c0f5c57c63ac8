// The consistency matrix for the wireguard backend: for every ordered pair (A, B) and family, A's peer for B on
// flannel-wg (IPv4) or flannel-wg-v6 (IPv6, Mode separate) against B's own device as B's own dump shows it — its
// real public key and listen port — with endpoint <B's public IP>:<that port> and allowed-ips B's subnet. Judged by
// peer-state's wireguardPeerState, the evaluator doctor uses, with B's real key and port standing in for its lease's
// (as the vxlan matrix uses B's real MAC), so the codes are doctor's. The diagonal: B's device missing, its key or
// port against its own lease (wgOwnDeviceState, doctor's), and A's peers of no node (doctor's WG_STALE_PEER). Pure.
import type { Lease } from '../model/lease.js';
import type { Snapshot } from '../model/snapshot.js';
import type { WgDevice } from '../model/wireguard.js';
import { normalizeIPv6 } from '../model/ipv6.js';
import type { CheckContext } from './checks/context.js';
import { wgPeerLine } from './checks/evidence.js';
import { stalePeers, stalePeerText } from './checks/wireguard.js';
import type { CellProblem, MatrixCell, MatrixNode } from './matrix.js';
import { type Family, type WgHalf, wantEndpoint, wgDeviceOf, wgEndpointOpen, wgMode, wgOwnDeviceState, wireguardPeerState } from './peer-state.js';
import { subnet6Of } from './node-facts.js';

/** A node's WireGuard device as its own dump shows it (the private key is never kept). */
export interface WgFacts {
  dev: string;
  publicKey?: string;
  listenPort: number;
}

/** A node's device of one family: read, known missing, or not judged and why. */
type Side = { kind: 'device'; dev: WgDevice } | { kind: 'missing' } | { kind: 'open'; why: string };

/** One wireguard node as the pairs need it: its context (doctor's), the device per family, what is known of it. */
interface WgNode {
  node: MatrixNode;
  ctx: CheckContext;
  /** per family: the device, or why it is not judged (undefined: the node runs no such family) */
  dev: Partial<Record<Family, Side>>;
  /** per family: its subnet and public IP, from its own snapshot and lease */
  subnet: Partial<Record<Family, string>>;
  ip: Partial<Record<Family, string>>;
}

const LABELS = {
  WG_PEER_MISSING: 'peer missing',
  WG_PEER_KEY_MISMATCH: 'peer key wrong',
  WG_ENDPOINT_MISMATCH: 'endpoint wrong',
  WG_ALLOWED_IPS_MISMATCH: 'allowed-ips wrong',
  WG_KEY_MISMATCH: 'key ≠ annotation',
  WG_PORT_MISMATCH: 'port ≠ annotation',
} as const;

const PASTE_DUMP = 'paste `wg show all dump` (as wg-dump.txt)';

/**
 * The wireguard half of the matrix over the nodes whose backend is wireguard (`wg[i]`): fills their `wg`/`wg6`,
 * diagonal problems and unverified lines, and returns the IPv4 and IPv6 cells between them.
 */
export function wireguardMatrix(snapshots: Snapshot[], nodes: MatrixNode[], contexts: CheckContext[], wg: boolean[]): { cells: MatrixCell[]; cells6: MatrixCell[] } {
  const all: WgNode[] = [];
  nodes.forEach((node, i) => {
    if (wg[i]) all.push(wgNode(snapshots[i], node, contexts[i]));
  });
  const cells: MatrixCell[] = [];
  const cells6: MatrixCell[] = [];
  for (const a of all) {
    // the row node's peers a cell judged (found by the column node's key, or holding its subnet under another)
    const judged = { v4: new Set<string>(), v6: new Set<string>() };
    for (const b of all) {
      if (a === b) continue;
      if (a.dev.v4 && b.dev.v4) cells.push(pair(a, b, 'v4', judged.v4));
      if (a.dev.v6 && b.dev.v6) cells6.push(pair(a, b, 'v6', judged.v6));
    }
    for (const family of ['v4', 'v6'] as const) stale(a, all, family, judged[family]);
  }
  return { cells, cells6 };
}

/**
 * A's peers of no node: doctor's WG_STALE_PEER (no current lease holds the key, stalePeers) less the peers whose key
 * is another collected node's own or that a cell judged. A row note on A's diagonal, with doctor's evidence and fix;
 * when the leases given cannot tell (none: the directory may not hold every node), unverified on A.
 */
function stale(a: WgNode, all: WgNode[], family: Family, judged: Set<string>): void {
  const side = a.dev[family];
  if (side?.kind !== 'device') return;
  const dev = side.dev;
  const collected = new Set<string>();
  for (const b of all) {
    const d = b.dev[family];
    if (b !== a && d?.kind === 'device' && d.dev.publicKey) collected.add(d.dev.publicKey);
  }
  const s = stalePeers(a.ctx, dev, family);
  const peers = s.peers.filter((p) => !collected.has(p.publicKey) && !judged.has(p.publicKey));
  if (!peers.length) return;
  const name = a.node.name;
  if (s.open) {
    a.node.unverified = [...(a.node.unverified ?? []), `${name}'s ${dev.name}: ${peers.length} peer(s) whose key no collected node holds, a departed node's (WG_STALE_PEER) or one not in the directory: ${s.open}`];
    return;
  }
  const problems = family === 'v6' ? (a.node.problems6 ??= []) : a.node.problems;
  for (const p of peers) {
    const t = stalePeerText(dev.name, p);
    problems.push({ code: 'WG_STALE_PEER', label: 'stale peer', summary: `${name}: ${t.summary}`, evidence: t.evidence, fix: t.fix });
  }
}

function wgNode(s: Snapshot, node: MatrixNode, ctx: CheckContext): WgNode {
  const own = ctx.leases?.local;
  const n: WgNode = { node, ctx, dev: {}, subnet: {}, ip: {} };
  node.backend = 'wireguard';
  const open: string[] = [];
  const step = s.commands.find((c) => c.name === 'wg-dump');
  const families: Family[] = [...(ctx.v6Only ? [] : ['v4' as const]), ...(runsV6(s, ctx) ? ['v6' as const] : [])];
  for (const family of families) {
    const name = wgDeviceOf(family);
    const mode = wgMode(ctx.netConf);
    const dev = s.wireguard.find((d) => d.name === name);
    const problems = family === 'v6' ? (node.problems6 = []) : node.problems;
    if (family === 'v6' && mode !== undefined && mode !== 'separate') {
      n.dev.v6 = { kind: 'open', why: `${node.name}'s IPv6 peers: net-conf Backend Mode ${mode} puts them on flannel-wg with the IPv4 ones, which flanctl judges for Mode separate only: compare \`wg show flannel-wg dump\` on each node with the others' keys by hand` };
    } else if (dev) {
      n.dev[family] = { kind: 'device', dev };
      const facts: WgFacts = { dev: dev.name, ...(dev.publicKey ? { publicKey: dev.publicKey } : {}), listenPort: dev.listenPort };
      if (family === 'v6') node.wg6 = facts;
      else node.wg = facts;
      const state = own ? wgOwnDeviceState(dev, own, family) : undefined;
      if (own && state) for (const code of state.problems) problems.push(ownProblem(node.name, dev, own, state.half, state.port, code));
    } else if (!step?.ok) {
      n.dev[family] = { kind: 'open', why: `${node.name}'s ${name} (its key, port and peers): no wg show all dump output in the data given${step?.error ? ` (${step.error})` : ''}: ${PASTE_DUMP}` };
    } else if (family === 'v6' && mode === undefined) {
      n.dev.v6 = { kind: 'open', why: `${node.name}'s ${name} is not in its wg show all dump: whether flanneld runs Mode separate (a device of its own for IPv6) or auto (IPv6 peers on flannel-wg) was not in the data given: give net-conf (--kube, --etcd)` };
    } else {
      n.dev[family] = { kind: 'missing' };
      problems.push({ code: 'WG_DEVICE_MISSING', label: `no ${name}`, summary: `${node.name}: ${name} is not a WireGuard device there: no ${family === 'v6' ? 'IPv6 ' : ''}overlay traffic leaves or enters it`, evidence: [`wg show all dump on ${node.name}: no ${name}`] });
    }
    const d = n.dev[family];
    if (d?.kind === 'open') open.push(d.why);
    const subnet = family === 'v6' ? subnet6Of(s, own) : node.subnet;
    if (subnet) n.subnet[family] = subnet;
    const ip = family === 'v6' ? (own?.publicIpv6 ?? underlayIp(s, family)) : (own?.publicIp ?? underlayIp(s, family));
    if (ip) n.ip[family] = ip;
  }
  if (open.length) node.unverified = [...(node.unverified ?? []), ...open];
  return n;
}

/** This node runs IPv6: its flannel-wg-v6, net-conf, its own lease or subnet.env say so. */
function runsV6(s: Snapshot, ctx: CheckContext): boolean {
  if (ctx.v6Only || ctx.netConf?.EnableIPv6 === true || s.subnetEnv?.ipv6Subnet !== undefined) return true;
  if (s.wireguard.some((d) => d.name === wgDeviceOf('v6'))) return true;
  return ctx.leases?.local?.subnet6 !== undefined;
}

/** The node's one global address of the family on an underlay device (none or several: unknown). */
function underlayIp(s: Snapshot, family: Family): string | undefined {
  const mine = s.addresses.filter((a) => a.family === (family === 'v6' ? 'inet6' : 'inet') && a.scope !== 'host' && a.scope !== 'link' && !/^(lo|flannel|cni|docker|veth|kube-ipvs)/.test(a.dev));
  const ips = [...new Set(mine.map((a) => (family === 'v6' ? normalizeIPv6(a.local) : a.local)))];
  return ips.length === 1 ? ips[0] : undefined;
}

function ownProblem(name: string, dev: WgDevice, own: Lease, half: WgHalf, port: number, code: 'WG_KEY_MISMATCH' | 'WG_PORT_MISMATCH'): CellProblem {
  const data = dev.name === wgDeviceOf('v6') ? 'backend-v6-data' : 'backend-data';
  const lease = `lease ${own.node ?? half.subnet}: ${data} PublicKey ${half.key ?? '(none)'} Port ${half.port ?? `(none: ${port})`}${own.source ? ` (${own.source})` : ''}`;
  if (code === 'WG_KEY_MISMATCH') {
    return { code, label: LABELS[code], summary: `${name}: ${dev.name} has public key ${dev.publicKey ?? '(none)'}, its lease announces ${half.key}: peers programmed from the lease encrypt to a key it does not hold`, evidence: [lease, `wg show ${dev.name}: public key ${dev.publicKey ?? '(none)'} (on ${name})`] };
  }
  return { code, label: LABELS[code], summary: `${name}: ${dev.name} listens on ${dev.listenPort}, its lease announces ${port}: peers programmed from the lease send elsewhere`, evidence: [lease, `wg show ${dev.name}: listening port ${dev.listenPort} (on ${name})`] };
}

/** A's peer for B on the family's device, against B's real key and port, B's public IP and subnet. */
function pair(a: WgNode, b: WgNode, family: Family, judged: Set<string>): MatrixCell {
  const cell: MatrixCell = { from: a.node.name, to: b.node.name, ok: true, path: 'wireguard', problems: [], ...(family === 'v6' ? { family: 'v6' as const } : {}) };
  const as = a.dev[family];
  const bs = b.dev[family];
  // the row node's dump not read (or its IPv6 peers in a Mode not judged): its peers are open, said once on the node
  if (!as || as.kind === 'open') return { ...cell, unverified: ['wireguard'] };
  // the row node has no device: its own problem (the diagonal), no peer of it can work
  if (as.kind === 'missing') return { ...cell, ok: false };
  const ad = as.dev;
  const bd = bs?.kind === 'device' ? bs.dev : undefined;
  const subnet = b.subnet[family];
  const ip = b.ip[family];
  if (!bd?.publicKey || !subnet || !ip) return { ...cell, unverified: ['peer'] };
  // B as a lease whose key and port are its device's own
  const lease: Lease = family === 'v6'
    ? { node: b.node.name, subnet6: subnet, publicIpv6: ip, backendType: 'wireguard', publicKey6: bd.publicKey, wgPort6: bd.listenPort }
    : { node: b.node.name, subnet, publicIp: ip, backendType: 'wireguard', publicKey: bd.publicKey, wgPort: bd.listenPort };
  const state = wireguardPeerState(ad, lease, family);
  if (!state) return { ...cell, unverified: ['peer'] };
  if (state.peer) judged.add(state.peer.publicKey);
  const half: WgHalf = { key: bd.publicKey, port: bd.listenPort, ip, subnet };
  const want = wantEndpoint(half, ad, family);
  const endpointOpen = wgEndpointOpen(wgMode(a.ctx.netConf), family);
  const theirs = `${bd.name} public key ${bd.publicKey} listening port ${bd.listenPort} (on ${b.node.name})`;
  const seen = state.peer ? wgPeerLine(ad.name, state.peer) : `wg show ${ad.name}: no peer ${bd.publicKey} (on ${a.node.name})`;
  const fix = ['wg', 'set', ad.name, 'peer', bd.publicKey, 'endpoint', want.text, 'allowed-ips', subnet];
  const v6 = family === 'v6' ? ', IPv6' : '';
  for (const p of state.problems) {
    if (p.code === 'WG_ENDPOINT_MISMATCH' && endpointOpen) {
      cell.unverified = ['endpoint'];
      continue;
    }
    const summary = {
      WG_PEER_MISSING: `${ad.name} has no peer with ${b.node.name}'s public key ${bd.publicKey}`,
      WG_PEER_KEY_MISMATCH: `the ${ad.name} peer for ${subnet} has key ${state.peer?.publicKey}, ${b.node.name}'s ${bd.name} has ${bd.publicKey}: no handshake can succeed`,
      WG_ENDPOINT_MISMATCH: `${ad.name} peer ${b.node.name} has endpoint ${state.peer?.endpoint ?? '(none)'}, ${b.node.name} listens at ${want.text}`,
      WG_ALLOWED_IPS_MISMATCH: `${ad.name} peer ${b.node.name} has allowed-ips ${state.peer?.allowedIps.join(',') || '(none)'}, not ${b.node.name}'s subnet ${subnet}`,
    }[p.code];
    cell.ok = false;
    cell.problems.push({ code: p.code, label: LABELS[p.code], summary: `${a.node.name}: ${summary} (${b.node.name}${v6})`, evidence: [seen, theirs], fix });
  }
  return cell;
}
