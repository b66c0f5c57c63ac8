// The wireguard hops of a trace: route -> flannel-wg -> the peer whose allowed-ips hold the destination (as the
// kernel picks it) -> its endpoint, the target node. Compared with the destination's lease when one is given.
import type { Route } from '../model/index.js';
import { cidrContains6 } from '../model/ipv6.js';
import { cidrContains } from '../model/net.js';
import type { WgDevice, WgPeer } from '../model/wireguard.js';
import { wgPeerLine } from './checks/evidence.js';
import { wireguardPeerState } from './peer-state.js';
import { formatRoute } from './route-lookup.js';
import type { NodeIndex } from './trace-index.js';
import { leaseAt, v4Lease } from './trace-overlay.js';
import { hop, type Problem, type TraceContext, type WalkResult } from './trace-types.js';

/** undefined when the snapshot has no `wg show` data for the device: the caller stops at the route then. */
export function wireguardWalk(ctx: TraceContext, node: NodeIndex, dst: string, route: Route, reason: string): WalkResult | undefined {
  const dev = route.dev!;
  const wg = node.snap.wireguard.find((d) => d.name === dev);
  if (!wg) return undefined;
  const hops = [hop('route', node, dev, `${formatRoute(route)} (${reason})`)];
  // flannel-wg carries the IPv4 leases (a v6-only lease's peer is flannel-wg-v6's)
  const lease = v4Lease(leaseAt(ctx, node, dst));
  const peer = peerFor(wg, dst);
  if (!peer) {
    // the lease's own peer may exist with the wrong allowed-ips: name it
    const judged = lease?.publicKey ? wireguardPeerState(wg, lease) : undefined;
    const problems: Problem[] = judged?.problems.length ? judged.problems : [{ code: 'WG_PEER_MISSING', text: `no peer of ${dev} has ${dst} in its allowed-ips: the kernel drops it (ENOKEY)` }];
    hops.push(hop('wg-peer', node, dev, judged?.peer ? wgPeerLine(dev, judged.peer) : '', problems));
    const target = lease ? { ip: lease.publicIp, name: lease.node, subnet: lease.subnet } : undefined;
    return { backend: 'wireguard', podTraffic: true, via: dev, target, hops };
  }
  const problems: Problem[] = lease?.publicKey ? wireguardPeerState(wg, lease).problems : [];
  hops.push(hop('wg-peer', node, dev, wgPeerLine(dev, peer), problems));
  const ip = peer.endpointIp ?? lease?.publicIp;
  const subnet = lease?.subnet ?? peer.allowedIps.find((a) => a.includes('.'));
  const target = ip ? { ip, name: lease?.node, subnet } : undefined;
  if (ip) hops.push(hop('node', node, ip, `node ${lease?.node ?? ip}${peer.latestHandshake === 0 ? ' (no handshake yet: nothing has been received from it)' : ''}`));
  return { backend: 'wireguard', podTraffic: true, via: dev, target, hops };
}

/** The peer whose allowed-ips hold `ip` (longest prefix, either family: flannel-wg-v6's are IPv6), as the kernel picks it. */
function peerFor(dev: WgDevice, ip: string): WgPeer | undefined {
  let best: { peer: WgPeer; len: number } | undefined;
  for (const p of dev.peers)
    for (const a of p.allowedIps) {
      const len = Number(a.split('/')[1]);
      if ((a.includes(':') ? cidrContains6(a, ip) : cidrContains(a, ip)) && (!best || len > best.len)) best = { peer: p, len };
    }
  return best?.peer;
}
