// The wireguard hops of a trace: route -> flannel-wg -> the peer whose allowed-ips hold the destination (as the
// kernel picks it) -> its endpoint, the target node; flannel-wg-v6 the same for an IPv6 destination. Compared with
// the destination's lease when one is given, by the evaluator doctor uses (peer-state.ts wireguardPeerState).
import type { Route } from '../model/index.js';
import { cidrContains6 } from '../model/ipv6.js';
import { cidrContains } from '../model/net.js';
import type { WgDevice, WgPeer } from '../model/wireguard.js';
import { wgPeerLine } from './checks/evidence.js';
import { type Family, wgDeviceOf, wgEndpointOpen, wgHalf, wgMode, wireguardPeerState } from './peer-state.js';
import { formatRoute } from './route-lookup.js';
import { isV6, type NodeIndex } from './trace-index.js';
import { leaseAt } from './trace-overlay.js';
import { hop, type Problem, type TraceContext, unverifiedHop, type WalkResult } from './trace-types.js';

/** undefined when the snapshot has no `wg show` data for the device: the caller stops at the route then. */
export function wireguardWalk(ctx: TraceContext, node: NodeIndex, dst: string, route: Route, reason: string): WalkResult | undefined {
  const dev = route.dev!;
  const wg = node.snap.wireguard.find((d) => d.name === dev);
  if (!wg) return undefined;
  const hops = [hop('route', node, dev, `${formatRoute(route)} (${reason})`)];
  // Mode separate: flannel-wg carries the leases' IPv4 halves, flannel-wg-v6 their IPv6 halves (peer-state.ts); a
  // destination on a device not its family's (Modes auto/ipv4/ipv6) is not judged against the lease
  const family: Family = isV6(dst) ? 'v6' : 'v4';
  const lease = dev === wgDeviceOf(family) ? leaseAt(ctx, node, dst) : undefined;
  const half = lease && wgHalf(lease, family);
  const judged = lease ? wireguardPeerState(wg, lease, family) : undefined;
  const peer = peerFor(wg, dst);
  if (!peer) {
    // the lease's own peer may exist with the wrong allowed-ips: name it
    const problems: Problem[] = judged?.problems.length ? judged.problems : [{ code: 'WG_PEER_MISSING', text: `no peer of ${dev} has ${dst} in its allowed-ips: the kernel drops it (ENOKEY)` }];
    hops.push(hop('wg-peer', node, dev, judged?.peer ? wgPeerLine(dev, judged.peer) : '', problems));
    const target = half ? { ip: half.ip, name: lease?.node, subnet: half.subnet } : undefined;
    return { backend: 'wireguard', podTraffic: true, via: dev, target, hops };
  }
  // Modes auto/ipv6 pick each peer's endpoint from either family: not judged, said (as doctor says it)
  const open = wgEndpointOpen(wgMode(ctx.netConf), family);
  const problems = (judged?.problems ?? []).filter((p) => !(open && p.code === 'WG_ENDPOINT_MISMATCH'));
  const openNow = open && problems.length < (judged?.problems.length ?? 0);
  hops.push(openNow && !problems.length ? unverifiedHop('wg-peer', node, dev, wgPeerLine(dev, peer), open) : hop('wg-peer', node, dev, wgPeerLine(dev, peer), problems));
  const ip = peer.endpointIp ?? half?.ip;
  const subnet = half?.subnet ?? peer.allowedIps.find((a) => (family === 'v6' ? a.includes(':') : a.includes('.')));
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
