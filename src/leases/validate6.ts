// The IPv6 half of a lease (subnet6, public-ipv6, backend-v6-data) becomes `ip route replace <subnet6> via … dev
// flannel-v6.<VNI>` as root, like the IPv4 half: a v6 subnet that is no pod subnet (the default route, link-local,
// multicast, loopback, this node's own addresses or connected networks) is refused here. Only that half: the
// lease's IPv4 half stands on its own (validate.ts). Pure.
import type { Code } from '../model/codes.js';
import { parseIPv6 } from '../model/ipv6.js';
import type { Lease } from '../model/lease.js';
import type { Snapshot } from '../model/snapshot.js';

export interface Refusal6 {
  code: Code;
  reason: string;
}

// never a pod subnet: unspecified, loopback, IPv4-mapped, link-local, multicast
const RESERVED6 = ['::/128', '::1/128', '::ffff:0:0/96', 'fe80::/10', 'ff00::/8'];

function range6(cidr: string): [bigint, bigint] | undefined {
  const [ip, lenText, extra] = cidr.split('/');
  const g = parseIPv6(ip ?? '');
  if (!g || extra !== undefined || !/^\d{1,3}$/.test(lenText ?? '') || Number(lenText) > 128) return undefined;
  const n = g.reduce((a, x) => (a << 16n) | BigInt(x), 0n);
  const size = 1n << BigInt(128 - Number(lenText));
  const start = n - (n % size);
  return [start, start + size - 1n];
}

/** Do two IPv6 CIDRs share an address? */
export function overlaps6(a: string, b: string): boolean {
  const x = range6(a);
  const y = range6(b);
  return !!x && !!y && x[0] <= y[1] && y[0] <= x[1];
}

const within6 = (inner: string, outer: string): boolean => {
  const x = range6(inner);
  const y = range6(outer);
  return !!x && !!y && y[0] <= x[0] && x[1] <= y[1];
};

const isUnicastMac = (mac: string): boolean => mac !== '00:00:00:00:00:00' && (parseInt(mac.slice(0, 2), 16) & 1) === 0;

/** What is wrong with a lease's IPv6 half whatever node plans with it; undefined when nothing (or no v6 half). */
export function leaseRefusal6(lease: Lease, network6?: string): Refusal6 | undefined {
  const sn = lease.subnet6;
  if (sn === undefined) return undefined;
  if (!range6(sn)) return { code: 'LEASE_SUBNET_UNSAFE', reason: `IPv6 subnet ${sn} is not an IPv6 prefix` };
  if (sn.endsWith('/0')) return { code: 'LEASE_SUBNET_UNSAFE', reason: `IPv6 subnet ${sn} is the default route` };
  const reserved = RESERVED6.find((r) => overlaps6(sn, r));
  if (reserved) return { code: 'LEASE_SUBNET_UNSAFE', reason: `IPv6 subnet ${sn} overlaps ${reserved} (never a pod subnet)` };
  if (network6 && range6(network6) && !within6(sn, network6)) return { code: 'LEASE_SUBNET_OUTSIDE_NETWORK', reason: `IPv6 subnet ${sn} is outside the flannel IPv6Network ${network6}` };
  const ip = lease.publicIpv6;
  if (ip !== undefined && (!range6(`${ip}/128`) || RESERVED6.some((r) => overlaps6(`${ip}/128`, r)))) return { code: 'LEASE_BAD_PUBLIC_IP', reason: `public-ipv6 ${ip} is not a global unicast address` };
  if (lease.vtepMac6 !== undefined && !isUnicastMac(lease.vtepMac6)) return { code: 'LEASE_BAD_VTEP_MAC', reason: `backend-v6-data VtepMAC ${lease.vtepMac6} is not a unicast MAC` };
  return undefined;
}

/** What this node has in IPv6 that a remote lease must not cover. */
export interface NodeGround6 {
  overlayDevs: Set<string>;
  /** this node's own IPv6 lease */
  ownSubnet6?: string;
  /** the flannel IPv6Network as this node knows it (subnet.env), when net-conf did not say */
  network6?: string;
  snapshot: Snapshot;
}

/** Why the IPv6 half of `lease` (a remote one) must not be programmed on this node; undefined when it may. */
export function nodeRefusal6(lease: Lease, g: NodeGround6): Refusal6 | undefined {
  const sn = lease.subnet6;
  if (sn === undefined) return undefined;
  if (g.ownSubnet6 && overlaps6(sn, g.ownSubnet6)) return { code: 'LEASE_SUBNET_OVERLAPS_NODE', reason: `IPv6 subnet ${sn} overlaps this node's own IPv6 lease ${g.ownSubnet6}` };
  if (g.network6 && range6(g.network6) && !within6(sn, g.network6)) return { code: 'LEASE_SUBNET_OUTSIDE_NETWORK', reason: `IPv6 subnet ${sn} is outside this node's flannel IPv6Network ${g.network6}` };
  const { addresses, routes } = groundOf6(g);
  for (const a of addresses) {
    if (overlaps6(sn, `${a.local}/${a.prefixlen}`)) return { code: 'LEASE_SUBNET_OVERLAPS_NODE', reason: `IPv6 subnet ${sn} overlaps ${a.local}/${a.prefixlen} on ${a.dev}` };
  }
  for (const r of routes) {
    if (overlaps6(sn, r.dst.includes('/') ? r.dst : `${r.dst}/128`)) return { code: 'LEASE_SUBNET_OVERLAPS_NODE', reason: `IPv6 subnet ${sn} overlaps the connected route ${r.dst}${r.dev ? ` dev ${r.dev}` : ''}` };
  }
  return undefined;
}

const grounds = new WeakMap<NodeGround6, { addresses: Snapshot['addresses']; routes: Snapshot['routes'] }>();

/** The node's own IPv6 addresses and connected IPv6 routes, picked once per node (validate.ts's groundOf, IPv6). */
function groundOf6(g: NodeGround6): { addresses: Snapshot['addresses']; routes: Snapshot['routes'] } {
  let ground = grounds.get(g);
  if (!ground) {
    const addresses = g.snapshot.addresses.filter((a) => a.family === 'inet6' && !g.overlayDevs.has(a.dev));
    // the kernel's connected routes and any link route: replacing one cuts the node off that network
    const routes = g.snapshot.routes.filter(
      (r) => r.dst.includes(':') && r.dst !== '::/0' && !(r.dev !== undefined && g.overlayDevs.has(r.dev)) && (r.proto === 'kernel' || (r.gateway === undefined && r.scope === 'link')),
    );
    grounds.set(g, (ground = { addresses, routes }));
  }
  return ground;
}

/** The lease without its IPv6 half: what is programmed when only that half is refused. */
export function withoutV6(lease: Lease): Lease {
  const out = { ...lease };
  delete out.subnet6;
  delete out.publicIpv6;
  delete out.vni6;
  delete out.vtepMac6;
  return out;
}
