// Which lease is this node's own. Hostnames are not reliable (a snapshot's host may be a netns or a
// directory name), so the node's addresses decide: the lease whose public IP is one of them, then the lease
// whose subnet is FLANNEL_SUBNET's or flannel.1's, unless --node names it.
import { UsageError } from '../errors.js';
import { type DesiredState, hasV4, type Lease, leaseName } from '../model/lease.js';
import type { Snapshot } from '../model/snapshot.js';
import { cidrContains6, normalizeIPv6, normalizeSubnet6 } from '../model/ipv6.js';
import { normalizeSubnet } from './lease.js';
import { nodeRefusals, type Refusal, within } from './validate.js';
import { nodeRefusal6, withoutV6 } from './validate6.js';

export interface LocalLease {
  local?: Lease;
  /** every other lease: what this node programs */
  remotes: Lease[];
  /** how the local lease was found, for the report */
  how: string;
  /** remote leases this node must not program (they cover its own subnet, addresses or connected routes) */
  refused: Refusal[];
}

export function resolveLocal(desired: DesiredState, snapshot: Snapshot, nodeName?: string): LocalLease {
  const { lease: local, how } = findLocal(desired, snapshot, nodeName);
  const envSubnet = snapshot.subnetEnv?.subnet ? normalizeSubnet(snapshot.subnetEnv.subnet) : undefined;
  const ground = {
    snapshot,
    // flannel's devices by name, from whatever table names them (a link list not read still leaves their routes)
    overlayDevs: new Set([...snapshot.links.map((l) => l.name), ...snapshot.routes.map((r) => r.dev), ...snapshot.addresses.map((a) => a.dev)].filter((d): d is string => d !== undefined && /^flannel([.-]|0$)/.test(d))),
    ownSubnet: local?.subnet ?? envSubnet,
    network: desired.netConf?.Network ? undefined : snapshot.subnetEnv?.network && normalizeSubnet(snapshot.subnetEnv.network),
    ownSubnet6: local?.subnet6 ?? (snapshot.subnetEnv?.ipv6Subnet && normalizeSubnet6(snapshot.subnetEnv.ipv6Subnet)),
    network6: desired.netConf?.IPv6Network ? undefined : snapshot.subnetEnv?.ipv6Network && normalizeSubnet6(snapshot.subnetEnv.ipv6Network),
  };
  const remotes: Lease[] = [];
  const refused: Refusal[] = [];
  for (const l of desired.leases) {
    if (l === local) continue;
    const r = nodeRefusals(l, ground);
    const r6 = r.length ? undefined : nodeRefusal6(l, ground);
    if (r.length) refused.push(...r.map((x) => ({ lease: l, ...x })));
    else if (r6) {
      // only the IPv6 half is refused: the IPv4 half is still programmed
      refused.push({ lease: l, ...r6, family: 'v6' });
      // a v6-only lease has nothing left to program
      if (hasV4(l)) remotes.push(withoutV6(l));
    } else remotes.push(l);
  }
  return { local, remotes, how, refused };
}

/** This node's own lease and how it was recognised (without sorting the others: trace needs only this). */
export function findLocal(desired: DesiredState, snapshot: Snapshot, nodeName?: string): { lease?: Lease; how: string } {
  if (nodeName !== undefined) {
    const named = desired.leases.find((l) => l.node === nodeName);
    // a node the paste's annotation lines name without a whole lease: known, its lease is not
    if (!named && desired.partial?.some((p) => p.node === nodeName)) return { how: `--node ${nodeName} (its annotation lines make no whole lease)` };
    if (!named) throw new UsageError(`no lease for node ${JSON.stringify(nodeName)} in the desired state`, `nodes with leases: ${desired.leases.map(leaseName).slice(0, 10).join(', ')}`);
    return { lease: named, how: `--node ${nodeName}` };
  }
  // IPv6 addresses in RFC 5952 form, as the v6 lease fields are (a v6-only node has no IPv4 public IP)
  const mine = new Set(snapshot.addresses.map((a) => (a.family === 'inet6' ? normalizeIPv6(a.local) : a.family === 'inet' ? a.local : undefined)).filter((a) => a !== undefined));
  const publicIpOf = (l: Lease): string | undefined => (l.publicIp !== undefined && mine.has(l.publicIp) ? l.publicIp : l.publicIpv6 !== undefined && mine.has(l.publicIpv6) ? l.publicIpv6 : undefined);
  const byIp = desired.leases.find((l) => publicIpOf(l) !== undefined || (l.addresses ?? []).some((a) => mine.has(a)));
  if (byIp) return { lease: byIp, how: `public IP ${publicIpOf(byIp) ?? byIp.publicIp ?? byIp.publicIpv6} is an address of this node` };
  const envSubnet = snapshot.subnetEnv?.subnet ? normalizeSubnet(snapshot.subnetEnv.subnet) : undefined;
  const bySubnet = envSubnet ? desired.leases.find((l) => l.subnet === envSubnet) : undefined;
  if (bySubnet) return { lease: bySubnet, how: `FLANNEL_SUBNET is in lease ${bySubnet.subnet}` };
  const envSubnet6 = snapshot.subnetEnv?.ipv6Subnet ? normalizeSubnet6(snapshot.subnetEnv.ipv6Subnet) : undefined;
  const bySubnet6 = envSubnet6 ? desired.leases.find((l) => l.subnet6 === envSubnet6) : undefined;
  if (bySubnet6) return { lease: bySubnet6, how: `FLANNEL_IPV6_SUBNET is in lease ${bySubnet6.subnet6}` };
  return fromOwnState(desired.leases, snapshot) ?? { how: 'no lease matches this node\'s addresses or subnet.env' };
}

/**
 * Saved outputs without the address list still name the node: its tunnel's `local` and its kernel routes' `src`
 * are its own IPs, and the flannel device's `<lease>.0/32` sits in its own lease.
 */
function fromOwnState(leases: Lease[], s: Snapshot): { lease: Lease; how: string } | undefined {
  const ips = [
    ...s.links.flatMap((l) => ((l.kind === 'vxlan' || l.kind === 'ipip') && l.local ? [{ ip: l.local, how: `${l.name} local` }] : [])),
    ...s.routes.flatMap((r) => (r.src && r.proto === 'kernel' ? [{ ip: r.src, how: `the kernel route ${r.dst} src` }] : [])),
  ];
  for (const { ip, how } of ips) {
    const v6 = normalizeIPv6(ip);
    const l = leases.find((x) => x.publicIp === ip || (v6 !== undefined && x.publicIpv6 === v6));
    if (l) return { lease: l, how: `${how} ${ip} is lease ${leaseName(l)}'s public IP` };
  }
  const own = s.addresses.filter((a) => a.family === 'inet' && (/^flannel\.\d+$/.test(a.dev) || a.dev === 'flannel.ipip'));
  for (const a of own) {
    const l = leases.find((x) => x.subnet !== undefined && within(`${a.local}/32`, x.subnet));
    if (l) return { lease: l, how: `${a.dev}'s ${a.local} is in lease ${l.subnet}` };
  }
  // flannel-v6.<VNI>'s `<lease6>::/128`: its address, or the kernel's route for it (IPv6 routes print no src)
  const v6Dev = (dev?: string): boolean => dev !== undefined && /^flannel-v6\.\d+$/.test(dev);
  const own6 = [
    ...s.addresses.filter((a) => a.family === 'inet6' && v6Dev(a.dev)).map((a) => ({ ip: a.local, how: `${a.dev}'s ${a.local}` })),
    ...s.routes.filter((r) => r.proto === 'kernel' && v6Dev(r.dev) && !r.dst.startsWith('fe80')).map((r) => ({ ip: r.dst.split('/')[0], how: `the kernel route ${r.dst} dev ${r.dev}` })),
  ];
  for (const { ip, how } of own6) {
    const v6 = normalizeIPv6(ip);
    const l = v6 === undefined ? undefined : leases.find((x) => x.subnet6 !== undefined && cidrContains6(x.subnet6, v6));
    if (l) return { lease: l, how: `${how} is in lease ${l.subnet6}` };
  }
  return undefined;
}
