// Builds an N-node flannel VXLAN cluster in namespaces, exactly as flanneld + the bridge CNI plugin
// program a node (../shared/reference/flannel-node-state.md §1.2, §2):
//   switch ns:  bridge `underlay` joining every node's eth0 (the L2 underlay network)
//   node ns:    eth0 192.168.56.1N/24, flannel.1 (vxlan id 1 dstport 8472 nolearning local <ip> dev eth0,
//               mtu 1450, <subnet>.0/32), cni0 bridge <subnet>.1/24, ip_forward=1, and for every peer:
//               neigh <sn>.0 -> VtepMAC PERMANENT, fdb VtepMAC dst <peerIP> self permanent, route <sn> via <sn>.0 onlink
//   pod ns:     eth0 <subnet>.N/24 (mtu 1450), default via <subnet>.1; host side `veth<8 hex>` master cni0
import { randomBytes } from 'node:crypto';
import type { Lab } from './lab.js';

export interface LabPod {
  name: string;
  netns: string;
  ip: string;
  mac: string;
  hostVeth: string;
}

export interface LabNode {
  name: string;
  netns: string;
  ip: string;
  /** lease subnet, e.g. 10.244.1.0/24 */
  subnet: string;
  vtepMac: string;
  pods: LabPod[];
}

export interface LabCluster {
  switchNs: string;
  nodes: LabNode[];
}

export interface ClusterOptions {
  nodes?: number;
  podsPerNode?: number;
  /** skip programming peers (neigh/fdb/route) — for tests that let repair do it */
  programPeers?: boolean;
  /**
   * false: no IPv4 at all (flanneld with EnableIPv4 false): no v4 address on eth0, cni0 or the pods, no flannel.1 —
   * node.ip, node.subnet and pod.ip are then ''; flannel-cluster-v6.ts adds the IPv6 half
   */
  v4?: boolean;
  /** cni0's and the pods' MTU (FLANNEL_MTU: the flannel device's), 1450 by default */
  mtu?: number;
}

/** A locally administered unicast MAC, like flannel's pkg/mac. */
export function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0] & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export const nodeIp = (i: number): string => `192.168.56.${11 + i}`;
export const nodeSubnet = (i: number): string => `10.244.${i + 1}.0/24`;
const subnetBase = (subnet: string): string => subnet.split('/')[0].replace(/\.0$/, '');

export function buildFlannelCluster(lab: Lab, opts: ClusterOptions = {}): LabCluster {
  const count = opts.nodes ?? 3;
  const podsPerNode = opts.podsPerNode ?? 2;
  const v4 = opts.v4 ?? true;
  const mtu = String(opts.mtu ?? 1450);
  const switchNs = lab.addNs('sw');
  lab.ip(switchNs, ['link', 'add', 'underlay', 'type', 'bridge']);
  lab.ip(switchNs, ['link', 'set', 'underlay', 'up']);

  const nodes: LabNode[] = [];
  for (let i = 0; i < count; i++) {
    const name = `node${i + 1}`;
    const ns = lab.addNs(name);
    const ip = v4 ? nodeIp(i) : '';
    const subnet = v4 ? nodeSubnet(i) : '';
    const base = subnetBase(subnet);
    const vtepMac = randomMac();
    // underlay: node eth0 <-> switch port, created straight into the namespaces
    lab.ip(ns, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `p-${name}`, 'netns', switchNs]);
    lab.ip(switchNs, ['link', 'set', `p-${name}`, 'master', 'underlay', 'up']);
    if (v4) lab.ip(ns, ['addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    lab.ip(ns, ['link', 'set', 'eth0', 'up']);
    if (v4) {
      lab.exec(ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
      // flannel.1 as flanneld creates it
      lab.ip(ns, ['link', 'add', 'flannel.1', 'address', vtepMac, 'type', 'vxlan', 'id', '1', 'local', ip, 'dev', 'eth0', 'dstport', '8472', 'nolearning']);
      lab.ip(ns, ['link', 'set', 'flannel.1', 'mtu', '1450']);
      lab.ip(ns, ['addr', 'add', `${base}.0/32`, 'dev', 'flannel.1']);
      lab.ip(ns, ['link', 'set', 'flannel.1', 'up']);
    }
    // cni0 as the bridge plugin creates it (isGateway)
    lab.ip(ns, ['link', 'add', 'cni0', 'type', 'bridge']);
    lab.ip(ns, ['link', 'set', 'cni0', 'mtu', mtu]);
    if (v4) lab.ip(ns, ['addr', 'add', `${base}.1/24`, 'dev', 'cni0']);
    lab.ip(ns, ['link', 'set', 'cni0', 'up']);
    const pods: LabPod[] = [];
    for (let p = 0; p < podsPerNode; p++) pods.push(addPod(lab, ns, name, v4 ? base : undefined, p + 2, mtu));
    nodes.push({ name, netns: ns, ip, subnet, vtepMac, pods });
  }
  if (v4 && (opts.programPeers ?? true)) for (const node of nodes) programPeers(lab, node, nodes);
  return { switchNs, nodes };
}

/** A pod: its own namespace, eth0 with <base>.<host>/24 (none without a base: IPv6 only), host side veth<8 hex> on cni0. */
export function addPod(lab: Lab, nodeNs: string, nodeName: string, base: string | undefined, host: number, mtu = '1450'): LabPod {
  const name = `${nodeName}p${host}`;
  const netns = lab.addNs(name);
  const hostVeth = `veth${randomBytes(4).toString('hex')}`;
  lab.ip(nodeNs, ['link', 'add', hostVeth, 'mtu', mtu, 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', mtu, 'netns', netns]);
  lab.ip(nodeNs, ['link', 'set', hostVeth, 'master', 'cni0', 'up']);
  const ip = base === undefined ? '' : `${base}.${host}`;
  if (base !== undefined) lab.ip(netns, ['addr', 'add', `${ip}/24`, 'dev', 'eth0']);
  lab.ip(netns, ['link', 'set', 'eth0', 'up']);
  if (base !== undefined) lab.ip(netns, ['route', 'add', 'default', 'via', `${base}.1`, 'dev', 'eth0']);
  const mac = JSON.parse(lab.ip(netns, ['-j', 'link', 'show', 'eth0']))[0].address as string;
  return { name, netns, ip, mac, hostVeth };
}

/** flannel's per-peer triplet, in flannel's order: neigh, fdb, route. */
export function programPeers(lab: Lab, node: LabNode, all: LabNode[]): void {
  for (const peer of all) {
    if (peer === node) continue;
    const gw = `${subnetBase(peer.subnet)}.0`;
    lab.ip(node.netns, ['neigh', 'replace', gw, 'lladdr', peer.vtepMac, 'dev', 'flannel.1', 'nud', 'permanent']);
    lab.exec(node.netns, ['bridge', 'fdb', 'replace', peer.vtepMac, 'dev', 'flannel.1', 'dst', peer.ip, 'self', 'permanent']);
    lab.ip(node.netns, ['route', 'replace', peer.subnet, 'via', gw, 'dev', 'flannel.1', 'onlink']);
  }
}

/** A Kubernetes Node object as flanneld annotates it (reference §3.1). */
export function flannelNodeObject(n: { name: string; ip: string; subnet: string; vtepMac: string }): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      annotations: {
        'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 1, VtepMAC: n.vtepMac }),
        'flannel.alpha.coreos.com/backend-type': 'vxlan',
        'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
        'flannel.alpha.coreos.com/public-ip': n.ip,
      },
    },
    spec: { podCIDR: n.subnet, podCIDRs: [n.subnet] },
    status: { addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }] },
  };
}

/** `kubectl get nodes -o json` for the cluster. */
export function nodesJson(cluster: LabCluster): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: cluster.nodes.map(flannelNodeObject) }, null, 2);
}

/** subnet.env as flanneld writes it for a node. */
export function subnetEnvText(node: LabNode): string {
  return `FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=${subnetBase(node.subnet)}.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n`;
}
