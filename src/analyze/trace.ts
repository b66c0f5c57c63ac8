// flanctl trace: follow an IP from the first snapshot's node hop by hop, the way the kernel forwards it,
// and — when the target node's snapshot is given too — on to the destination pod's veth and back.
import type { DesiredState, Route, Snapshot } from '../model/index.js';
import { cidrContains6, normalizeIPv6 } from '../model/ipv6.js';
import { cidrContains, isIPv4 } from '../model/net.js';
import { UsageError } from '../errors.js';
import { collected, filtersOf, PASTE } from './collected.js';
import { formatRoute, isDefaultRoute } from './route-lookup.js';
import { halfOf, indexLeases, indexNode, isBridgeDev, isV6, isIpipDev, isVxlanDev, nodeIpOf, ownLease, type NodeIndex } from './trace-index.js';
import { bridgeWalk, vethRouteWalk } from './trace-local.js';
import { dropRouteCode, firstHost, hostGwWalk, leaseAt, peerHops, peerStateOf, ipipWalk, podBridge, vxlanDeviceHop, vxlanWalk } from './trace-overlay.js';
import { hop, type Problem, type TraceContext, type TraceResult, unverifiedHop, verdictOf, type WalkResult } from './trace-types.js';
import { wireguardWalk } from './trace-wireguard.js';
import { hiddenGateway } from './peer-state.js';

export type { TraceHop, TraceResult } from './trace-types.js';

export interface TraceOptions {
  desired?: DesiredState;
}

/** Bad input fails before any state is collected. Returns the address as trace follows it (IPv6 in RFC 5952 form). */
export function checkDestination(destination: string): string {
  if (isIPv4(destination)) return destination;
  const v6 = destination.includes(':') ? normalizeIPv6(destination) : undefined;
  if (v6 === undefined) throw new UsageError(`not an IPv4 or IPv6 address: ${JSON.stringify(destination)}`, 'trace takes a pod IP, e.g. 10.244.3.7 or fd00:10:244:3::7');
  return v6;
}

export function trace(snapshots: Snapshot[], ip: string, opts: TraceOptions = {}): TraceResult {
  const destination = checkDestination(ip);
  if (snapshots.length === 0) throw new UsageError('no node state to trace through');
  const ctx = buildContext(snapshots, opts.desired);
  const src = ctx.nodes[0];
  const walk = walkFrom(ctx, src, destination);
  const hops = [...walk.hops];
  let reverse: TraceResult['reverse'];

  // across nodes: continue on the target node's own snapshot, then check the way back
  const remote = walk.target && walk.backend !== 'local' ? ctx.byIp.get(walk.target.ip) : undefined;
  if (remote && remote !== src) {
    hops.push(hop('arrive', remote, walk.via ?? '?', `decapsulated on node ${remote.name} (${walk.target!.ip})`));
    const there = walkFrom(ctx, remote, destination);
    if (there.backend !== 'local' && there.podTraffic) {
      hops.push(hop('route', remote, there.via ?? '?', `node ${remote.name} does not deliver ${destination} locally`, [{ code: 'ROUTE_WRONG_DEV', text: `it forwards to ${there.via ?? '?'} (${there.backend}): the pod is not on the node the source sent it to` }]));
    } else hops.push(...there.hops);
    reverse = reversePath(ctx, src, remote, isV6(destination));
  }
  const problems = hops.filter((h) => h.ok === false).flatMap((h) => h.problems ?? [h.problem!]);
  const ok = verdictOf([...hops, ...(reverse?.hops ?? [])]);
  const result: TraceResult = {
    destination,
    ok,
    backend: walk.backend,
    family: isV6(destination) ? 'v6' : 'v4',
    summary: '',
    sourceNode: src.name,
    podTraffic: walk.podTraffic,
    directRouting: walk.directRouting,
    route: walk.route,
    targetNode: walk.target,
    hops,
    reverse,
    problems: [...problems, ...(reverse?.hops.filter((h) => h.ok === false).flatMap((h) => h.problems ?? [h.problem!]) ?? [])],
  };
  result.summary = summarize(result, walk);
  return result;
}

function buildContext(snapshots: Snapshot[], desired: DesiredState | undefined): TraceContext {
  const nodes = snapshots.map(indexNode);
  const leases = indexLeases(desired);
  const byIp = new Map<string, NodeIndex>();
  const ambiguous = new Set<string>();
  for (const n of nodes) {
    // a tunnel's `local` names the node IP even when the saved outputs have no address list
    const ips = new Map([...n.addressDev, ...n.addressDev6]);
    for (const l of n.snap.links) {
      if ((l.kind !== 'vxlan' && l.kind !== 'ipip') || !l.local) continue;
      const local = isV6(l.local) ? normalizeIPv6(l.local) : l.local;
      if (local && !ips.has(local)) ips.set(local, l.name);
    }
    for (const [ip, dev] of ips) {
      // docker0's 172.17.0.1 and loopbacks repeat on every node: they identify none
      if (ip.startsWith('127.') || ambiguous.has(ip) || dev === 'lo') continue;
      if (byIp.has(ip) && byIp.get(ip) !== n) {
        byIp.delete(ip);
        ambiguous.add(ip);
      } else byIp.set(ip, n);
    }
  }
  return { nodes, byIp, leases, netConf: desired?.netConf };
}

/** The flannel Network of the destination's family: FLANNEL_NETWORK (FLANNEL_IPV6_NETWORK), else net-conf.json's. */
function podNetwork(ctx: TraceContext, node: NodeIndex, v6: boolean): string | undefined {
  return v6 ? (node.snap.subnetEnv?.ipv6Network ?? ctx.netConf?.IPv6Network) : (node.snap.subnetEnv?.network ?? ctx.netConf?.Network);
}

const inNetwork = (network: string, ip: string): boolean => (isV6(ip) ? cidrContains6(network, ip) : cidrContains(network, ip));

/** The backend flannel is configured with: the destination's lease, net-conf, then the devices present. */
function expectedBackend(ctx: TraceContext, node: NodeIndex, dst: string): string | undefined {
  const t = leaseAt(ctx, node, dst)?.backendType ?? ctx.netConf?.Backend?.Type;
  if (t) return t.toLowerCase();
  if (node.snap.links.some((l) => isVxlanDev(node, l.name) && l.name.startsWith('flannel'))) return 'vxlan';
  if (node.links.has('flannel.ipip')) return 'ipip';
  return undefined;
}

function walkFrom(ctx: TraceContext, node: NodeIndex, dst: string): WalkResult {
  const m = node.routes.lookup(dst);
  const v6 = isV6(dst);
  const network = podNetwork(ctx, node, v6);
  const lease = leaseAt(ctx, node, dst);
  const inPodNetwork = lease !== undefined || (network !== undefined && inNetwork(network, dst));
  if (m.kind === 'local') {
    const dev = m.address!.dev;
    return { backend: 'none', podTraffic: false, route: { reason: m.reason }, via: dev, hops: [hop('route', node, dev, m.reason)], note: `${dst} is an address of node ${node.name} itself (dev ${dev})` };
  }
  // a paste without the route table (an `arp` line, a `bridge fdb`) cannot say where the packet goes
  // `ip route` shows no IPv6 route: an IPv6 destination needs `ip -6 route`
  const table = v6 ? 'routes6' : 'routes';
  if (!collected(node.snap, table)) {
    const missing = `${node.name}'s ${v6 ? 'IPv6 ' : ''}route table was not in the data given: paste \`${PASTE[table]}\``;
    return { backend: 'unknown', podTraffic: inPodNetwork, route: { reason: 'no route table' }, hops: [unverifiedHop('route', node, '?', '', missing)] };
  }
  const route = m.route;
  if (!route || (isDefaultRoute(route) && inPodNetwork)) {
    // a grep'd route table (`ip route | grep flannel`) may have left out the route that covers it
    const filters = filtersOf(node.snap, table);
    if (filters) {
      const missing = `only a filtered route table was given (${filters.join('; ')}): the route covering ${dst} may not be in it: paste \`${PASTE[table]}\``;
      return { backend: 'unknown', podTraffic: inPodNetwork, route: { matched: route ? formatRoute(route) : undefined, reason: 'filtered route table' }, hops: [unverifiedHop('route', node, route?.dev ?? '?', route ? formatRoute(route) : '', missing)] };
    }
    return noRoute(ctx, node, dst, route, network);
  }
  const r = { matched: formatRoute(route), reason: m.reason };
  const dev = route.dev ?? '';
  if (['blackhole', 'unreachable', 'prohibit'].includes(route.type)) {
    return { backend: 'unknown', podTraffic: inPodNetwork, route: r, hops: [hop('route', node, dev || route.type, `${r.matched} (${m.reason})`, [{ code: dropRouteCode(route.type), text: `a ${route.type} route drops the packet` }])] };
  }
  // wireguard (flannel-wg) and udp (flannel0) keep their per-peer state outside the tables trace reads
  if (dev && (node.links.get(dev)?.kind === 'wireguard' || /^flannel(-wg(-v6)?|0)$/.test(dev))) {
    const wg = wireguardWalk(ctx, node, dst, route, m.reason);
    if (wg) return { ...wg, route: r };
    if (dev !== 'flannel0') {
      // the peer that carries it is only in `wg show`: without it that hop is unverified, not passed over
      const missing = `${dev}'s peers were not in the data given: paste \`wg show all dump\``;
      return { backend: 'wireguard', podTraffic: true, route: r, via: dev, hops: [hop('route', node, dev, `${r.matched} (${m.reason})`), unverifiedHop('wg-peer', node, dev, '', missing)] };
    }
    const detail = `${r.matched} (${m.reason}); flannel0 is flannel's udp device: flanneld forwards in userspace, no per-peer kernel state to follow`;
    return { backend: 'unknown', podTraffic: true, route: r, via: dev, hops: [hop('route', node, dev, detail)] };
  }
  let walk: WalkResult;
  // a gateway the paste hid (redacted, or a host name from `route` without -n) is still a gateway
  const viaGateway = route.gateway !== undefined || hiddenGateway(route) !== undefined;
  const wrongDev = wrongDevice(ctx, node, dst, route);
  if (dev && isVxlanDev(node, dev)) walk = vxlanWalk(ctx, node, dst, route, m.reason);
  else if (dev && isIpipDev(node, dev)) walk = ipipWalk(ctx, node, dst, route, m.reason);
  else if (dev && !viaGateway && isBridgeDev(node, dev)) walk = bridgeWalk(node, dst, route, m.reason);
  else if (dev && !viaGateway && !ownNetwork(node, route) && (node.links.get(dev)?.kind === 'veth' || /^cali/.test(dev))) walk = vethRouteWalk(node, dst, route, m.reason);
  else if (viaGateway && !isDefaultRoute(route) && inPodNetwork) {
    const directRouting = expectedBackend(ctx, node, dst) === 'vxlan';
    walk = hostGwWalk(ctx, node, dst, route, m.reason, directRouting);
  } else if (viaGateway && !isDefaultRoute(route) && network === undefined && !ctx.leases) {
    // no flannel config known: a gateway route to a /24-ish prefix is host-gw's signature
    walk = hostGwWalk(ctx, node, dst, route, m.reason, false);
  } else return notPodTraffic(ctx, node, dst, route, m.reason, inPodNetwork);
  walk.route = r;
  if (walk.backend === 'local' && !walk.target) {
    const ip = nodeIpOf(node, ctx.leases);
    if (ip) walk.target = { ip, name: node.name, subnet: route.dst };
  }
  if (wrongDev) walk.hops[0] = { ...walk.hops[0], ok: false, problem: 'ROUTE_WRONG_DEV', detail: `${walk.hops[0].detail}; ${wrongDev}` };
  return walk;
}

/** A pod's host veth carries a route to the pod, not an address: a connected route (proto kernel, a src, an address of
 * the device) on a veth is the node's own network there (the netns lab's eth0 is a veth). */
const ownNetwork = (node: NodeIndex, route: Route): boolean =>
  route.proto === 'kernel' || route.src !== undefined || node.snap.addresses.some((a) => a.dev === route.dev && (a.family === 'inet' || a.scope === 'global'));

/** A route to the wrong kind of device: a remote lease onto the pod bridge, or the node's own lease into the overlay. */
function wrongDevice(ctx: TraceContext, node: NodeIndex, dst: string, route: Route): string | undefined {
  const lease = leaseAt(ctx, node, dst);
  const own = ownLease(node, ctx.leases);
  if (!lease || !route.dev) return undefined;
  const local = own !== undefined && lease === own;
  if (local && !isBridgeDev(node, route.dev) && route.gateway) return `${dst} is in this node's own lease ${halfOf(own, isV6(dst)).subnet ?? '?'}: it belongs on the pod bridge, not ${route.dev}`;
  if (!local && own && isBridgeDev(node, route.dev)) return `${dst} belongs to ${lease.node ?? lease.publicIp ?? lease.publicIpv6} (${halfOf(lease, isV6(dst)).subnet ?? '?'}), not to this node's ${route.dev}`;
  return undefined;
}

function noRoute(ctx: TraceContext, node: NodeIndex, dst: string, route: Route | undefined, network: string | undefined): WalkResult {
  const lease = leaseAt(ctx, node, dst);
  const why = route ? `only the default route (${formatRoute(route)}) covers it` : 'no route covers it';
  // a lease's missing route is the fault doctor names for that peer (ROUTE_MISSING); NO_ROUTE when no lease is known
  const v6 = isV6(dst);
  const half = lease ? halfOf(lease, v6) : undefined;
  const ps = lease ? peerStateOf(ctx, node, lease, undefined, v6) : undefined;
  const code = ps?.route.verdict.ok === false ? ps.route.verdict.code : 'NO_ROUTE';
  const hops = [hop('route', node, route?.dev ?? '?', '', [{ code, text: `no route for ${half?.subnet ?? dst}${network ? ` in the pod network ${network}` : ''}: ${why}` }])];
  const backend = expectedBackend(ctx, node, dst);
  if (backend === 'vxlan') {
    // flannel.<VNI> for IPv4, flannel-v6.<VNI> for IPv6
    const vni = (v6 ? lease?.vni6 : undefined) ?? lease?.vni ?? ctx.netConf?.Backend?.VNI ?? 1;
    const dev = v6
      ? (ps?.route.want.dev ?? node.snap.links.find((l) => l.kind === 'vxlan' && l.name.startsWith('flannel-v6.'))?.name ?? `flannel-v6.${vni}`)
      : (node.snap.links.find((l) => l.kind === 'vxlan' && !l.name.startsWith('flannel-v6.'))?.name ?? `flannel.${vni}`);
    hops.push(vxlanDeviceHop(ctx, node, dev));
    // the rest of what flannel programs for this peer, judged as doctor judges it
    if (ps?.path === 'vxlan') hops.push(...peerHops(node, dev, ps));
  }
  const target = lease && half?.publicIp ? { ip: half.publicIp, name: lease.node, vtepMac: half.vtepMac, subnet: half.subnet } : undefined;
  const known = backend === 'vxlan' || backend === 'host-gw' || backend === 'ipip' ? backend : 'unknown';
  return { backend: known, podTraffic: true, route: { matched: route ? formatRoute(route) : undefined, reason: why }, target, hops };
}

function notPodTraffic(ctx: TraceContext, node: NodeIndex, dst: string, route: Route, reason: string, inPodNetwork: boolean): WalkResult {
  const dev = route.dev ?? '?';
  const problems: Problem[] = inPodNetwork ? [{ code: 'ROUTE_WRONG_DEV', text: `${dst} is in the pod network but is routed to ${dev}` }] : [];
  const nodeLease = ctx.leases?.byIp.get(dst);
  const service = serviceOf(node, dst);
  const what = nodeLease ? `the address of node ${nodeLease.node ?? dst}` : service ? `a Kubernetes service IP (${service})` : isDefaultRoute(route) ? 'outside the pod network, sent to the default gateway' : `on ${dev}'s network, not a pod subnet`;
  return {
    backend: 'none',
    podTraffic: inPodNetwork,
    route: { matched: formatRoute(route), reason },
    via: dev,
    hops: [hop('route', node, dev, `${formatRoute(route)} (${reason})`, problems)],
    note: `${dst} is not pod traffic: ${what}`,
  };
}

/** kube-proxy's `-d <ip>/32 ... KUBE-SVC-…` rule names the service in its comment. */
function serviceOf(node: NodeIndex, dst: string): string | undefined {
  const nat = node.snap.iptables?.tables.find((t) => t.name === 'nat');
  const rule = nat?.rules.find((r) => r.chain === 'KUBE-SERVICES' && r.args.includes(`${dst}/32`));
  return rule ? (rule.comment ?? rule.target ?? 'KUBE-SERVICES') : undefined;
}

/** Back from the target node to the source node's pod subnet: must arrive at the source node's IP. */
function reversePath(ctx: TraceContext, src: NodeIndex, remote: NodeIndex, v6: boolean): TraceResult['reverse'] {
  const bridge = podBridge(src);
  const own = ownLease(src, ctx.leases);
  // the source's pod gateway: cni0's address, its lease's first IP, or the first IP of the bridge's connected route
  const bridgeRoute = bridge ? src.snap.routes.find((r) => r.dev === bridge && !r.gateway && !isDefaultRoute(r) && isV6(r.dst) === v6) : undefined;
  const bridgeAddr = bridge ? src.snap.addresses.find((a) => a.dev === bridge && (v6 ? a.family === 'inet6' && a.scope === 'global' : a.family === 'inet'))?.local : undefined;
  const ownSubnet = own ? halfOf(own, v6).subnet : undefined;
  const back = (bridgeAddr && v6 ? normalizeIPv6(bridgeAddr) : bridgeAddr) ?? (ownSubnet ? firstHost(ownSubnet) : undefined) ?? (bridgeRoute ? firstHost(bridgeRoute.dst) : undefined);
  if (!back) return undefined;
  const walk = walkFrom(ctx, remote, back);
  const hops = walk.hops;
  const srcIp = (v6 ? own?.publicIpv6 : nodeIpOf(src, ctx.leases)) ?? [...(v6 ? src.addressDev6 : src.addressDev).keys()].find((ip) => ctx.byIp.get(ip) === src);
  if (walk.target && srcIp && walk.target.ip !== srcIp && ctx.byIp.get(walk.target.ip) !== src) {
    hops.push(hop('node', remote, walk.target.ip, '', [{ code: 'REVERSE_PATH_MISMATCH', text: `replies to ${back} go to ${walk.target.ip}, not to node ${src.name}${srcIp ? ` (${srcIp})` : ''}` }]));
  }
  return { ok: verdictOf(hops), destination: back, hops };
}

function summarize(r: TraceResult, walk: WalkResult): string {
  const bad = r.hops.find((h) => h.ok === false) ?? r.reverse?.hops.find((h) => h.ok === false);
  const unknown = r.hops.find((h) => h.ok === null) ?? r.reverse?.hops.find((h) => h.ok === null);
  if (!bad && unknown && unknown === r.hops[0]) return `${r.destination}: NOT VERIFIED at ${unknown.step} on ${unknown.node}: ${unknown.unverified}`;
  const where =
    walk.hostVeth === walk.via ? `a local pod behind host veth ${walk.hostVeth}` : `a local pod behind ${walk.via}, ${walk.hostVeth ? `host veth ${walk.hostVeth}` : 'host veth not identified (no fdb entry or pod data)'}`;
  const node = r.targetNode ? `node ${r.targetNode.ip}${r.targetNode.name && r.targetNode.name !== r.targetNode.ip ? ` (${r.targetNode.name})` : ''}` : '';
  const veth = [...r.hops].reverse().find((h) => h.step === 'veth' && h.ok && h.node !== r.sourceNode);
  const tail = veth ? `, pod veth ${veth.device} on ${veth.node}` : '';
  if (!r.podTraffic && !bad) return walk.note ?? `${r.destination} is not pod traffic`;
  if (r.backend === 'unknown' && !bad) return `${r.destination} is routed to ${walk.via ?? '?'}: a backend trace does not follow (no problem found up to there)`;
  const how = r.backend === 'local' ? `${r.destination} is ${where}` : `${r.destination} is reached via ${walk.via ?? '?'} (${r.backend}${r.directRouting ? ' DirectRouting' : ''})${node ? ` on ${node}` : ''}${tail}`;
  if (!bad && unknown) return `${how}: no problem found, but NOT VERIFIED at ${unknown.step} (${unknown.device} on ${unknown.node}): ${unknown.unverified}`;
  if (!bad) return `${how}: OK`;
  const reverse = r.hops.includes(bad) ? '' : ' on the way back';
  return `${r.destination}: BROKEN at ${bad.step} (${bad.device} on ${bad.node})${reverse}: ${bad.problem} — ${bad.detail}`;
}
