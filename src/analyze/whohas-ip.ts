// flanctl whohas <IP>: every place an IPv4 or IPv6 address appears across the snapshots and the desired leases —
// the interface that has it, the pod whose eth0 has it, neighbours that resolve it, fdb entries that send to it
// (it is a VTEP), and the leases that announce it as public IP or whose subnet holds it.
import type { DesiredState, Snapshot } from '../model/index.js';
import { cidrContains6, normalizeIPv6 } from '../model/ipv6.js';
import { cidrContains, isIPv4 } from '../model/net.js';
import { indexNode } from './trace-index.js';
import type { MacOwner, WhohasResult } from './whohas.js';

/** The address as the model stores it (RFC 5952 for IPv6), or undefined when it is not an IP address. */
export function normalizeIp(input: string): string | undefined {
  const s = input.trim();
  if (isIPv4(s)) return s;
  return s.includes(':') ? normalizeIPv6(s) : undefined;
}

export function whohasIp(snapshots: Snapshot[], ip: string, desired?: DesiredState): WhohasResult {
  const v6 = !isIPv4(ip);
  // saved outputs may spell an IPv6 address differently (leading zeros, upper case): compare normalised
  const same = (a: string | undefined): boolean => a !== undefined && (v6 ? normalizeIPv6(a) === ip : a === ip);
  const owners: MacOwner[] = [];
  /** the things that hold the address: an interface or a pod's eth0, per node */
  const holders = new Map<string, string>();

  for (const snap of snapshots) {
    const node = indexNode(snap);
    for (const a of snap.addresses) {
      if (!same(a.local)) continue;
      const link = node.links.get(a.dev);
      const pod = link?.kind === 'veth' ? node.podsByHostIfindex.get(link.ifindex) : undefined;
      const detail = `${a.family} ${a.local}/${a.prefixlen} on ${link?.kind ? `${link.kind} ` : ''}${a.dev} on ${node.name}${a.scope ? ` scope ${a.scope}` : ''}`;
      owners.push({ kind: 'link', device: a.dev, node: node.name, pod: pod?.pod, ip, detail });
      holders.set(`${node.name} ${a.dev}`, detail);
    }
    for (const p of snap.pods) {
      if (!same(p.ip) && !same(p.ip6)) continue;
      const veth = p.iflink !== undefined ? node.linksByIfindex.get(p.iflink) : undefined;
      const detail = `pod ${p.pod ?? p.netns ?? ip} ${p.ifname} on ${node.name}${veth ? `, host veth ${veth.name}` : ''}${p.mac ? ` (${p.mac})` : ''}`;
      owners.push({ kind: 'pod', device: p.ifname, node: node.name, pod: p.pod ?? p.netns, ip, detail });
      holders.set(`${node.name} pod ${p.pod ?? p.netns ?? p.ifindex}`, detail);
    }
    for (const n of snap.neigh) {
      if (!same(n.dst)) continue;
      const state = n.state.join(',');
      owners.push({ kind: 'neigh', device: n.dev, node: node.name, ip, state, detail: `${ip} -> ${n.lladdr ?? '(no lladdr)'} dev ${n.dev} ${state} on ${node.name}`.trim() });
    }
    for (const f of snap.fdb) {
      if (!same(f.dst)) continue;
      owners.push({ kind: 'fdb', device: f.dev, node: node.name, nodeIp: ip, detail: `${f.mac} dev ${f.dev} dst ${ip}${f.state ? ` ${f.state}` : ''} on ${node.name}: ${ip} is a VTEP` });
    }
  }
  for (const l of desired?.leases ?? []) {
    const name = l.node ?? l.publicIp ?? l.publicIpv6;
    const publicIp = v6 ? l.publicIpv6 : l.publicIp;
    const subnet = v6 ? l.subnet6 : l.subnet;
    if (same(publicIp) || l.addresses?.some(same)) {
      owners.push({ kind: 'lease', device: v6 ? 'public-ipv6' : 'public-ip', node: l.node, nodeIp: ip, ip: subnet, detail: `node ${name}'s address (lease ${subnet ?? '?'})` });
    } else if (subnet && (v6 ? cidrContains6(subnet, ip) : cidrContains(subnet, ip))) {
      owners.push({ kind: 'lease', device: 'subnet', node: l.node, nodeIp: publicIp, ip: subnet, detail: `in node ${name}'s lease ${subnet}${publicIp ? ` (reached at ${publicIp})` : ''}` });
    }
  }

  const duplicate = holders.size > 1;
  const conflicts = duplicate ? [`${holders.size} holders: ${[...holders.values()].join('; ')}`] : [];
  const summary = owners.length === 0 ? `nothing in the given state owns ${ip}` : duplicate ? `${ip} is held by ${holders.size} different things (duplicate address)` : `${ip}: ${owners[0].detail}`;
  return { ip, owners, duplicate, conflicts, summary };
}
