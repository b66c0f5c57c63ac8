// Maps over one snapshot (and the desired leases) so every trace step is a lookup, never a scan:
// a node with 50,000 peers has 50,000 routes, neighbours and fdb entries.
import { type DesiredState, type FdbEntry, type Lease, type Link, type Neigh, type PodNetns, type Snapshot } from '../model/index.js';
import { normalizeIPv6 } from '../model/ipv6.js';
import { isIPv4 } from '../model/net.js';
import { findLocal } from '../leases/local.js';
import { absenceProves as snapshotAbsenceProves } from './collected.js';
import { PrefixIndex, type RouteTable, routeTableOf } from './route-lookup.js';

export interface NodeIndex {
  snap: Snapshot;
  /** node name: the snapshot's host */
  name: string;
  routes: RouteTable;
  links: Map<string, Link>;
  linksByIfindex: Map<number, Link>;
  /** `${dev} ${ip}` -> neighbour */
  neigh: Map<string, Neigh>;
  /** mac -> fdb entries (vxlan `self` entries and bridge ports alike) */
  fdb: Map<string, FdbEntry[]>;
  /** IPv4 address -> device holding it */
  addressDev: Map<string, string>;
  /** IPv6 address (RFC 5952, link-local left out: every link has one) -> device holding it */
  addressDev6: Map<string, string>;
  /** pod IP -> pod */
  podsByIp: Map<string, PodNetns>;
  /** host ifindex (the pod eth0's iflink) -> pod */
  podsByHostIfindex: Map<number, PodNetns>;
  /** bridge -> its ports (from links' master, brctl show and bridge link) */
  bridgePorts: Map<string, Set<string>>;
  /** devices that routes point at directly (calico's `/32 dev caliXXXX`): veths that need no bridge */
  routedDevs: Set<string>;
}

export function indexNode(snap: Snapshot): NodeIndex {
  const links = new Map<string, Link>();
  const linksByIfindex = new Map<number, Link>();
  for (const l of snap.links) {
    links.set(l.name, l);
    if (l.ifindex > 0) linksByIfindex.set(l.ifindex, l);
  }
  const neigh = new Map<string, Neigh>();
  for (const n of snap.neigh) neigh.set(`${n.dev} ${n.dst}`, n);
  const fdb = new Map<string, FdbEntry[]>();
  for (const f of snap.fdb) {
    const list = fdb.get(f.mac);
    if (list) list.push(f);
    else fdb.set(f.mac, [f]);
  }
  const addressDev = new Map<string, string>();
  const addressDev6 = new Map<string, string>();
  for (const a of snap.addresses) {
    if (a.family === 'inet') addressDev.set(a.local, a.dev);
    const v6 = a.family === 'inet6' && a.scope !== 'link' ? normalizeIPv6(a.local) : undefined;
    if (v6 && !isLinkLocal6(v6) && v6 !== '::1') addressDev6.set(v6, a.dev);
  }
  const podsByIp = new Map<string, PodNetns>();
  const podsByHostIfindex = new Map<number, PodNetns>();
  for (const p of snap.pods) {
    if (p.ip) podsByIp.set(p.ip, p);
    if (p.ip6) podsByIp.set(p.ip6, p);
    const peer = podPeerIfindex(p);
    if (peer !== undefined) podsByHostIfindex.set(peer, p);
  }
  const bridgePorts = new Map<string, Set<string>>();
  const addPort = (bridge: string, port: string): void => {
    const set = bridgePorts.get(bridge) ?? new Set<string>();
    set.add(port);
    bridgePorts.set(bridge, set);
  };
  for (const l of snap.links) if (l.master) addPort(l.master, l.name);
  for (const b of snap.bridges) for (const i of b.interfaces) addPort(b.name, i);
  for (const p of snap.bridgePorts) if (p.master) addPort(p.master, p.port);
  const routedDevs = new Set<string>();
  // IPv6 puts fe80::/64 on every link: that says nothing about where pods are
  for (const r of snap.routes) if (r.dev && !r.gateway && !isLinkLocal6(r.dst)) routedDevs.add(r.dev);
  return { snap, name: snap.host, routes: routeTableOf(snap), links, linksByIfindex, neigh, fdb, addressDev, addressDev6, podsByIp, podsByHostIfindex, bridgePorts, routedDevs };
}

/** fe80::/10 (the kernel's `fe80::/64 dev X proto kernel` on every IPv6 link). */
const isLinkLocal6 = (cidr: string): boolean => /^fe[89ab][0-9a-f]:/i.test(cidr);

/** The host-side ifindex of a pod's veth: eth0's iflink, or `ethtool -S eth0` peer_ifindex. */
export function podPeerIfindex(p: PodNetns): number | undefined {
  const loose = p as PodNetns & { peerIfindex?: number };
  return p.iflink ?? loose.peerIfindex;
}

/** Which bridge (or veth master) a link is enslaved to, from any of the sources. */
export function masterOf(node: NodeIndex, dev: string): string | undefined {
  const link = node.links.get(dev);
  if (link?.master) return link.master;
  for (const [bridge, ports] of node.bridgePorts) if (ports.has(dev)) return bridge;
  return undefined;
}

/** ifconfig, plain `ip link` and `ip addr` cannot tell a link's kind: then the usual device names decide. */
const kindUnknown = (kind: string | undefined): boolean => kind === undefined || kind === 'device' || kind === 'other';

export function isBridgeDev(node: NodeIndex, dev: string): boolean {
  const kind = node.links.get(dev)?.kind;
  if (!kindUnknown(kind)) return kind === 'bridge';
  return node.snap.bridges.some((b) => b.name === dev) || node.bridgePorts.has(dev) || dev === 'cni0' || dev === 'docker0';
}

export function isVxlanDev(node: NodeIndex, dev: string): boolean {
  const kind = node.links.get(dev)?.kind;
  return kind === 'vxlan' || (kindUnknown(kind) && /^flannel(-v6)?\.\d+$/.test(dev));
}

export function isIpipDev(node: NodeIndex, dev: string): boolean {
  const kind = node.links.get(dev)?.kind;
  return kind === 'ipip' || (kindUnknown(kind) && (dev === 'flannel.ipip' || dev === 'tunl0'));
}

/** See collected.ts: the same rule for trace and doctor. */
export const absenceProves = (node: NodeIndex): boolean => snapshotAbsenceProves(node.snap);

/** A host veth that should sit on a bridge: not calico's routed cali* veths. */
export function needsBridge(node: NodeIndex, dev: string): boolean {
  return /^veth/.test(dev) && !node.routedDevs.has(dev);
}

/** Were the pods read from inside their namespaces (live, --netns, a collected snapshot), so a veth without one is a leak? */
export function podsComplete(node: NodeIndex): boolean {
  return node.snap.source.kind !== 'dir' && node.snap.pods.some((p) => p.ip !== undefined);
}

/** An IPv6 address? (trace's family: the destination decides it) */
export const isV6 = (ip: string): boolean => ip.includes(':');

/** Is `ip` one of this node's own addresses, in its family? */
export const ownsAddress = (node: NodeIndex, ip: string): boolean => (isV6(ip) ? node.addressDev6.has(ip) : node.addressDev.has(ip));

/** A lease's half for one family: the IPv6 fields (subnet6, public-ipv6, backend-v6-data's VtepMAC) or the IPv4 ones. */
export function halfOf(lease: Lease, v6: boolean): { subnet?: string; publicIp?: string; vtepMac?: string } {
  return v6 ? { subnet: lease.subnet6, publicIp: lease.publicIpv6, vtepMac: lease.vtepMac6 } : { subnet: lease.subnet, publicIp: lease.publicIp, vtepMac: lease.vtepMac };
}

/** Desired leases indexed by subnet (longest prefix, both families) and by public IP (both families). */
export interface LeaseIndex {
  bySubnet: PrefixIndex<Lease>;
  byIp: Map<string, Lease>;
  state: DesiredState;
}

export function indexLeases(state: DesiredState | undefined): LeaseIndex | undefined {
  if (!state) return undefined;
  const bySubnet = new PrefixIndex<Lease>();
  const byIp = new Map<string, Lease>();
  for (const l of state.leases) {
    if (l.subnet) bySubnet.add(l.subnet, l);
    if (l.publicIp && isIPv4(l.publicIp)) byIp.set(l.publicIp, l);
    if (l.subnet6) bySubnet.add(l.subnet6, l);
    if (l.publicIpv6) byIp.set(l.publicIpv6, l);
  }
  return { bySubnet, byIp, state };
}

export function leaseFor(leases: LeaseIndex | undefined, ip: string): Lease | undefined {
  return leases?.bySubnet.longest(ip)?.values[0];
}

const owns = new WeakMap<NodeIndex, Lease | undefined>();

/** This node's own lease, recognised as doctor recognises it (leases/local). */
export function ownLease(node: NodeIndex, leases: LeaseIndex | undefined): Lease | undefined {
  if (!leases) return undefined;
  if (!owns.has(node)) owns.set(node, findLocal(leases.state, node.snap).lease);
  return owns.get(node);
}

/** The node IP a snapshot answers to: its own lease's public IP, or the vxlan/ipip device's `local`. */
export function nodeIpOf(node: NodeIndex, leases: LeaseIndex | undefined): string | undefined {
  // a v6-only node answers to its public-ipv6
  const own = ownLease(node, leases);
  const ip = own?.publicIp ?? own?.publicIpv6;
  if (ip) return ip;
  for (const l of node.snap.links) if ((l.kind === 'vxlan' || l.kind === 'ipip') && l.local && node.addressDev.has(l.local)) return l.local;
  return undefined;
}
