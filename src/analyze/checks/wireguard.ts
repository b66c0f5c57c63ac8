// The wireguard backend's per-peer state (reference §1.5): every remote lease's PublicKey / endpoint / subnet as a
// peer of flannel-wg, and this node's own key and port as its lease announces them. Repair does not program peers.
import type { Finding } from '../../model/finding.js';
import { hasV4, hasV6, leaseName } from '../../model/lease.js';
import { WG_DEFAULT_PORT, WG_DEVICE, wantEndpoint, wireguardPeerState } from '../peer-state.js';
import { nodeAddressesShown, PASTE } from '../collected.js';
import { remoteLeases } from './context.js';
import { leaseLine, wgPeerLine } from './evidence.js';
import { type Check, finding } from './finding.js';

const FIX = 'restart flanneld on this node (it re-adds every peer from the leases); flanctl repair does not program WireGuard peers';

export const wireguardCheck: Check = {
  name: 'wireguard peers',
  run(ctx) {
    if (ctx.backend !== 'wireguard') return ctx.backend ? [] : { skipped: 'backend unknown' };
    // an IPv6-only node has no flannel-wg (flanneld makes flannel-wg-v6 alone): nothing here applies, and its IPv6
    // peers are not judged
    if (ctx.v6Only) return { findings: [], unverified: [notJudgedV6] };
    const step = ctx.snapshot.commands.find((c) => c.name === 'wg-dump');
    const dev = ctx.snapshot.wireguard.find((d) => d.name === WG_DEVICE);
    if (!dev) {
      // not read: the device, its keys and peers are open, never a finding
      if (!step?.ok) return { findings: [], unverified: [`${WG_DEVICE}'s keys and peers: no wg show all dump output in the data given${step?.error ? ` (${step.error})` : ''}: paste \`wg show all dump\` (as wg-dump.txt)`] };
      return [finding(ctx, 'WG_DEVICE_MISSING', `${WG_DEVICE} is not a WireGuard device here: no overlay traffic leaves or enters this node`, [`wg show all dump: no ${WG_DEVICE}`], FIX)];
    }
    const out: Finding[] = [];
    const own = ctx.leases?.local;
    if (own?.publicKey && dev.publicKey !== own.publicKey) {
      out.push(finding(ctx, 'WG_KEY_MISMATCH', `${WG_DEVICE} has public key ${dev.publicKey ?? '(none)'}, this node's lease announces ${own.publicKey}: every peer encrypts to a key this device does not hold`, [leaseLine(own), `wg show ${WG_DEVICE}: public key ${dev.publicKey ?? '(none)'}`], FIX));
    }
    if (own && dev.listenPort !== (own.wgPort ?? WG_DEFAULT_PORT)) {
      out.push(finding(ctx, 'WG_PORT_MISMATCH', `${WG_DEVICE} listens on ${dev.listenPort}, this node's lease announces ${own.wgPort ?? WG_DEFAULT_PORT}: peers send elsewhere`, [leaseLine(own), `wg show ${WG_DEVICE}: listening port ${dev.listenPort}`], FIX));
    }
    // no leases: the peers cannot be judged, which is said when there are peers to judge
    if (!ctx.leases) return { findings: out, unverified: dev.peers.length ? [`${WG_DEVICE}'s ${dev.peers.length} peer(s) against the leases: give --nodes FILE (\`kubectl get nodes -o yaml\`), --kube or --etcd`] : [] };
    // this node's own lease not recognised (its addresses not given): the one announcing flannel-wg's own key is it;
    // failing that any lease may be it, and a peer missing for it proves nothing
    const byKey = !ctx.leases.local && dev.publicKey ? remoteLeases(ctx).find((l) => l.publicKey === dev.publicKey) : undefined;
    const leases = remoteLeases(ctx).filter((l) => l !== byKey);
    const ownOpen = !ctx.leases.local && !byKey && !nodeAddressesShown(ctx.snapshot);
    const unverified = new Set<string>();
    // a peer already named as carrying another node's subnet under a wrong key is not reported again as stale
    const judged = new Set<string>();
    for (const lease of leases) {
      // flannel-wg carries the IPv4 leases; a v6-only lease's peer is on flannel-wg-v6 (Mode separate)
      if (!hasV4(lease)) continue;
      if (!lease.publicKey) {
        out.push(finding(ctx, 'LEASE_NO_PUBLIC_KEY', `lease ${leaseName(lease)} has no PublicKey: this node cannot program it`, [leaseLine(lease)]));
        continue;
      }
      const { peer, problems } = wireguardPeerState(dev, lease);
      if (peer) judged.add(peer.publicKey);
      const ev = [leaseLine(lease), ...(peer ? [wgPeerLine(WG_DEVICE, peer)] : [`wg show ${WG_DEVICE}: no peer ${lease.publicKey}`])];
      const want = wantEndpoint(lease, dev);
      const fix = `wg set ${WG_DEVICE} peer ${lease.publicKey} endpoint ${want.ip}:${want.port} allowed-ips ${lease.subnet} (or ${FIX})`;
      for (const p of problems) {
        if (p.code === 'WG_PEER_MISSING' && ownOpen) unverified.add(`whether lease ${lease.node ?? lease.subnet} is this node's own (flannel adds no peer for it) was not in the data given: paste \`${PASTE.addresses}\` (or name the node with --node)`);
        else out.push(finding(ctx, p.code, p.text, ev, fix));
      }
    }
    const keys = new Set(leases.map((l) => l.publicKey));
    for (const p of dev.peers) {
      if (!keys.has(p.publicKey) && !judged.has(p.publicKey)) out.push(finding(ctx, 'WG_STALE_PEER', `peer ${p.publicKey} of ${WG_DEVICE} belongs to no current lease (departed node, or a key that changed)`, [wgPeerLine(WG_DEVICE, p)], `wg set ${WG_DEVICE} peer ${p.publicKey} remove`));
    }
    // IPv6 WireGuard (flannel-wg-v6, the leases' backend-v6-data keys) is not judged here: said, never passed over
    const v6Dev = ctx.snapshot.wireguard.find((d) => d.name === WG_DEVICE_V6);
    if (v6Dev || leases.some(hasV6)) unverified.add(notJudgedV6);
    return { findings: out, unverified: [...unverified] };
  },
};

const WG_DEVICE_V6 = 'flannel-wg-v6';
const notJudgedV6 = `${WG_DEVICE_V6}'s peers against the leases' IPv6 halves: flanctl does not judge IPv6 WireGuard yet; compare \`wg show ${WG_DEVICE_V6} dump\` with each lease's backend-v6-data PublicKey, public-ipv6 and IPv6 podCIDR by hand`;
