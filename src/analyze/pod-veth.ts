// flanctl pod-veth: pod eth0 <-> host veth, the way the seed posts do it by hand:
// the pod's eth0 iflink (or `ethtool -S eth0` peer_ifindex) is the host veth's ifindex. When the pod's
// netns could not be entered, the bridge's learned fdb (MAC -> port) plus its neigh (IP -> MAC) stand in.
import type { IpamAllocation, Snapshot } from '../model/index.js';
import { absenceProves, indexNode, masterOf, needsBridge, podPeerIfindex, podsComplete, type NodeIndex } from './trace-index.js';
import { podBridge } from './trace-overlay.js';

export interface PodVethEntry {
  pod: string;
  netns?: string;
  ip: string;
  /** the pod's global IPv6 address (dual stack) */
  ip6?: string;
  mac?: string;
  hostVeth: string;
  hostIfindex: number;
  /** the pod eth0's iflink: equals hostIfindex when the mapping holds */
  podIflink: number;
  bridge?: string;
  node: string;
  podIfindex?: number;
  pid?: number;
  containerId?: string;
  /** calico-style: a `/32 dev <veth>` route reaches the pod, no bridge needed */
  routed?: boolean;
  /** netns: read inside the pod; bridge-fdb: inferred from the bridge's fdb and neigh */
  source: 'netns' | 'bridge-fdb';
  problem?: string;
}

export interface PodVethProblem {
  code: string;
  node: string;
  device: string;
  detail: string;
}

export interface PodVethResult {
  pods: PodVethEntry[];
  /** host veths on a bridge that no pod maps to */
  unmapped: { node: string; hostVeth: string; hostIfindex: number; bridge?: string; netns?: string }[];
  problems: PodVethProblem[];
  /** what could not be judged because the data given lacks it, with what to run (never a problem) */
  unverified: string[];
}

export function podVeth(snapshots: Snapshot[], query?: string): PodVethResult {
  const result: PodVethResult = { pods: [], unmapped: [], problems: [], unverified: [] };
  for (const snap of snapshots) mapNode(indexNode(snap), result);
  if (query !== undefined) {
    result.pods = result.pods.filter((p) => matches(p, query));
    result.unmapped = result.unmapped.filter((u) => u.hostVeth === query || u.netns === query);
    const keep = new Set([...result.pods.map((p) => p.hostVeth), ...result.unmapped.map((u) => u.hostVeth)]);
    result.problems = result.problems.filter((p) => keep.has(p.device));
  }
  return result;
}

function matches(p: PodVethEntry, q: string): boolean {
  const name = p.pod.includes('/') ? p.pod.split('/')[1] : p.pod;
  return [p.pod, name, p.netns, p.ip, p.ip6, p.hostVeth, p.pid?.toString()].includes(q) || (q.length >= 6 && p.containerId?.startsWith(q) === true);
}

function mapNode(node: NodeIndex, out: PodVethResult): void {
  const ipamByIp = new Map<string, IpamAllocation>();
  for (const a of node.snap.ipam) ipamByIp.set(a.ip, a);
  const mapped = new Set<string>();
  const problem = (code: string, device: string, detail: string): void => void out.problems.push({ code, node: node.name, device, detail });

  for (const p of node.snap.pods) {
    const peer = podPeerIfindex(p);
    const veth = peer !== undefined ? node.linksByIfindex.get(peer) : undefined;
    const name = p.pod ?? p.netns ?? p.ip ?? '?';
    if (!veth) {
      // nothing to map without the iflink; and a grep'd saved link list proves no absence
      if (peer !== undefined && absenceProves(node)) problem('POD_VETH_MISSING', name, `pod ${name}: eth0 iflink ${peer} matches no host interface on ${node.name}`);
      continue;
    }
    mapped.add(veth.name);
    const entry: PodVethEntry = {
      pod: name,
      netns: p.netns,
      ip: p.ip ?? '',
      ...(p.ip6 ? { ip6: p.ip6 } : {}),
      mac: p.mac,
      hostVeth: veth.name,
      hostIfindex: veth.ifindex,
      podIflink: peer!,
      bridge: masterOf(node, veth.name),
      node: node.name,
      podIfindex: p.ifindex,
      pid: p.pid,
      containerId: p.containerId ?? (p.ip ? ipamByIp.get(p.ip)?.containerId : undefined),
      source: 'netns',
    };
    if (node.routedDevs.has(veth.name)) entry.routed = true;
    if (!entry.bridge && needsBridge(node, veth.name)) {
      entry.problem = 'VETH_NO_MASTER';
      problem('VETH_NO_MASTER', veth.name, `${veth.name} (pod ${name}) has no master: the pod is cut off from the bridge`);
    } else if (veth.linkIndex !== undefined && p.ifindex !== undefined && veth.linkIndex !== p.ifindex) {
      entry.problem = 'POD_IFLINK_MISMATCH';
      problem('POD_IFLINK_MISMATCH', veth.name, `${veth.name} points at ifindex ${veth.linkIndex}, the pod's eth0 is ${p.ifindex}`);
    }
    out.pods.push(entry);
  }

  // without the pod's netns: the bridge learned each pod MAC on its port, and its neigh maps the pod IP to that MAC
  const bridge = podBridge(node);
  // the bridge's neighbours by MAC, per family (a dual-stack pod answers for both of its addresses)
  const neighByMac = new Map<string, string>();
  const neigh6ByMac = new Map<string, string>();
  for (const n of node.snap.neigh) if (n.lladdr && (!bridge || n.dev === bridge)) (n.dst.includes(':') ? neigh6ByMac : neighByMac).set(n.lladdr, n.dst);
  for (const f of node.snap.fdb) {
    const veth = node.links.get(f.dev);
    if (!veth || veth.kind !== 'veth' || mapped.has(veth.name) || f.self || f.state === 'permanent' || f.mac === veth.mac) continue;
    const ip6 = neigh6ByMac.get(f.mac);
    const ip = neighByMac.get(f.mac) ?? ip6;
    if (!ip) continue;
    mapped.add(veth.name);
    const ipam = ipamByIp.get(ip);
    out.pods.push({ pod: veth.linkNetns ?? ipam?.containerId?.slice(0, 12) ?? ip, netns: veth.linkNetns, ip, ...(ip6 && ip6 !== ip ? { ip6 } : {}), mac: f.mac, hostVeth: veth.name, hostIfindex: veth.ifindex, podIflink: veth.ifindex, podIfindex: veth.linkIndex, bridge: masterOf(node, veth.name), node: node.name, containerId: ipam?.containerId, source: 'bridge-fdb' });
  }

  const podsKnown = podsComplete(node);
  for (const l of node.snap.links) {
    if (l.kind !== 'veth' || mapped.has(l.name)) continue;
    const master = masterOf(node, l.name);
    if (!master && needsBridge(node, l.name)) problem('VETH_NO_MASTER', l.name, `${l.name} has no master: a pod veth off the bridge, or a leftover`);
    if (!master) continue;
    out.unmapped.push({ node: node.name, hostVeth: l.name, hostIfindex: l.ifindex, bridge: master, netns: l.linkNetns });
    if (podsKnown) problem('VETH_NO_POD', l.name, `${l.name} on ${master} belongs to no running pod: a leaked veth`);
  }
  if (podsKnown) {
    // host-local allocates both families of a dual-stack pod
    const podIps = new Set(node.snap.pods.flatMap((p) => [p.ip, p.ip6]));
    for (const a of node.snap.ipam) if (!podIps.has(a.ip)) problem('IPAM_LEAK', a.network, `host-local holds ${a.ip} for container ${a.containerId.slice(0, 12)}, which runs no pod`);
  } else {
    // without every pod's own eth0 a veth or an allocation with no pod seen may still belong to one
    const open = [
      ...(out.unmapped.some((u) => u.node === node.name) ? ['whether the veths with no known pod are leaked (VETH_NO_POD)'] : []),
      ...(node.snap.ipam.length ? ["whether host-local's allocations all belong to running pods (IPAM_LEAK)"] : []),
    ];
    if (open.length) out.unverified.push(`${node.name}: ${open.join('; ')}: the pods' eth0 were not read; run \`flanctl pod-veth\` on the node itself (it enters each pod's netns)`);
  }
}
