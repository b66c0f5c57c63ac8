// A dual-stack flannel VXLAN cluster in namespaces: the IPv4 half exactly as flannel-cluster.ts builds it, plus
// the IPv6 half flanneld programs when EnableIPv6 is set (reference §1.2 "Same logic for IPv6 with flannel-v6.1"):
//   node ns:  eth0 also fd00:56::1N/64; flannel-v6.1 (vxlan id 1 local fd00:56::1N dev eth0 dstport 8472
//             nolearning, its own VtepMAC), fd00:10:244:N::/128 on it; cni0 also fd00:10:244:N::1/64;
//             net.ipv6.conf.all.forwarding=1; per peer: neigh fd00:10:244:M:: -> VtepMAC6 PERMANENT,
//             fdb VtepMAC6 dst fd00:56::1M self permanent, route fd00:10:244:M::/64 via fd00:10:244:M:: onlink
//   pod ns:   eth0 also fd00:10:244:N::P/64, default via fd00:10:244:N::1
// MTU: flannel sets ext MTU − 50 on flannel-v6.1 too, but the kernel refuses a vxlan-over-IPv6 MTU above the
// underlay's − 70 (1430 on a 1500 underlay): the lab uses 1430.
// family 'v6': a v6-only cluster (flanneld with EnableIPv4 false, EnableIPv6 true): the same IPv6 half alone — no
// flannel.1, no IPv4 address on eth0, cni0 or the pods, cni0 and the pods at flannel-v6.1's MTU (FLANNEL_MTU).
import type { Lab } from './lab.js';
import { buildFlannelCluster, flannelNodeObject, type LabCluster, type LabNode, randomMac } from './flannel-cluster.js';

export const V6_MTU = 1430;
export const nodeIp6 = (i: number): string => `fd00:56::${11 + i}`;
export const nodeSubnet6 = (i: number): string => `fd00:10:244:${i + 1}::/64`;
const base6 = (subnet: string): string => subnet.split('/')[0];

export interface DualNode extends LabNode {
  ip6: string;
  subnet6: string;
  vtepMac6: string;
  pods: (LabNode['pods'][number] & { ip6: string })[];
}

export interface DualCluster extends LabCluster {
  nodes: DualNode[];
}

export function buildDualStackCluster(lab: Lab, opts: { nodes?: number; podsPerNode?: number; family?: 'dual' | 'v6' } = {}): DualCluster {
  const v6Only = opts.family === 'v6';
  const v4 = buildFlannelCluster(lab, { nodes: opts.nodes ?? 2, podsPerNode: opts.podsPerNode ?? 1, ...(v6Only ? { v4: false, mtu: V6_MTU } : {}) });
  const nodes = v4.nodes.map((n, i): DualNode => {
    const ip6 = nodeIp6(i);
    const subnet6 = nodeSubnet6(i);
    const vtepMac6 = randomMac();
    const ns = n.netns;
    lab.exec(ns, ['sysctl', '-q', '-w', 'net.ipv6.conf.all.forwarding=1']);
    lab.ip(ns, ['-6', 'addr', 'add', `${ip6}/64`, 'dev', 'eth0', 'nodad']);
    lab.ip(ns, ['link', 'add', 'flannel-v6.1', 'address', vtepMac6, 'type', 'vxlan', 'id', '1', 'local', ip6, 'dev', 'eth0', 'dstport', '8472', 'nolearning']);
    lab.ip(ns, ['link', 'set', 'flannel-v6.1', 'mtu', String(V6_MTU)]);
    lab.ip(ns, ['-6', 'addr', 'add', `${base6(subnet6)}/128`, 'dev', 'flannel-v6.1', 'nodad']);
    lab.ip(ns, ['link', 'set', 'flannel-v6.1', 'up']);
    lab.ip(ns, ['-6', 'addr', 'add', `${base6(subnet6)}1/64`, 'dev', 'cni0', 'nodad']);
    const pods = n.pods.map((p, k) => {
      const podIp6 = `${base6(subnet6)}${k + 2}`;
      lab.ip(p.netns, ['-6', 'addr', 'add', `${podIp6}/64`, 'dev', 'eth0', 'nodad']);
      lab.ip(p.netns, ['-6', 'route', 'add', 'default', 'via', `${base6(subnet6)}1`, 'dev', 'eth0']);
      return { ...p, ip6: podIp6 };
    });
    return { ...n, ip6, subnet6, vtepMac6, pods };
  });
  for (const node of nodes) programPeers6(lab, node, nodes);
  return { ...v4, nodes };
}

/** flannel's per-peer triplet on flannel-v6.1, in flannel's order: neigh, fdb, route. */
export function programPeers6(lab: Lab, node: DualNode, all: DualNode[]): void {
  for (const peer of all) {
    if (peer === node) continue;
    const gw = base6(peer.subnet6);
    lab.ip(node.netns, ['-6', 'neigh', 'replace', gw, 'lladdr', peer.vtepMac6, 'dev', 'flannel-v6.1', 'nud', 'permanent']);
    lab.exec(node.netns, ['bridge', 'fdb', 'replace', peer.vtepMac6, 'dev', 'flannel-v6.1', 'dst', peer.ip6, 'self', 'permanent']);
    lab.ip(node.netns, ['-6', 'route', 'replace', peer.subnet6, 'via', gw, 'dev', 'flannel-v6.1', 'onlink']);
  }
}

/**
 * A Node object as flanneld annotates a dual-stack node (reference §3.1): the IPv4 one plus its v6 half; a v6-only
 * node (no IPv4 in the lab) gets the v6 half alone — no backend-data, no public-ip, an IPv6 podCIDR only.
 */
export function dualNodeObject(n: DualNode): object {
  if (!n.ip) return v6OnlyNodeObject(n);
  const v4 = flannelNodeObject(n) as { metadata: { annotations: Record<string, string> }; status: { addresses: object[] } };
  return {
    ...v4,
    metadata: {
      ...v4.metadata,
      annotations: {
        ...v4.metadata.annotations,
        'flannel.alpha.coreos.com/backend-v6-data': JSON.stringify({ VNI: 1, VtepMAC: n.vtepMac6 }),
        'flannel.alpha.coreos.com/public-ipv6': n.ip6,
      },
    },
    spec: { podCIDR: n.subnet, podCIDRs: [n.subnet, n.subnet6] },
    status: { addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'InternalIP', address: n.ip6 }, { type: 'Hostname', address: n.name }] },
  };
}

function v6OnlyNodeObject(n: DualNode): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      annotations: {
        'flannel.alpha.coreos.com/backend-type': 'vxlan',
        'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
        'flannel.alpha.coreos.com/backend-v6-data': JSON.stringify({ VNI: 1, VtepMAC: n.vtepMac6 }),
        'flannel.alpha.coreos.com/public-ipv6': n.ip6,
      },
    },
    spec: { podCIDR: n.subnet6, podCIDRs: [n.subnet6] },
    status: { addresses: [{ type: 'InternalIP', address: n.ip6 }, { type: 'Hostname', address: n.name }] },
  };
}

/** subnet.env as flanneld writes it on a v6-only node (WriteSubnetFile: no FLANNEL_NETWORK/FLANNEL_SUBNET without EnableIPv4). */
export function subnetEnv6Text(n: DualNode): string {
  return `FLANNEL_IPV6_NETWORK=fd00:10:244::/56\nFLANNEL_IPV6_SUBNET=${base6(n.subnet6)}1/64\nFLANNEL_MTU=${V6_MTU}\nFLANNEL_IPMASQ=true\n`;
}
