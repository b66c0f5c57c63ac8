// The remote legs of a trace: vxlan (route -> neigh -> fdb -> node IP), ipip and host-gw / DirectRouting
// (route via the node IP), then the underlay route to that node IP and the MTU chain.
// Each check mirrors what flanneld programs (reference §1.2-1.4) and names the difference it finds.
import type { Code } from '../model/codes.js';
import type { Lease, Route } from '../model/index.js';
import { hasV4, type LeaseV4 } from '../model/lease.js';
import { intToIpv4 } from '../model/net.js';
import { formatRoute, isDefaultRoute, parseCidr } from './route-lookup.js';
import { isKnownDown, VXLAN_OVERHEAD } from './link-state.js';
import { absenceProves, halfOf, isIpipDev, isV6, isVxlanDev, leaseFor, nodeIpOf, ownLease, ownsAddress, type NodeIndex } from './trace-index.js';
import { normalizeIPv6, normalizeSubnet6 } from '../model/ipv6.js';
import { collected, filtersOf, PASTE, partial, underlayAddressesShown } from './collected.js';
import { buildContext, type CheckContext } from './checks/context.js';
import { hiddenGateway, hiddenGatewayCouldBe, peerState, peerStateFor, peerState6, type PeerState } from './peer-state.js';
import { partialFdb, partialNeigh, partialTarget } from './trace-partial.js';
import { hop, type Problem, type TraceContext, type TraceHop, unverifiedHop, type WalkResult } from './trace-types.js';

/** The network address of a route's prefix (10.244.3.0/24 -> 10.244.3.0): flannel's vxlan gateway. */
export function networkAddress(cidr: string): string | undefined {
  if (isV6(cidr)) return normalizeSubnet6(cidr)?.split('/')[0];
  const p = parseCidr(cidr);
  return p ? intToIpv4(p.net) : undefined;
}

const NUD_BAD = new Map<string, Code>([
  ['FAILED', 'NEIGH_FAILED'],
  ['INCOMPLETE', 'NEIGH_INCOMPLETE'],
]);

/** A route type that matches but drops: blackhole, prohibit, unreachable (and throw, which the main table treats alike). */
export const dropRouteCode = (type: string): Code => (type === 'blackhole' ? 'ROUTE_BLACKHOLE' : type === 'prohibit' ? 'ROUTE_PROHIBIT' : 'ROUTE_UNREACHABLE');

/** A next hop (peer node, pod) the kernel could not resolve: FAILED / INCOMPLETE. */
export function badNudState(state: string[]): Problem | undefined {
  for (const s of state) {
    const code = NUD_BAD.get(s);
    if (code) return { code, text: `neighbour state ${s}: the kernel's ARP got no answer` };
  }
  return undefined;
}

export function vxlanWalk(ctx: TraceContext, node: NodeIndex, dst: string, route: Route, reason: string): WalkResult {
  const dev = route.dev!;
  const lease = leaseAt(ctx, node, dst);
  const hops: TraceHop[] = [];
  const gw = route.gateway;
  // with desired state, the peer's neigh/fdb/route are judged by peer-state, exactly as doctor judges them
  const v6 = isV6(dst);
  const ps = lease ? peerStateOf(ctx, node, lease, false, v6) : undefined;
  if (ps?.path === 'vxlan' && ps.neigh && ps.fdb) {
    const routeProblems: Problem[] = ps.route.verdict.ok === false ? [{ code: ps.route.verdict.code, text: ps.route.verdict.why }] : [];
    const v = ps.route.verdict;
    hops.push(v.ok === null ? unverifiedHop('route', node, dev, `${formatRoute(route)} (${reason})`, v.missing) : hop('route', node, dev, `${formatRoute(route)} (${reason})`, routeProblems));
    hops.push(vxlanDeviceHop(ctx, node, dev));
    hops.push(...peerHops(node, dev, ps));
    const mac = ps.neigh.want.mac;
    const targetIp = ps.fdb.want.dst;
    return vxlanTail(ctx, node, dev, dst, route, lease, mac, targetIp, hops);
  }
  // route: `<sn> via <sn>.0 dev flannel.1 onlink`
  const routeProblems: Problem[] = [];
  const expectedGw = networkAddress(route.dst);
  // a gateway the paste redacted (`via 10.xx.xx.0`) whose known octets agree is neither flannel's nor another
  const hidden = hiddenGateway(route);
  const hiddenOk = hidden !== undefined && expectedGw !== undefined && hiddenGatewayCouldBe(route, expectedGw);
  if (hidden && !hiddenOk) routeProblems.push({ code: 'ROUTE_MISMATCH', text: `gateway ${hidden}, flannel uses ${expectedGw} (the lease's network address)` });
  else if (!gw && !hidden) routeProblems.push({ code: 'ROUTE_MISMATCH', text: `flannel routes via ${expectedGw}; this route has no gateway, so the kernel ARPs on ${dev}` });
  else if (gw && gw !== expectedGw) routeProblems.push({ code: 'ROUTE_MISMATCH', text: `gateway ${gw}, flannel uses ${expectedGw} (the lease's network address)` });
  routeProblems.push(...staleRouteProblem(ctx, dst, route));
  const routeDetail = `${formatRoute(route)} (${reason})`;
  hops.push(hiddenOk && routeProblems.length === 0 ? unverifiedHop('route', node, dev, routeDetail, hiddenGatewayMissing(hidden, expectedGw)) : hop('route', node, dev, routeDetail, routeProblems));
  hops.push(vxlanDeviceHop(ctx, node, dev));

  // neigh: `<sn>.0 lladdr VtepMAC PERMANENT` on flannel.1 (behind a hidden gateway: flannel's, if the table has it)
  const gwIp = gw ?? (hiddenOk ? expectedGw! : dst);
  const n = node.neigh.get(`${dev} ${gwIp}`);
  if (!n && hidden) {
    hops.push(unverifiedHop('neigh', node, dev, `${hidden} -> ?`, `the route's gateway is ${hidden} in the data given, so its neighbour cannot be looked up: paste ${hidden.startsWith('redacted') ? `\`${PASTE.routes}\` unredacted` : '`route -n` (numeric gateways)'}`));
    return vxlanTail(ctx, node, dev, dst, route, lease, undefined, undefined, hops);
  }
  if (!collected(node.snap, 'neigh') || (!n && partial(node.snap, 'neigh', dev) && !knownDown(node, dev))) {
    hops.push(unverifiedHop('neigh', node, dev, `${gwIp} -> ?`, `${n ? 'the neighbour table was' : `a neighbour for ${gwIp} was`} not in the data given: paste \`${PASTE.neigh} dev ${dev}\``));
    return vxlanTail(ctx, node, dev, dst, route, lease, undefined, undefined, hops);
  }
  const neighProblems: Problem[] = [];
  const mac = n?.lladdr;
  if (!n) neighProblems.push({ code: 'NEIGH_MISSING', text: `no neighbour entry for ${gwIp} on ${dev}: flannel writes \`ip neigh replace ${gwIp} lladdr <VtepMAC> dev ${dev} nud permanent\`` });
  else {
    // an entry the kernel made while ARPing (INCOMPLETE/FAILED, no lladdr): flannel's entry is missing
    const unresolved = n.state.find((s) => NUD_BAD.has(s));
    if (unresolved || !mac) neighProblems.push({ code: 'NEIGH_MISSING', text: `${unresolved ? `state ${unresolved}` : 'no lladdr'}: the kernel's ARP on ${dev} got no answer, flannel's permanent entry is missing` });
    else if (n.state.length && !n.state.includes('PERMANENT')) neighProblems.push({ code: 'NEIGH_NOT_PERMANENT', text: `state ${n.state.join(',')}: the kernel ARPed, flannel's permanent entry is missing` });
  }
  // grep'd annotation lines of the target node (no whole lease): its VtepMAC against the neighbour's MAC
  const known = mac && !lease ? partialTarget(ctx, dst, mac, fdbDsts(node, dev, mac)) : undefined;
  const pn = known && mac && neighProblems.length === 0 ? partialNeigh(known, mac) : {};
  if (pn.problem) neighProblems.push(pn.problem);
  const neighDetail = n ? `${gwIp} -> ${mac ?? '(none)'} ${n.state.join(',')}`.trim() : `${gwIp} -> ?`;
  hops.push(pn.missing ? unverifiedHop('neigh', node, dev, neighDetail, pn.missing) : hop('neigh', node, dev, neighDetail, neighProblems));
  // without a MAC there is nothing to look up: the neigh hop already names the break
  if (!mac) return vxlanTail(ctx, node, dev, dst, route, lease, undefined, undefined, hops);

  // fdb: `VtepMAC dev flannel.1 dst <nodeIP> self permanent`
  const entries = (node.fdb.get(mac) ?? []).filter((f) => f.dev === dev && f.dst);
  // every entry's dst redacted (`dst 10.xx.xx.5`): the target node is not known, nor wrong
  const redacted = (node.fdb.get(mac) ?? []).find((f) => f.dev === dev && f.dst === undefined && f.dstRedacted !== undefined);
  if (entries.length === 0 && redacted) {
    hops.push(unverifiedHop('fdb', node, dev, `${mac} dst ${String(redacted.dstRedacted)}`, `the fdb entry's dst is redacted (${String(redacted.dstRedacted)}) in the data given: paste \`${PASTE.fdb} dev ${dev}\` unredacted`));
    return vxlanTail(ctx, node, dev, dst, route, lease, mac, undefined, hops);
  }
  if (!collected(node.snap, 'fdb') || (entries.length === 0 && partial(node.snap, 'fdb', dev))) {
    hops.push(unverifiedHop('fdb', node, dev, `${mac} -> ?`, `${entries.length ? 'the fdb table was' : `an fdb entry for ${mac} was`} not in the data given: paste \`${PASTE.fdb} dev ${dev}\``));
    return vxlanTail(ctx, node, dev, dst, route, lease, mac, undefined, hops);
  }
  const fdbProblems: Problem[] = [];
  const targetIp = entries[0]?.dst;
  if (entries.length === 0) fdbProblems.push({ code: 'FDB_MISSING', text: `no fdb entry for ${mac} on ${dev}: flannel writes \`bridge fdb replace ${mac} dev ${dev} dst <nodeIP> self permanent\`` });
  else {
    const dsts = [...new Set(entries.map((f) => f.dst!))];
    if (dsts.length > 1) fdbProblems.push({ code: 'FDB_DUPLICATE', text: `${mac} has ${dsts.length} destinations: ${dsts.join(', ')}` });
    if (targetIp && ownsAddress(node, targetIp)) fdbProblems.push({ code: 'FDB_DST_MISMATCH', text: `${targetIp} is this node's own address` });
  }
  // and its public-ip against the entry's dst
  const pf = known && entries.length && fdbProblems.length === 0 ? partialFdb(known, mac, fdbDsts(node, dev, mac)) : {};
  if (pf.problem) fdbProblems.push(pf.problem);
  const fdbDetail = entries.length ? entries.map((f) => `${f.mac} dst ${f.dst}${f.state === 'permanent' ? ' permanent' : ''}`).join(', ') : `${mac} -> ?`;
  hops.push(pf.missing ? unverifiedHop('fdb', node, dev, fdbDetail, pf.missing) : hop('fdb', node, dev, fdbDetail, fdbProblems));
  return vxlanTail(ctx, node, dev, dst, route, lease, mac, targetIp, hops);
}

/** The dsts of a MAC's fdb entries on the vxlan device. */
const fdbDsts = (node: NodeIndex, dev: string, mac: string): string[] => [...new Set((node.fdb.get(mac) ?? []).flatMap((f) => (f.dev === dev && f.dst ? [f.dst] : [])))];

/** What to paste when a route's gateway was hidden in the paste. */
const hiddenGatewayMissing = (hidden: string, want: string | undefined): string =>
  `the route's gateway is ${hidden} in the data given${want ? ` (flannel's would be ${want})` : ''}: paste ${hidden.startsWith('redacted') ? `\`${PASTE.routes}\` unredacted` : '`route -n` (numeric gateways)'}`;

/** After the fdb: the target node, the underlay route to it, the MTU chain. */
function vxlanTail(ctx: TraceContext, node: NodeIndex, dev: string, dst: string, route: Route, lease: Lease | undefined, mac: string | undefined, targetIp: string | undefined, hops: TraceHop[]): WalkResult {
  const v6 = isV6(dst);
  const target = targetIp ? { ip: targetIp, name: lease?.node ?? ctx.byIp.get(targetIp)?.name, vtepMac: mac, subnet: (lease && halfOf(lease, v6).subnet) ?? route.dst } : undefined;
  if (targetIp) hops.push(nodeHop(ctx, node, targetIp, dst, lease, mac, dev));
  const under = targetIp ? underlayHop(node, targetIp, node.links.get(dev)?.kind === 'vxlan' ? (node.links.get(dev) as { dev?: string }).dev : undefined) : undefined;
  if (under) hops.push(under);
  const mtu = mtuHop(ctx, node, dev, v6 ? VXLAN_OVERHEAD.v6 : VXLAN_OVERHEAD.v4, v6, under?.device);
  if (mtu) hops.push(mtu);
  return { backend: 'vxlan', podTraffic: true, target, via: dev, hops };
}

// one CheckContext per node and desired state: peer-state reads the node's tables through it
const contexts = new WeakMap<NodeIndex, CheckContext>();

function checkContextOf(ctx: TraceContext, node: NodeIndex): CheckContext | undefined {
  if (!ctx.leases) return undefined;
  let c = contexts.get(node);
  if (!c) {
    c = buildContext({ snapshot: node.snap, desired: ctx.leases.state });
    contexts.set(node, c);
  }
  return c;
}

/**
 * The lease of `ip` as `node` sees it: none when the node refuses that lease (leases/local: it overlaps the node's
 * own subnet, addresses or connected routes, or lies outside its Network), as doctor does — flannel programs nothing
 * for it there, so it says nothing of where the packet should go.
 */
export function leaseAt(ctx: TraceContext, node: NodeIndex, ip: string): Lease | undefined {
  const lease = leaseFor(ctx.leases, ip);
  const refused = lease && checkContextOf(ctx, node)?.leases?.refused.some((r) => r.lease === lease && (r.family !== 'v6' || isV6(ip)));
  return refused ? undefined : lease;
}

/** The lease with its IPv4 part, for the walks that carry IPv4 alone (ipip, host-gw through a hidden gateway, wireguard). */
export const v4Lease = (lease: Lease | undefined): LeaseV4 | undefined => (lease && hasV4(lease) ? lease : undefined);

/** The node's peer-state for a remote lease (undefined for its own lease, or a lease it cannot program).
 * `direct`: the node routes a vxlan lease straight to the peer's IP (DirectRouting); undefined: as flanneld decides it
 * (DirectRouting on and the peer's public IP reached without a gateway). */
export function peerStateOf(ctx: TraceContext, node: NodeIndex, lease: Lease, direct?: boolean, v6 = false): PeerState | undefined {
  const c = checkContextOf(ctx, node);
  if (!c || c.leases?.local === lease) return undefined;
  // the IPv6 half: flannel-v6.<VNI>'s neigh/fdb/route for a vxlan lease, as doctor's IPv6 check judges it
  if (v6) {
    // the remote lease of that subnet6 as doctor lists it (a refused lease is none), judged alone
    const remote = c.leases?.remotes.find((l) => l.subnet6 === lease.subnet6);
    return remote ? peerState6(c, remote) : undefined;
  }
  // a v6-only lease has no IPv4 half for the v4 peer-state
  if (!hasV4(lease)) return undefined;
  return direct === undefined ? peerStateFor(c, lease) : peerState(c, lease, direct);
}

/** The neigh and fdb hops as peer-state judged them. */
export function peerHops(node: NodeIndex, dev: string, ps: PeerState): TraceHop[] {
  const out: TraceHop[] = [];
  const asHop = (step: string, detail: string, v: PeerState['route']['verdict']): TraceHop =>
    v.ok === null ? unverifiedHop(step, node, dev, detail, v.missing) : hop(step, node, dev, detail, v.ok ? [] : [{ code: v.code, text: v.why }]);
  if (ps.neigh) {
    const n = ps.neigh.seen;
    out.push(asHop('neigh', n ? `${n.dst} -> ${n.lladdr ?? '(none)'} ${n.state.join(',')}`.trim() : `${ps.neigh.want.ip} -> ?`, ps.neigh.verdict));
  }
  if (ps.fdb) {
    const seen = ps.fdb.seen.map((f) => `${f.mac} dst ${f.dst ?? '?'}${f.state === 'permanent' ? ' permanent' : ''}`).join(', ');
    out.push(asHop('fdb', seen || `${ps.fdb.want.mac} -> ?`, ps.fdb.verdict));
  }
  return out;
}

/** flannel.1 as flanneld creates it: up, vxlan, VNI, dstport, local = this node's IP, nolearning. */
/** A down vxlan device has no neighbours: the kernel dropped them, whatever a paste leaves out. */
const knownDown = (node: NodeIndex, dev: string): boolean => {
  const link = node.links.get(dev);
  return link !== undefined && isKnownDown(link);
};

export function vxlanDeviceHop(ctx: TraceContext, node: NodeIndex, dev: string): TraceHop {
  const link = node.links.get(dev);
  if (!link) {
    if (!absenceProves(node)) return unverifiedHop('vxlan-device', node, dev, '', `${dev} is not in the link list given: paste \`${PASTE.links} ${dev}\``);
    return hop('vxlan-device', node, dev, '', [{ code: 'VXLAN_DEVICE_MISSING', text: `${dev} does not exist: flanneld must recreate it (restart flanneld), and with it every peer's neigh/fdb/route` }]);
  }
  const problems: Problem[] = [];
  if (isKnownDown(link)) problems.push({ code: 'VXLAN_DEVICE_DOWN', text: `${dev} is down: \`ip link set ${dev} up\`` });
  const facts: string[] = [];
  if (link.kind === 'vxlan') {
    const own = ownLease(node, ctx.leases);
    // flannel-v6.<VNI>: local is the node's public-ipv6, its MAC backend-v6-data's VtepMAC
    const v6 = dev.startsWith('flannel-v6.') || (link.local !== undefined && isV6(link.local));
    const half = own ? halfOf(own, v6) : undefined;
    const vni = (v6 ? own?.vni6 : undefined) ?? own?.vni ?? ctx.netConf?.Backend?.VNI ?? Number(/^flannel(?:-v6)?\.(\d+)$/.exec(dev)?.[1] ?? NaN);
    const port = ctx.netConf?.Backend?.Port || 8472;
    facts.push(`vxlan id ${link.vni ?? '?'}`, `local ${link.local ?? '?'}`, `dstport ${link.port ?? '?'}`, `dev ${link.dev ?? '?'}`);
    if (link.vni !== undefined && Number.isFinite(vni) && link.vni !== vni) problems.push({ code: 'VXLAN_VNI_MISMATCH', text: `VNI ${link.vni}, expected ${vni}` });
    if (link.port !== undefined && ctx.netConf && link.port !== port) problems.push({ code: 'VXLAN_PORT_MISMATCH', text: `dstport ${link.port}, expected ${port}` });
    const local = link.local && v6 ? (normalizeIPv6(link.local) ?? link.local) : link.local;
    if (local && !ownsAddress(node, local) && underlayAddressesShown(node.snap, link)) problems.push({ code: 'VXLAN_LOCAL_NOT_OURS', text: `local ${link.local} is not an address of this node` });
    // as doctor judges it: the lease's public IP may differ behind NAT; only when it is this node's is `local` wrong
    else if (local && half?.publicIp && local !== half.publicIp && ownsAddress(node, half.publicIp)) problems.push({ code: 'VXLAN_LOCAL_MISMATCH', text: `local ${link.local}, the node's public IP is ${half.publicIp}` });
    if (link.learning === true) problems.push({ code: 'VXLAN_LEARNING_ON', text: 'learning is on: flannel creates it with nolearning' });
    if (half?.vtepMac && link.mac && half.vtepMac !== link.mac) problems.push({ code: 'LEASE_MAC_MISMATCH', text: `this node's MAC ${link.mac} differs from its own annotation ${half.vtepMac}: peers send to the old one` });
  }
  facts.unshift(`mtu ${link.mtu ?? '?'}`, link.mac ? `mac ${link.mac}` : '');
  const detail = facts.filter(Boolean).join(' ');
  // ifconfig and `ip link` without -d show a device, not its vxlan settings (VNI, local, dstport, learning)
  if (!problems.length && (link.kind !== 'vxlan' || link.vni === undefined)) return unverifiedHop('vxlan-device', node, dev, detail, `${dev}'s vxlan settings (VNI, local, dstport, learning) were not in the data given: paste \`${PASTE.links} ${dev}\``);
  // only the underlay's addresses show whether `local` is this node's
  if (!problems.length && link.kind === 'vxlan' && link.local && !node.addressDev.has(link.local) && !underlayAddressesShown(node.snap, link))
    return unverifiedHop('vxlan-device', node, dev, detail, `whether local ${link.local} is this node's: the underlay's addresses were not in the data given: paste \`${PASTE.addresses}\``);
  return hop('vxlan-device', node, dev, detail, problems);
}

/** The target node: named from the lease, and checked against its own snapshot when we have it. */
/** With desired state, a route for a subnet no lease covers is left over from a deleted node. */
export function staleRouteProblem(ctx: TraceContext, dst: string, route: Route): Problem[] {
  if (!ctx.leases || ctx.leases.state.incomplete || leaseFor(ctx.leases, dst)) return [];
  return [{ code: 'STALE_ROUTE', text: `no node's lease covers ${dst}: a stale route for a deleted node (\`ip route del ${route.dst}\`)` }];
}

function nodeHop(ctx: TraceContext, node: NodeIndex, targetIp: string, _dst: string, lease: Lease | undefined, mac: string | undefined, dev: string): TraceHop {
  const problems: Problem[] = [];
  const remote = ctx.byIp.get(targetIp);
  const name = lease?.node ?? remote?.name;
  if (remote && mac) {
    const remoteDev = remote.links.get(dev) ?? remote.snap.links.find((l) => isVxlanDev(remote, l.name));
    if (remoteDev?.mac && remoteDev.mac !== mac) problems.push({ code: 'VTEP_MAC_MISMATCH', text: `${name ?? targetIp}'s ${remoteDev.name} has MAC ${remoteDev.mac}, this node sends to ${mac} (stale after flannel.1 was recreated)` });
  }
  const half = lease ? halfOf(lease, isV6(targetIp)) : undefined;
  const desc = [name ? `node ${name}` : 'node', targetIp, half?.subnet ? `lease ${half.subnet}` : '', half?.vtepMac ? `VtepMAC ${half.vtepMac}` : ''].filter(Boolean).join(' ');
  return hop('node', node, targetIp, desc, problems);
}

/**
 * How this node reaches the target node IP: a route on the underlay device (never through the overlay). The hop
 * verifies that route. The next hop's neighbour is resolved by the kernel on demand, so an entry not there is no
 * fault; FAILED / INCOMPLETE in the neighbour table read is (README, trace).
 */
export function underlayHop(node: NodeIndex, targetIp: string, expectedDev: string | undefined): TraceHop {
  const m = node.routes.lookup(targetIp);
  if (m.kind === 'local') return hop('underlay', node, m.address!.dev, `${targetIp} is this node`);
  const table = isV6(targetIp) ? 'routes6' : 'routes';
  // a grep'd table (`ip route | grep flannel`) may have left out the route to the node: none shown, or only the default
  const filters = filtersOf(node.snap, table);
  if (!collected(node.snap, table) || (filters && (!m.route || isDefaultRoute(m.route)))) {
    const why = filters ? `only a filtered route table was given (${filters.join('; ')})` : `the ${table === 'routes6' ? 'IPv6 ' : ''}route table was not in the data given`;
    return unverifiedHop('underlay', node, m.route?.dev ?? '?', m.route ? formatRoute(m.route) : '', `${why}: the route to node ${targetIp} may not be in it: paste \`${PASTE[table]}\``);
  }
  if (m.kind === 'none' || !m.route) return hop('underlay', node, '?', '', [{ code: 'NO_ROUTE', text: `no route to node ${targetIp}` }]);
  const r = m.route;
  const dev = r.dev ?? '?';
  const problems: Problem[] = [];
  if (isVxlanDev(node, dev) || isIpipDev(node, dev)) problems.push({ code: 'ROUTE_WRONG_DEV', text: `the node IP is routed into the overlay (${dev})` });
  else if (expectedDev && dev !== expectedDev) problems.push({ code: 'ROUTE_WRONG_DEV', text: `the tunnel's underlay device is ${expectedDev}` });
  if (r.type !== 'unicast') problems.push({ code: dropRouteCode(r.type), text: `${r.type} route` });
  const n = onDemandNeigh(node, dev, r.gateway ?? targetIp);
  if (n.problem) problems.push(n.problem);
  return hop('underlay', node, dev, `${formatRoute(r)}; ${n.text}`, problems);
}

/** IPv4 resolves neighbours by ARP, IPv6 by neighbour discovery: the name the user knows the table by. */
export const cacheName = (ip: string): string => (ip.includes(':') ? 'neighbour cache' : 'ARP cache');

/** A next hop on the underlay (a gateway, the peer node): its neighbour entry as the data given shows it; `read`
 * false when the neighbour table of `dev` was not given (then nothing about it was checked). */
function onDemandNeigh(node: NodeIndex, dev: string, ip: string): { text: string; read: boolean; problem?: Problem } {
  const n = node.neigh.get(`${dev} ${ip}`);
  if (n) return { text: `${ip} -> ${n.lladdr ?? '?'} ${n.state.join(',')}`.trim(), read: true, problem: badNudState(n.state) };
  if (!collected(node.snap, 'neigh') || partial(node.snap, 'neigh', dev))
    return { text: `neighbour ${ip} not checked, not in the data given (\`${PASTE.neigh} dev ${dev}\` shows whether the kernel resolved it)`, read: false };
  return { text: `${ip} not in the ${cacheName(ip)} (resolved on the first packet)`, read: true };
}

/** The pod bridge: the bridge holding FLANNEL_SUBNET's gateway, else cni0, else docker0. */
export function podBridge(node: NodeIndex): string | undefined {
  const gw = node.snap.subnetEnv?.subnet?.split('/')[0];
  const dev = gw ? node.addressDev.get(gw) : undefined;
  if (dev) return dev;
  // a saved output may name the bridge only as the master of its veths
  for (const name of ['cni0', 'cbr0', 'docker0']) if (node.links.has(name) || node.bridgePorts.has(name)) return name;
  return undefined;
}

/**
 * bridge MTU ≤ tunnel MTU ≤ underlay MTU − overhead (vxlan 50, vxlan over IPv6 70, ipip 20), and FLANNEL_MTU = tunnel
 * MTU. `v6` (flannel-v6.<VNI>): the underlay bound only. flanneld writes one FLANNEL_MTU (its IPv4 device's, ext − 50;
 * there is no FLANNEL_IPV6_MTU) and cni0 gets it, so cni0 above flannel-v6.<VNI> (1450 > 1430) is flannel's own
 * layout: IPv6 pods learn the smaller MTU from the node's Packet Too Big, as IPv6 path MTU discovery does.
 */
export function mtuHop(ctx: TraceContext, node: NodeIndex, tunnelDev: string, overhead: number, v6 = false, routedDev?: string): TraceHop | undefined {
  const tunnel = node.links.get(tunnelDev);
  // a tunnel proven gone is the device hop's finding; one not shown (a grep'd link list) or shown without its MTU is unverified
  if (!tunnel && collected(node.snap, 'links') && absenceProves(node)) return undefined;
  if (!tunnel?.mtu) return unverifiedHop('mtu', node, tunnelDev, '', `${tunnel ? `${tunnelDev}'s MTU was` : 'the MTUs were'} not in the data given: paste \`${PASTE.links}\``);
  // the device under the tunnel: its `dev`, the one holding the node IP, else the one the route to the peer leaves on
  const underlayName = (tunnel as { dev?: string }).dev ?? underlayDevOf(ctx, node) ?? (routedDev !== '?' ? routedDev : undefined);
  const underlay = underlayName ? node.links.get(underlayName) : undefined;
  const bridgeName = podBridge(node);
  const bridge = bridgeName ? node.links.get(bridgeName) : undefined;
  const problems: Problem[] = [];
  const facts = [bridge?.mtu ? `${bridge.name} ${bridge.mtu}` : '', `${tunnelDev} ${tunnel.mtu}`, underlay?.mtu ? `${underlay.name} ${underlay.mtu}` : ''];
  if (underlay?.mtu && tunnel.mtu > underlay.mtu - overhead) problems.push({ code: 'MTU_MISMATCH', text: `${tunnelDev} ${tunnel.mtu} > ${underlay.name} ${underlay.mtu} − ${overhead}: large packets are dropped after encapsulation` });
  if (!v6 && bridge?.mtu && bridge.mtu > tunnel.mtu) problems.push({ code: 'MTU_MISMATCH', text: `${bridge.name} ${bridge.mtu} > ${tunnelDev} ${tunnel.mtu}: pods send frames the tunnel cannot carry` });
  const envMtu = node.snap.subnetEnv?.mtu;
  if (!v6 && envMtu && envMtu !== tunnel.mtu) problems.push({ code: 'MTU_MISMATCH', text: `FLANNEL_MTU ${envMtu} ≠ ${tunnelDev} ${tunnel.mtu}` });
  // the chain's bound is the underlay's MTU: without it nothing above was compared with what the wire carries
  if (!problems.length && !underlay?.mtu)
    return unverifiedHop('mtu', node, tunnelDev, facts.filter(Boolean).join(' / '), `the MTU of the underlay device${underlayName ? ` ${underlayName}` : ''} was not in the data given: paste \`${PASTE.links}\`${underlayName ? '' : ` and \`${PASTE.addresses}\``}`);
  return hop('mtu', node, tunnelDev, facts.filter(Boolean).join(' / '), problems);
}

/** The device this node's own public IP lives on. */
function underlayDevOf(ctx: TraceContext, node: NodeIndex): string | undefined {
  const ip = nodeIpOf(node, ctx.leases);
  return ip ? node.addressDev.get(ip) : undefined;
}

/** ipip: `<sn> via <nodeIP> dev flannel.ipip onlink` (seed 002). */
export function ipipWalk(ctx: TraceContext, node: NodeIndex, dst: string, route: Route, reason: string): WalkResult {
  const dev = route.dev!;
  // ipip carries IPv4 alone: the lease of an IPv4 destination has an IPv4 part
  const lease = v4Lease(leaseAt(ctx, node, dst));
  const hops: TraceHop[] = [];
  const routeProblems: Problem[] = [];
  const hidden = hiddenGateway(route);
  // with desired state, the lease's route is judged by peer-state, as doctor judges it
  const ps = lease ? peerStateOf(ctx, node, lease) : undefined;
  if (ps?.path === 'ipip') {
    if (ps.route.verdict.ok === false) routeProblems.push({ code: ps.route.verdict.code, text: ps.route.verdict.why });
  } else if (hidden && lease && !hiddenGatewayCouldBe(route, lease.publicIp)) routeProblems.push({ code: 'ROUTE_MISMATCH', text: `gateway ${hidden}, the lease's public IP is ${lease.publicIp}` });
  else if (!route.gateway && !hidden) routeProblems.push({ code: 'ROUTE_MISMATCH', text: 'an ipip route needs the node IP as gateway' });
  else if (lease && route.gateway && route.gateway !== lease.publicIp) routeProblems.push({ code: 'ROUTE_MISMATCH', text: `the lease's public IP is ${lease.publicIp}` });
  routeProblems.push(...staleRouteProblem(ctx, dst, route));
  const routeDetail = `${formatRoute(route)} (${reason})`;
  // a gateway the paste hid (a host name from `route` without -n, a redacted address) is some node: which, unverified
  const psMissing = ps?.path === 'ipip' && ps.route.verdict.ok === null ? ps.route.verdict.missing : undefined;
  const missing = psMissing ?? (hidden !== undefined && ps?.path !== 'ipip' ? hiddenGatewayMissing(hidden, lease?.publicIp) : undefined);
  hops.push(missing !== undefined && routeProblems.length === 0 ? unverifiedHop('route', node, dev, routeDetail, missing) : hop('route', node, dev, routeDetail, routeProblems));
  const link = node.links.get(dev);
  const devProblems: Problem[] = [];
  if (!link && absenceProves(node)) devProblems.push({ code: 'IPIP_DEVICE_MISSING', text: `${dev} does not exist` });
  if (link && isKnownDown(link)) devProblems.push({ code: 'IPIP_DEVICE_DOWN', text: `${dev} is down` });
  const local = link?.kind === 'ipip' ? link.local : undefined;
  if (local && link && !node.addressDev.has(local) && underlayAddressesShown(node.snap, link)) devProblems.push({ code: 'IPIP_CONFIG', text: `local ${local} is not an address of this node` });
  const localUnknown = local !== undefined && link !== undefined && !node.addressDev.has(local) && !underlayAddressesShown(node.snap, link);
  if (link && !devProblems.length && localUnknown) hops.push(unverifiedHop('ipip-device', node, dev, `ipip local ${local} mtu ${link.mtu ?? '?'}`, `whether local ${local} is this node's: the underlay's addresses were not in the data given: paste \`${PASTE.addresses}\``));
  else hops.push(link ? hop('ipip-device', node, dev, `ipip local ${local ?? '?'} mtu ${link.mtu ?? '?'}`, devProblems) : devProblems.length ? hop('ipip-device', node, dev, '', devProblems) : unverifiedHop('ipip-device', node, dev, '', `${dev} is not in the link list given: paste \`${PASTE.links} ${dev}\``));
  const targetIp = route.gateway ?? lease?.publicIp;
  if (targetIp) {
    hops.push(nodeHop(ctx, node, targetIp, dst, lease, undefined, dev));
    hops.push(underlayHop(node, targetIp, undefined));
  }
  const mtu = mtuHop(ctx, node, dev, 20, false, hops.at(-1)?.step === 'underlay' ? hops.at(-1)!.device : undefined);
  if (mtu) hops.push(mtu);
  const target = targetIp ? { ip: targetIp, name: lease?.node ?? ctx.byIp.get(targetIp)?.name, subnet: lease?.subnet ?? route.dst } : undefined;
  return { backend: 'ipip', podTraffic: true, target, via: dev, hops };
}

/** host-gw (and vxlan DirectRouting): `<sn> via <nodeIP> dev eth0`; the node must be on the same L2. */
export function hostGwWalk(ctx: TraceContext, node: NodeIndex, dst: string, route: Route, reason: string, directRouting: boolean): WalkResult {
  const dev = route.dev ?? '?';
  const lease = leaseAt(ctx, node, dst);
  const problems: Problem[] = [];
  // with desired state, the lease's route is judged by peer-state, as doctor judges it
  const v6 = isV6(dst);
  // peer-state judges host-gw routes of the IPv4 half and DirectRouting routes of both; an IPv6 host-gw one is checked
  // against the lease's public-ipv6 here
  // a vxlan lease: the path flanneld takes for it (DirectRouting and the peer reached without a gateway) decides
  const ps = lease && (!v6 || directRouting) ? peerStateOf(ctx, node, lease, directRouting ? undefined : false, v6) : undefined;
  const hidden = hiddenGateway(route);
  if (route.gateway === undefined && hidden !== undefined) return hiddenHostGw(ctx, node, dst, route, reason, directRouting, hidden);
  const gw = route.gateway!;
  const want = lease ? halfOf(lease, v6).publicIp : undefined;
  // flanneld programs the vxlan route for this peer: a route via a gateway off flannel's device is not it
  if (ps?.path === 'host-gw' || ps?.path === 'direct' || ps?.path === 'vxlan') {
    if (ps.route.verdict.ok === false) problems.push({ code: ps.route.verdict.code, text: ps.route.verdict.why });
  } else if (want && gw !== want) problems.push({ code: 'ROUTE_MISMATCH', text: `the lease's public IP${v6 ? 'v6' : ''} is ${want}` });
  const viaGw = node.routes.lookup(gw);
  problems.push(...staleRouteProblem(ctx, dst, route));
  if (viaGw.kind === 'route' && viaGw.route?.gateway && !route.onlink) problems.push({ code: 'ROUTE_GATEWAY_NOT_DIRECT', text: `${gw} is itself reached via ${viaGw.route.gateway}: host-gw needs the nodes on one L2 network` });
  const hops = [hop('route', node, dev, `${formatRoute(route)} (${reason})`, problems)];
  // the gateway is the peer node on the underlay, resolved on demand as underlayHop's next hop: without the
  // neighbour table there is no neigh hop to judge, the route hop says it was not checked
  const n = onDemandNeigh(node, dev, gw);
  if (n.read) hops.push(hop('neigh', node, dev, n.text, n.problem ? [n.problem] : []));
  else hops[0].detail += `; ${n.text}`;
  hops.push(nodeHop(ctx, node, gw, dst, lease, undefined, dev));
  const half = lease ? halfOf(lease, v6) : undefined;
  const target = { ip: gw, name: lease?.node ?? ctx.byIp.get(gw)?.name, vtepMac: half?.vtepMac, subnet: half?.subnet ?? route.dst };
  // DirectRouting only where flanneld takes it (with leases: peer-state's path); otherwise a vxlan peer off its path
  return { backend: directRouting ? 'vxlan' : 'host-gw', directRouting: (ps ? ps.path === 'direct' : directRouting) || undefined, podTraffic: true, target, via: dev, hops };
}

/** host-gw through a gateway the paste hid (redacted, or a host name): which node it is stays unverified. */
function hiddenHostGw(ctx: TraceContext, node: NodeIndex, dst: string, route: Route, reason: string, directRouting: boolean, hidden: string): WalkResult {
  const dev = route.dev ?? '?';
  const lease = v4Lease(leaseAt(ctx, node, dst));
  const ps = lease ? peerStateOf(ctx, node, lease, directRouting) : undefined;
  const problems: Problem[] = staleRouteProblem(ctx, dst, route);
  const v = ps?.path === 'host-gw' || ps?.path === 'direct' ? ps.route.verdict : undefined;
  if (v?.ok === false) problems.push({ code: v.code, text: v.why });
  else if (!v && lease && !hiddenGatewayCouldBe(route, lease.publicIp)) problems.push({ code: 'ROUTE_MISMATCH', text: `gateway ${hidden}, the lease's public IP is ${lease.publicIp}` });
  const detail = `${formatRoute(route)} (${reason})`;
  const missing = v?.ok === null ? v.missing : hiddenGatewayMissing(hidden, lease?.publicIp);
  const hops = [problems.length ? hop('route', node, dev, detail, problems) : unverifiedHop('route', node, dev, detail, missing)];
  const target = lease ? { ip: lease.publicIp, name: lease.node, vtepMac: lease.vtepMac, subnet: lease.subnet } : undefined;
  return { backend: directRouting ? 'vxlan' : 'host-gw', directRouting: directRouting || undefined, podTraffic: true, target, via: dev, hops };
}

/** ipv4 of `10.244.3.0/24` + 1: the pod bridge gateway flannel's subnet.env names. */
export const firstHost = (cidr: string): string | undefined => {
  const p = parseCidr(cidr);
  return p ? intToIpv4(p.net + 1) : undefined;
};
