// What one node's own snapshot says about itself: its VTEP (flannel.<VNI>), overlay gateway and lease.
// Pure: a Snapshot (and optionally the desired leases) in, facts out.
import type { Lease } from '../model/lease.js';
import type { Snapshot } from '../model/snapshot.js';
import { cidrContains, intToIpv4, ipv4ToInt, isIPv4 } from '../model/net.js';
import { normalizeIPv6, normalizeSubnet6 } from '../model/ipv6.js';
import { absenceProves } from './collected.js';
import { isKnownDown } from './link-state.js';

export interface NodeFacts {
  name: string;
  /** the vxlan link flannel programs (flannel.<VNI>); undefined when the node has none */
  vtepDev?: string;
  /** the vxlan link is known to be down: the kernel dropped its routes and neighbours */
  vtepDown?: boolean;
  /** flannel.1's real MAC, from the node itself */
  vtepMac?: string;
  /** vxlan `local`: the underlay address peers must send to */
  publicIp?: string;
  /** the /32 on flannel.1: <lease>.0, the gateway peers route this node's subnet via */
  overlayIp?: string;
  /** the lease subnet, e.g. 10.244.3.0/24 (subnet.env, else cni0, else the desired lease) */
  subnet?: string;
  /** where `subnet` came from */
  subnetFrom?: 'subnet.env' | 'cni0' | 'lease';
  lease?: Lease;
}

export function networkOf(ip: string, len: number): string {
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return `${intToIpv4((ipv4ToInt(ip) & mask) >>> 0)}/${len}`;
}

/** The vxlan device flannel uses: flannel.<VNI> first, any vxlan link otherwise (never flannel-v6.<VNI>, the IPv6 one). */
export function vtepLink(s: Snapshot) {
  const vxlans = s.links.filter((l) => l.kind === 'vxlan' && !/^flannel-v6\.\d+$/.test(l.name));
  return vxlans.find((l) => /^flannel\.\d+$/.test(l.name)) ?? vxlans[0];
}

export function nodeFacts(s: Snapshot, leases: Lease[] = []): NodeFacts {
  const link = vtepLink(s);
  const facts: NodeFacts = { name: s.host };
  if (link && link.kind === 'vxlan') {
    facts.vtepDev = link.name;
    if (isKnownDown(link)) facts.vtepDown = true;
    facts.vtepMac = link.mac?.toLowerCase();
    facts.publicIp = link.local;
    facts.overlayIp = s.addresses.find((a) => a.dev === link.name && a.family === 'inet')?.local;
  }
  const env = s.subnetEnv?.subnet;
  const cni0 = s.addresses.find((a) => a.dev === 'cni0' && a.family === 'inet');
  if (env && /^[\d.]+\/\d+$/.test(env)) {
    const [ip, len] = env.split('/');
    facts.subnet = networkOf(ip, Number(len));
    facts.subnetFrom = 'subnet.env';
  } else if (cni0 && isIPv4(cni0.local)) {
    facts.subnet = networkOf(cni0.local, cni0.prefixlen);
    facts.subnetFrom = 'cni0';
  }
  facts.lease = findLease(facts, leases);
  if (!facts.subnet && facts.lease) {
    facts.subnet = facts.lease.subnet;
    facts.subnetFrom = 'lease';
  }
  return facts;
}

/** The lease for a node: by name, else by public IP, else by subnet containing its overlay IP. */
function findLease(f: NodeFacts, leases: Lease[]): Lease | undefined {
  return (
    leases.find((l) => l.node !== undefined && l.node === f.name) ??
    leases.find((l) => f.publicIp !== undefined && l.publicIp === f.publicIp) ??
    leases.find((l) => f.overlayIp !== undefined && l.subnet !== undefined && cidrContains(l.subnet, f.overlayIp))
  );
}

/** The IPv6 half of a dual-stack node (flannel-v6.<VNI>), from its own snapshot. */
export interface NodeFacts6 {
  dev: string;
  vni?: number;
  down?: boolean;
  /** a dual-stack node (its lease, subnet.env or cni0 has an IPv6 half) whose link list, read whole, has no flannel-v6 */
  missing?: boolean;
  /** flannel-v6.<VNI>'s real MAC */
  mac?: string;
  /** its vxlan `local`: the node's public-ipv6 */
  publicIp?: string;
  /** FLANNEL_IPV6_SUBNET, else cni0's IPv6 prefix, else the lease's subnet6 */
  subnet?: string;
}

export function nodeFacts6(s: Snapshot, lease?: Lease): NodeFacts6 | undefined {
  const link = s.links.find((l) => l.kind === 'vxlan' && /^flannel-v6\.\d+$/.test(l.name));
  const subnet = subnet6Of(s, lease);
  if (!link && subnet && absenceProves(s)) {
    const vni = lease?.vni6 ?? lease?.vni ?? 1;
    return { dev: `flannel-v6.${vni}`, vni, missing: true, subnet };
  }
  if (!link || link.kind !== 'vxlan') return undefined;
  const facts: NodeFacts6 = { dev: link.name, vni: Number(link.name.slice('flannel-v6.'.length)) };
  if (isKnownDown(link)) facts.down = true;
  if (link.mac) facts.mac = link.mac.toLowerCase();
  const local = link.local ? normalizeIPv6(link.local) : undefined;
  if (local) facts.publicIp = local;
  if (subnet) facts.subnet = subnet;
  return facts;
}

/** FLANNEL_IPV6_SUBNET, else cni0's IPv6 prefix, else the lease's subnet6. */
export function subnet6Of(s: Snapshot, lease?: Lease): string | undefined {
  const env = s.subnetEnv?.ipv6Subnet && normalizeSubnet6(s.subnetEnv.ipv6Subnet);
  const cni0 = s.addresses.find((a) => a.dev === 'cni0' && a.family === 'inet6' && !a.local.toLowerCase().startsWith('fe80:'));
  return env || (cni0 && normalizeSubnet6(`${cni0.local}/${cni0.prefixlen}`)) || (lease?.subnet6 && normalizeSubnet6(lease.subnet6)) || undefined;
}
