// Where a probe listens, from the static trace: the source pod's host veth, the pod bridge, the overlay
// device (flannel.1 / flannel.ipip; flannel-v6.<VNI> for an IPv6 destination) and the underlay interface toward the target node, in path order;
// for a pod on the same node, the two host veths only (the bridge's own interface does not see bridged frames). Each hop carries the BPF filter its capture runs with.
// When the trace is broken the devices flannel would use are still listened on (a deleted route must show
// as "seen on cni0, not on flannel.1"), so they come from the node's links as well as from the trace hops.
import type { Lease, Link, Snapshot } from '../model/index.js';
import { cidrContains6 } from '../model/ipv6.js';
import { cidrContains, isIfname, isIPv6 } from '../model/net.js';
import type { TraceResult } from './trace.js';
import { type Encap, probeFilter, type ProbeTag } from './probe-filter.js';

export type HopRole = 'pod-veth' | 'bridge' | 'overlay' | 'underlay';

/** The pod the probe is sent from. */
export interface ProbeSource {
  /** the pod's name (netns name when nothing better is known) */
  pod: string;
  /** the named network namespace the probe is sent from */
  netns: string;
  ip: string;
  /** the node (snapshot host) the pod runs on */
  node: string;
  hostVeth: string;
  bridge?: string;
}

export interface PlannedHop {
  node: string;
  device: string;
  role: HopRole;
  /** how the probe looks there: plain, or inside VXLAN/IPIP (the underlay of a tunnel) */
  encap: Encap;
  filter: string;
  /** which end of the path: the source node or the target node (cluster mode) */
  side: 'source' | 'target';
  /** the device's own MAC: frames for another MAC are not taken up by it */
  mac?: string;
  /** one of the target bridge's veths, listened on because the state did not say which one leads to the pod */
  candidate?: boolean;
}

/** Listen on every veth of the target's bridge when the pod's is not known, up to this many. */
export const MAX_VETH_CANDIDATES = 16;

export interface ProbePlan {
  source: ProbeSource;
  destination: string;
  tag: ProbeTag;
  backend: TraceResult['backend'];
  targetNode?: TraceResult['targetNode'];
  /** the destination's lease VtepMAC (desired state), to check the inner destination MAC on the underlay */
  leaseVtepMac?: string;
  /** VXLAN VNI and underlay MTU, for the decoder's checks */
  vni?: number;
  underlayMtu?: number;
  hops: PlannedHop[];
}

const DEFAULT_VXLAN_PORT = 8472;

/**
 * The VtepMAC the lease holding `destination` announces for its family: an IPv6 destination goes through
 * flannel-v6.<VNI>, whose MAC is backend-v6-data's, not flannel.<VNI>'s.
 */
export function leaseVtepMac(leases: Lease[], destination: string): string | undefined {
  if (isIPv6(destination)) return leases.find((l) => l.subnet6 !== undefined && cidrContains6(l.subnet6, destination))?.vtepMac6;
  return leases.find((l) => l.subnet !== undefined && cidrContains(l.subnet, destination))?.vtepMac;
}

export function planProbe(trace: TraceResult, snap: Snapshot, source: ProbeSource, tag: ProbeTag, leaseVtepMac?: string): ProbePlan {
  const links = new Map(snap.links.map((l) => [l.name, l]));
  const hops: PlannedHop[] = [];
  const add = (device: string | undefined, role: HopRole, encap: Encap = { kind: 'none' }): void => {
    if (!device || !isIfname(device) || hops.some((h) => h.device === device)) return;
    hops.push({ node: source.node, device, role, encap, filter: probeFilter(tag, source.ip, trace.destination, encap), side: 'source' });
  };
  const stepDevice = (step: string): string | undefined => trace.hops.find((h) => h.step === step && h.node === trace.sourceNode)?.device;
  add(source.hostVeth, 'pod-veth');
  const plan: ProbePlan = { source, destination: trace.destination, tag, backend: trace.backend, targetNode: trace.targetNode, leaseVtepMac, hops };
  if (trace.backend === 'local') {
    // bridged port to port: the bridge's own interface never sees these frames, the destination's veth does
    const veth = trace.hops.find((h) => h.step === 'veth' && h.ok !== false);
    add(veth?.device, 'pod-veth');
    return plan;
  }
  // routed off the node: the pod sends to the gateway, the bridge's own interface, which hands it to routing
  add(source.bridge, 'bridge');
  const routeDev = stepDevice('route');
  if (trace.backend === 'vxlan' && !trace.directRouting) {
    const vxlan = pick(links, stepDevice('vxlan-device') ?? routeDev, 'vxlan', isIPv6(trace.destination));
    add(vxlan?.name ?? stepDevice('vxlan-device'), 'overlay');
    const underlay = known(stepDevice('underlay')) ?? (vxlan?.kind === 'vxlan' ? vxlan.dev : undefined);
    add(underlay, 'underlay', { kind: 'vxlan', port: (vxlan?.kind === 'vxlan' ? vxlan.port : undefined) ?? DEFAULT_VXLAN_PORT });
    if (vxlan?.kind === 'vxlan') plan.vni = vxlan.vni;
    plan.underlayMtu = underlay ? links.get(underlay)?.mtu : undefined;
  } else if (trace.backend === 'ipip') {
    const ipip = pick(links, stepDevice('ipip-device') ?? routeDev, 'ipip');
    add(ipip?.name ?? stepDevice('ipip-device'), 'overlay');
    const underlay = known(stepDevice('underlay'));
    add(underlay, 'underlay', { kind: 'ipip' });
    plan.underlayMtu = underlay ? links.get(underlay)?.mtu : undefined;
  } else if (routeDev && (links.get(routeDev)?.kind === 'wireguard' || /^flannel(-wg(-v6)?|0)$/.test(routeDev))) {
    // wireguard / udp: the probe is seen going into the tunnel device; outside it is encrypted or in flanneld's own UDP
    add(routeDev, 'overlay');
  } else {
    // host-gw, DirectRouting, or a route the trace could not classify: the packet leaves as is
    add(known(routeDev), 'underlay');
  }
  return plan;
}

const known = (dev: string | undefined): string | undefined => (dev && dev !== '?' ? dev : undefined);

/** The named device if it is of that kind, else the node's flannel device of that kind (flannel-v6.<VNI> for IPv6). */
function pick(links: Map<string, Link>, name: string | undefined, kind: 'vxlan' | 'ipip', v6 = false): Link | undefined {
  const named = name ? links.get(name) : undefined;
  if (named?.kind === kind) return named;
  return [...links.values()].find((l) => l.kind === kind && l.name.startsWith('flannel') && l.name.startsWith('flannel-v6.') === v6);
}

/**
 * Cluster mode: the target node's hops, in the order the probe meets them there: the underlay interface holding
 * the node IP (the tunnel's outer header matched), the overlay device, the pod bridge, the destination pod's veth.
 * `trace` is the trace over both snapshots (it continues on the target), `snap` the target node's snapshot.
 */
export function planTargetHops(trace: TraceResult, snap: Snapshot, source: ProbeSource, tag: ProbeTag): PlannedHop[] {
  const node = snap.host;
  const links = new Map(snap.links.map((l) => [l.name, l]));
  const hops: PlannedHop[] = [];
  const add = (device: string | undefined, role: HopRole, encap: Encap = { kind: 'none' }): void => {
    if (!device || !isIfname(device) || hops.some((h) => h.device === device)) return;
    const mac = links.get(device)?.mac;
    hops.push({ node, device, role, encap, filter: probeFilter(tag, source.ip, trace.destination, encap), side: 'target', ...(mac ? { mac } : {}) });
  };
  // a hop with a problem still names its device (a veth with no pod data is flagged, yet it is the one)
  const there = (step: string): string | undefined => known(trace.hops.find((h) => h.step === step && h.node === node)?.device);
  const targetIp = trace.targetNode?.ip;
  const v6 = isIPv6(trace.destination);
  const underlay = snap.addresses.find((a) => a.family === (v6 ? 'inet6' : 'inet') && a.local === targetIp)?.dev;
  if (trace.backend === 'vxlan' && !trace.directRouting) {
    const vxlan = pick(links, undefined, 'vxlan', v6);
    add(underlay, 'underlay', { kind: 'vxlan', port: (vxlan?.kind === 'vxlan' ? vxlan.port : undefined) ?? DEFAULT_VXLAN_PORT });
    add(vxlan?.name, 'overlay');
  } else if (trace.backend === 'ipip') {
    add(underlay, 'underlay', { kind: 'ipip' });
    add(pick(links, undefined, 'ipip')?.name, 'overlay');
  } else add(underlay, 'underlay');
  const veth = there('veth');
  const bridge = there('bridge') ?? (veth ? links.get(veth)?.master : undefined);
  add(bridge, 'bridge');
  if (veth) add(veth, 'pod-veth');
  else if (bridge) {
    // no traffic yet, so no fdb entry names the pod's port: listen on each port, the verdict keeps the one that heard it
    const ports = snap.links.filter((l) => l.kind === 'veth' && l.master === bridge).map((l) => l.name);
    if (ports.length <= MAX_VETH_CANDIDATES) for (const port of ports) add(port, 'pod-veth');
    for (const h of hops) if (h.role === 'pod-veth') h.candidate = true;
  }
  return hops;
}
