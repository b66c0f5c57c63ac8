// flanctl whohas <mac>: every place a MAC appears across the snapshots and the desired leases —
// the interface that has it, neighbours that resolve to it, fdb entries that forward it, leases that announce it.
import type { DesiredState, Snapshot } from '../model/index.js';
import { normalizeIPv6 } from '../model/ipv6.js';
import { normalizeMac } from '../model/net.js';
import { indexLeases, indexNode, masterOf, nodeIpOf, type NodeIndex } from './trace-index.js';

export interface MacOwner {
  /**
   * link (an interface has it), pod (a pod's eth0), neigh (IP -> MAC), fdb (MAC -> port or remote VTEP), vtep (a
   * lease's VtepMAC); for an IP: lease (a lease's public IP, or its subnet holds the address)
   */
  kind: 'link' | 'pod' | 'neigh' | 'fdb' | 'vtep' | 'lease';
  device: string;
  /** the node (snapshot host, or the lease's node name) where it was seen */
  node?: string;
  /** the node IP it leads to: fdb dst, lease public IP, or the holder's own IP */
  nodeIp?: string;
  pod?: string;
  ip?: string;
  state?: string;
  detail: string;
}

export interface WhohasResult {
  /** the MAC asked about (whohas <mac>) */
  mac?: string;
  /** the IP address asked about (whohas <IP>), IPv6 in RFC 5952 form */
  ip?: string;
  owners: MacOwner[];
  /** two different things claim the MAC (two interfaces, or an interface and another node's lease) */
  duplicate: boolean;
  conflicts: string[];
  summary: string;
}

export function whohas(snapshots: Snapshot[], macInput: string, desired?: DesiredState): WhohasResult {
  const mac = normalizeMac(macInput);
  const leases = indexLeases(desired);
  const owners: MacOwner[] = [];
  /** the things that hold the MAC, by identity: the same VTEP seen as a link and as a lease is one holder */
  const holders = new Map<string, string>();
  const pointers: { what: string; nodeIp: string }[] = [];

  for (const snap of snapshots) {
    const node = indexNode(snap);
    const nodeIp = nodeIpOf(node, leases);
    for (const l of snap.links) {
      if (l.mac !== mac) continue;
      const pod = l.kind === 'veth' ? node.podsByHostIfindex.get(l.ifindex) : undefined;
      const master = masterOf(node, l.name);
      const peer = pod ? `peer of pod ${pod.pod ?? pod.ip ?? pod.netns} eth0` : l.linkNetns ? `peer in netns ${l.linkNetns}` : l.linkNetnsid !== undefined ? `peer in netnsid ${l.linkNetnsid}` : '';
      // flannel-v6.<VNI>'s local is the node's public-ipv6: the VTEP a v6 lease names by that address
      const local6 = l.kind === 'vxlan' && l.local?.includes(':') ? normalizeIPv6(l.local) : undefined;
      const vtepIp = local6 ?? nodeIp;
      const vtep = l.kind === 'vxlan' && vtepIp ? `the VTEP of node IP ${vtepIp}` : '';
      const detail = [`${l.kind} ${l.name} (ifindex ${l.ifindex}) on ${node.name}`, vtep, master ? `master ${master}` : '', peer].filter(Boolean).join(', ');
      owners.push({ kind: 'link', device: l.name, node: node.name, nodeIp: vtepIp, pod: pod?.pod, ip: pod?.ip, detail });
      holders.set(l.kind === 'vxlan' && vtepIp ? `vtep ${vtepIp}` : `${node.name} ${l.name}`, detail);
    }
    for (const b of snap.bridges) {
      // brctl's bridge id is priority + MAC; a bridge the link list already showed with this MAC is not a second holder
      if (!b.bridgeId || bridgeIdMac(b.bridgeId) !== mac || node.links.get(b.name)?.mac === mac) continue;
      const detail = `bridge ${b.name} on ${node.name} (brctl show bridge id ${b.bridgeId})`;
      owners.push({ kind: 'link', device: b.name, node: node.name, nodeIp, detail });
      holders.set(`${node.name} ${b.name}`, detail);
    }
    for (const p of snap.pods) {
      if (p.mac !== mac) continue;
      const detail = `pod ${p.pod ?? p.netns ?? p.ip} ${p.ifname} on ${node.name}${p.ip ? ` (${p.ip})` : ''}`;
      owners.push({ kind: 'pod', device: p.ifname, node: node.name, pod: p.pod ?? p.netns, ip: p.ip, detail });
      holders.set(`${node.name} pod ${p.pod ?? p.netns ?? p.ip}`, detail);
    }
    for (const n of snap.neigh) {
      if (n.lladdr !== mac) continue;
      const state = n.state.join(',');
      owners.push({ kind: 'neigh', device: n.dev, node: node.name, ip: n.dst, state, detail: `${n.dst} -> ${mac} dev ${n.dev} ${state} on ${node.name}`.trim() });
    }
    for (const f of node.fdb.get(mac) ?? []) owners.push(fdbOwner(node, f, leases));
    for (const f of node.fdb.get(mac) ?? []) if (f.dst) pointers.push({ what: `fdb on ${node.name}`, nodeIp: f.dst });
  }
  for (const l of desired?.leases ?? []) {
    if (l.vtepMac === mac) {
      const detail = `VtepMAC of node ${l.node ?? l.publicIp} (${l.publicIp}, lease ${l.subnet})`;
      owners.push({ kind: 'vtep', device: `flannel.${l.vni ?? 1}`, node: l.node, nodeIp: l.publicIp, ip: l.subnet, detail });
      holders.set(`vtep ${l.publicIp}`, detail);
    }
    // backend-v6-data's VtepMAC: flannel-v6.<VNI> of that node, reached at its public-ipv6
    if (l.vtepMac6 === mac && l.publicIpv6) {
      const detail = `IPv6 VtepMAC of node ${l.node ?? l.publicIpv6} (${l.publicIpv6}, lease ${l.subnet6 ?? '?'})`;
      owners.push({ kind: 'vtep', device: `flannel-v6.${l.vni6 ?? l.vni ?? 1}`, node: l.node, nodeIp: l.publicIpv6, ip: l.subnet6, detail });
      holders.set(`vtep ${l.publicIpv6}`, detail);
    }
  }

  const conflicts: string[] = [];
  if (holders.size > 1) conflicts.push(`${holders.size} holders: ${[...holders.values()].join('; ')}`);
  const vtepIps = new Set([...holders.keys()].filter((k) => k.startsWith('vtep ')).map((k) => k.slice(5)));
  for (const p of pointers) if (vtepIps.size && !vtepIps.has(p.nodeIp)) conflicts.push(`${p.what} sends ${mac} to ${p.nodeIp}, but it belongs to ${[...vtepIps].join(', ')}`);
  const dsts = new Set(pointers.map((p) => p.nodeIp));
  if (dsts.size > 1) conflicts.push(`fdb entries send ${mac} to ${dsts.size} different nodes: ${[...dsts].join(', ')}`);
  const duplicate = holders.size > 1;
  const summary = owners.length === 0 ? `nothing in the given state owns ${mac}` : duplicate ? `${mac} is claimed by ${holders.size} different things (duplicate MAC)` : `${mac}: ${owners[0].detail}`;
  return { mac, owners, duplicate, conflicts, summary };
}

function bridgeIdMac(id: string): string | undefined {
  try {
    return normalizeMac(id);
  } catch {
    return undefined;
  }
}

function fdbOwner(node: NodeIndex, f: Snapshot['fdb'][number], leases: ReturnType<typeof indexLeases>): MacOwner {
  if (f.dst) {
    const lease = leases?.byIp.get(f.dst);
    const name = lease?.node;
    return { kind: 'fdb', device: f.dev, node: node.name, nodeIp: f.dst, detail: `${f.mac} dev ${f.dev} dst ${f.dst}${f.state ? ` ${f.state}` : ''} on ${node.name} -> node ${name ?? f.dst}` };
  }
  const port = node.links.get(f.dev);
  const pod = port ? node.podsByHostIfindex.get(port.ifindex) : undefined;
  const bridge = f.master ?? masterOf(node, f.dev);
  const behind = pod ? ` -> pod ${pod.pod ?? pod.ip ?? pod.netns}` : port?.linkNetns ? ` -> netns ${port.linkNetns}` : '';
  return { kind: 'fdb', device: f.dev, node: node.name, pod: pod?.pod, ip: pod?.ip, state: f.state || undefined, detail: `${f.mac} on ${bridge ?? '?'} port ${f.dev}${f.state ? ` ${f.state}` : ''} on ${node.name}${behind}` };
}
