// The wireguard backend's per-peer state (reference §1.5), per family as flanneld's Mode separate programs it
// (peer-state.ts): every remote lease's IPv4 half as a peer of flannel-wg and its IPv6 half as a peer of
// flannel-wg-v6, and each device's own key and port as this node's lease announces them (backend-data /
// backend-v6-data). Repair does not program peers.
import type { Finding } from '../../model/finding.js';
import { hasV6, type Lease, leaseName } from '../../model/lease.js';
import type { WgDevice, WgPeer } from '../../model/wireguard.js';
import { type Family, WG_DEVICE_V6, wantEndpoint, wgDeviceOf, wgEndpointOpen, wgHalf, wgMode, wgOwnDeviceState, wireguardPeerState } from '../peer-state.js';
import { nodeAddressesShown, PASTE } from '../collected.js';
import { type CheckContext, remoteLeases } from './context.js';
import { leaseLine, wgPeerLine } from './evidence.js';
import { type Check, finding } from './finding.js';

const FIX = 'restart flanneld on this node (it re-adds every peer from the leases); flanctl repair does not program WireGuard peers';

type Judged = { findings: Finding[]; unverified: string[] };

export const wireguardCheck: Check = {
  name: 'wireguard peers',
  run(ctx) {
    if (ctx.backend !== 'wireguard') return ctx.backend ? [] : { skipped: 'backend unknown' };
    // an IPv6-only node has no flannel-wg (Mode separate with EnableIPv4 false makes flannel-wg-v6 alone)
    const judged: Judged[] = [];
    if (!ctx.v6Only) judged.push(judgeFamily(ctx, 'v4'));
    if (runsV6(ctx)) judged.push(judgeFamily(ctx, 'v6'));
    return { findings: judged.flatMap((j) => j.findings), unverified: [...new Set(judged.flatMap((j) => j.unverified))] };
  },
};

/** Anything says this node or its cluster runs IPv6: its flannel-wg-v6, net-conf, its own lease or the others'. */
function runsV6(ctx: CheckContext): boolean {
  if (ctx.v6Only || ctx.netConf?.EnableIPv6 === true) return true;
  if (ctx.snapshot.wireguard.some((d) => d.name === WG_DEVICE_V6)) return true;
  const own = ctx.leases?.local;
  return (own !== undefined && hasV6(own)) || remoteLeases(ctx).some(hasV6);
}

function judgeFamily(ctx: CheckContext, family: Family): Judged {
  const name = wgDeviceOf(family);
  const mode = wgMode(ctx.netConf);
  const endpointOpen = wgEndpointOpen(mode, family);
  // Modes auto/ipv4/ipv6 put the IPv6 peers on flannel-wg, endpoint chosen per peer (wireguard_network.go:217-253)
  if (family === 'v6' && mode !== undefined && mode !== 'separate') {
    return { findings: [], unverified: [`the IPv6 peers against the leases: net-conf Backend Mode ${mode} puts them on flannel-wg with the IPv4 ones, which flanctl judges for Mode separate only: compare \`wg show flannel-wg dump\` with each lease's backend-v6-data PublicKey, public-ipv6 and IPv6 podCIDR by hand`] };
  }
  const step = ctx.snapshot.commands.find((c) => c.name === 'wg-dump');
  const dev = ctx.snapshot.wireguard.find((d) => d.name === name);
  if (!dev) {
    // not read: the device, its keys and peers are open, never a finding
    if (!step?.ok) return { findings: [], unverified: [`${name}'s keys and peers: no wg show all dump output in the data given${step?.error ? ` (${step.error})` : ''}: paste \`wg show all dump\` (as wg-dump.txt)`] };
    // without net-conf the Mode is open: auto mode makes no flannel-wg-v6
    if (family === 'v6' && mode === undefined) return { findings: [], unverified: [`${name} is not in wg show all dump: whether flanneld runs Mode separate (a device of its own for IPv6) or auto (IPv6 peers on flannel-wg) was not in the data given: paste net-conf.json (\`kubectl -n kube-flannel get cm kube-flannel-cfg -o yaml\`) or give --kube / --etcd`] };
    return { findings: [finding(ctx, 'WG_DEVICE_MISSING', `${name} is not a WireGuard device here: no ${family === 'v6' ? 'IPv6 ' : ''}overlay traffic leaves or enters this node`, [`wg show all dump: no ${name}`], FIX)], unverified: [] };
  }
  const out: Finding[] = [];
  ownDevice(ctx, dev, family, out);
  // no leases: the peers cannot be judged, which is said when there are peers to judge
  if (!ctx.leases) return { findings: out, unverified: dev.peers.length ? [`${name}'s ${dev.peers.length} peer(s) against the leases: give --nodes FILE (\`kubectl get nodes -o yaml\`), --kube or --etcd`] : [] };
  // leases with no half of this family (a source that carries no backend-v6-data, or a v4-only cluster): the
  // device's peers cannot be told stale
  if (family === 'v6' && !remoteLeases(ctx).some(hasV6)) return { findings: out, unverified: dev.peers.length ? [`${name}'s ${dev.peers.length} peer(s): no lease given has an IPv6 half (podCIDRs' IPv6 entry, public-ipv6, backend-v6-data): give the nodes with their IPv6 annotations (\`kubectl get nodes -o yaml\`)`] : [] };
  // this node's own lease not recognised (its addresses not given): the one announcing the device's own key is it;
  // failing that any lease may be it, and a peer missing for it proves nothing
  const leases = peerLeases(ctx, dev, family);
  // one lease left out: it announces the device's own key
  const byKey = leases.length !== remoteLeases(ctx).length;
  const ownOpen = !ctx.leases.local && !byKey && !nodeAddressesShown(ctx.snapshot);
  const unverified = new Set<string>();
  // the peers each lease's state found, handed to stalePeers so it does not look each lease up again
  const judged = new Set<string>();
  for (const lease of leases) {
    // the device carries this family's halves only: a v6-only lease has no peer on flannel-wg, a v4-only none on flannel-wg-v6
    const half = wgHalf(lease, family);
    if (!half) continue;
    const state = wireguardPeerState(dev, lease, family);
    if (!half.key || !state) {
      out.push(finding(ctx, 'LEASE_NO_PUBLIC_KEY', `lease ${leaseName(lease)} has no ${family === 'v6' ? 'backend-v6-data ' : ''}PublicKey: this node cannot program its ${name} peer`, [halfLine(lease, family)]));
      continue;
    }
    if (state.peer) judged.add(state.peer.publicKey);
    const ev = [halfLine(lease, family), ...(state.peer ? [wgPeerLine(name, state.peer)] : [`wg show ${name}: no peer ${half.key}`])];
    const fix = `wg set ${name} peer ${half.key} endpoint ${wantEndpoint(half, dev, family).text} allowed-ips ${half.subnet} (or ${FIX})`;
    for (const p of state.problems) {
      if (p.code === 'WG_ENDPOINT_MISMATCH' && endpointOpen) unverified.add(endpointOpen);
      else if (p.code === 'WG_PEER_MISSING' && ownOpen) unverified.add(`whether lease ${lease.node ?? half.subnet} is this node's own (flannel adds no peer for it) was not in the data given: paste \`${PASTE.addresses}\` (or name the node with --node)`);
      else out.push(finding(ctx, p.code, p.text, ev, fix));
    }
  }
  const stale = stalePeers(ctx, dev, family, judged);
  if (stale.open && stale.peers.length) unverified.add(`whether ${stale.peers.length} peer(s) of ${name} belong to a current lease: ${stale.open}`);
  else for (const p of stale.peers) {
    const t = stalePeerText(name, p);
    out.push(finding(ctx, 'WG_STALE_PEER', t.summary, t.evidence, t.fix.join(' ')));
  }
  return { findings: out, unverified: [...unverified] };
}

/** The leases whose peers `dev` should hold: the remote ones, less the one announcing the device's own key when
 * this node's own lease was not recognised by its addresses (then that one is it). */
function peerLeases(ctx: CheckContext, dev: WgDevice, family: Family): Lease[] {
  const byKey = !ctx.leases?.local && dev.publicKey ? remoteLeases(ctx).find((l) => wgHalf(l, family)?.key === dev.publicKey) : undefined;
  return remoteLeases(ctx).filter((l) => l !== byKey);
}

/**
 * doctor's WG_STALE_PEER rule, which the cluster matrix applies too: `dev`'s peers that no current lease explains —
 * no lease half of the family holds the key, and none is judged as a lease's peer under another key (that is
 * WG_PEER_KEY_MISMATCH) — and, when the leases given cannot tell (none, not all the cluster's, no IPv6 half), why
 * and what to give: then they are unverified, never findings. `judged`: the peers the caller's wireguardPeerState
 * of each of these leases found (doctor has them; each lookup scans the device's peers), else looked up here.
 */
export function stalePeers(ctx: CheckContext, dev: WgDevice, family: Family, judged?: Set<string>): { peers: WgPeer[]; open?: string } {
  const leases = ctx.leases ? peerLeases(ctx, dev, family) : [];
  const keys = new Set(leases.flatMap((l) => wgHalf(l, family)?.key ?? []));
  const found = judged ?? new Set(leases.flatMap((l) => wireguardPeerState(dev, l, family)?.peer?.publicKey ?? []));
  const peers = dev.peers.filter((p) => !keys.has(p.publicKey) && !found.has(p.publicKey));
  const all = '`kubectl get nodes -o json` as --nodes FILE, or --kube / --etcd';
  if (!ctx.leases) return { peers, open: `no desired state was given: give the nodes' leases (${all})` };
  // leases from a grep or one Node object are not all the cluster's: a key none of them holds proves nothing
  if (ctx.desired?.incomplete) return { peers, open: `the desired state given is ${ctx.desired.incomplete}: give every node's lease (${all})` };
  if (family === 'v6' && !remoteLeases(ctx).some(hasV6)) return { peers, open: `no lease given has an IPv6 half (podCIDRs' IPv6 entry, public-ipv6, backend-v6-data): give the nodes with their IPv6 annotations (${all})` };
  return { peers };
}

/** A stale peer as doctor says it: summary, evidence line and the command that removes it. */
export function stalePeerText(name: string, p: WgPeer): { summary: string; evidence: string[]; fix: string[] } {
  return { summary: `peer ${p.publicKey} of ${name} belongs to no current lease (departed node, or a key that changed)`, evidence: [wgPeerLine(name, p)], fix: ['wg', 'set', name, 'peer', p.publicKey, 'remove'] };
}

/** The device's own key and listen port against this node's lease half (backend-data / backend-v6-data). */
function ownDevice(ctx: CheckContext, dev: WgDevice, family: Family, out: Finding[]): void {
  const own = ctx.leases?.local;
  const state = own && wgOwnDeviceState(dev, own, family);
  if (!own || !state) return;
  const { half, port } = state;
  const data = family === 'v6' ? 'backend-v6-data' : 'backend-data';
  if (state.problems.includes('WG_KEY_MISMATCH')) {
    out.push(finding(ctx, 'WG_KEY_MISMATCH', `${dev.name} has public key ${dev.publicKey ?? '(none)'}, this node's lease announces ${half.key}: every peer encrypts to a key this device does not hold`, [halfLine(own, family), `wg show ${dev.name}: public key ${dev.publicKey ?? '(none)'}`], FIX));
  }
  if (state.problems.includes('WG_PORT_MISMATCH')) {
    out.push(finding(ctx, 'WG_PORT_MISMATCH', `${dev.name} listens on ${dev.listenPort}, this node's lease announces ${port}${half.port === undefined ? ` (no Port in ${data}: flannel's default)` : ''}: peers send elsewhere`, [halfLine(own, family), `wg show ${dev.name}: listening port ${dev.listenPort}`], FIX));
  }
}

/** The lease in evidence: the IPv4 line as doctor prints every lease; the IPv6 half with its backend-v6-data. */
function halfLine(lease: Lease, family: Family): string {
  if (family === 'v4') return leaseLine(lease);
  const port = lease.wgPort6 !== undefined ? ` Port ${lease.wgPort6}` : '';
  return `lease ${leaseName(lease)}: ${lease.subnet6 ?? '?'} public-ipv6 ${lease.publicIpv6 ?? '?'} backend-v6-data PublicKey ${lease.publicKey6 ?? '(none)'}${port}${lease.source ? ` (${lease.source})` : ''}`;
}
