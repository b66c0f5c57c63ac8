// Everything the doctor checks and the repair plan need, computed once and indexed with Maps so both
// stay linear in the number of leases and kernel entries (50,000 peers).
import { type LocalLease, resolveLocal } from '../../leases/local.js';
import { normalizeSubnet } from '../../leases/lease.js';
import type { Address } from '../../model/address.js';
import type { FdbEntry } from '../../model/fdb.js';
import { type DesiredState, hasV4, hasV6, type Lease, leaseName, type NetConf } from '../../model/lease.js';
import type { Link } from '../../model/link.js';
import type { Neigh } from '../../model/neigh.js';
import type { Route } from '../../model/route.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { SubnetEnv } from '../../model/subnet-env.js';

export interface CheckContext {
  snapshot: Snapshot;
  node: string;
  /** --node NAME: this node's name in the leases */
  nodeName?: string;
  desired?: DesiredState;
  netConf?: NetConf;
  leases?: LocalLease;
  subnetEnv?: SubnetEnv;
  /** vxlan, host-gw, ipip… (lower case) when known from the own lease, net-conf or the devices present */
  backend?: string;
  /** this node's lease subnet (lease, else subnet.env) */
  ownSubnet?: string;
  /** flannel Network (net-conf, else subnet.env) */
  network?: string;
  /**
   * why this node runs no IPv4 family (an IPv6-only node: net-conf EnableIPv4 false, a lease with no IPv4 part, a
   * subnet.env with FLANNEL_IPV6_SUBNET and no FLANNEL_SUBNET); undefined when it does or nothing says. Its IPv4
   * checks (flannel.1, v4 routes, cni0's v4 address, FLANNEL-* masquerade) are then not applicable.
   */
  v6Only?: string;
  vxlanName: string;
  vxlan?: Link;
  links: Map<string, Link>;
  linksByIndex: Map<number, Link>;
  addrsByDev: Map<string, Address[]>;
  /** neighbours on the vxlan device by dst */
  neighByDst: Map<string, Neigh>;
  /** `self` fdb entries on the vxlan device by MAC (one MAC may have several dsts) */
  fdbByMac: Map<string, FdbEntry[]>;
  /** main-table routes by dst; a dst may have several (metrics) */
  routesByDst: Map<string, Route[]>;
}

export interface ContextInput {
  snapshot: Snapshot;
  desired?: DesiredState;
  /** --node NAME */
  nodeName?: string;
  /** --subnet-env FILE, overriding the snapshot's */
  subnetEnv?: SubnetEnv;
}

/** `10.244.3.0/24` -> `10.244.3.0`: flannel's VTEP overlay address for a lease (the gateway of its route). */
export const subnetAddress = (subnet: string): string => subnet.split('/')[0];

/** FLANNEL_SUBNET `10.244.1.1/24` -> `10.244.1.0/24`. */
export const envSubnet = (env?: SubnetEnv): string | undefined => (env?.subnet ? normalizeSubnet(env.subnet) : undefined);

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function buildContext(input: ContextInput): CheckContext {
  const { snapshot, desired } = input;
  const subnetEnv = input.subnetEnv ?? snapshot.subnetEnv;
  const leases = desired ? resolveLocal(desired, subnetEnv === snapshot.subnetEnv ? snapshot : { ...snapshot, subnetEnv }, input.nodeName) : undefined;
  const own = leases?.local;
  const netConf = desired?.netConf;
  const links = new Map(snapshot.links.map((l) => [l.name, l]));
  const linksByIndex = new Map(snapshot.links.map((l) => [l.ifindex, l]));
  const vni = own?.vni ?? netConf?.Backend?.VNI;
  // saved outputs (ifconfig, flag-less `ip link`) may not know the kind: flannel's name is enough then
  const guessed = snapshot.links.find((l) => /^flannel\.\d+$/.test(l.name) && (l.kind === 'vxlan' || !KNOWN_OTHER.has(l.kind)));
  const vxlanName = vni !== undefined ? `flannel.${vni}` : (guessed?.name ?? 'flannel.1');
  const backend =
    own?.backendType ??
    netConf?.Backend?.Type?.toLowerCase() ??
    // a v6-only node's only vxlan device is flannel-v6.<VNI>
    (guessed || snapshot.links.some((l) => /^flannel-v6\.\d+$/.test(l.name) && l.kind === 'vxlan') ? 'vxlan' : links.has('flannel.ipip') ? 'ipip' : links.has('flannel-wg') ? 'wireguard' : undefined);

  const addrsByDev = new Map<string, Address[]>();
  for (const a of snapshot.addresses) push(addrsByDev, a.dev, a);
  const neighByDst = new Map<string, Neigh>();
  for (const n of snapshot.neigh) if (n.dev === vxlanName) neighByDst.set(n.dst, n);
  const fdbByMac = new Map<string, FdbEntry[]>();
  for (const f of snapshot.fdb) if (f.dev === vxlanName && f.self && !f.master) push(fdbByMac, f.mac, f);
  const routesByDst = new Map<string, Route[]>();
  for (const r of snapshot.routes) if (r.table === 'main' && r.type === 'unicast') push(routesByDst, r.dst, r);

  return {
    snapshot,
    node: snapshot.host,
    ...(input.nodeName !== undefined ? { nodeName: input.nodeName } : {}),
    desired,
    netConf,
    leases,
    subnetEnv,
    backend,
    ownSubnet: own?.subnet ?? envSubnet(subnetEnv),
    network: (netConf?.Network && normalizeSubnet(netConf.Network)) || (subnetEnv?.network && normalizeSubnet(subnetEnv.network)) || undefined,
    ...withV6Only(v6OnlyWhy(own, netConf, subnetEnv, desired?.leases)),
    vxlanName,
    vxlan: links.get(vxlanName),
    links,
    linksByIndex,
    addrsByDev,
    neighByDst,
    fdbByMac,
    routesByDst,
  };
}

/** Why a node runs flannel without IPv4 (what flanneld was told, or what it wrote), or undefined. */
export function v6OnlyWhy(own: Lease | undefined, netConf: NetConf | undefined, env: SubnetEnv | undefined, leases: Lease[] = []): string | undefined {
  if (netConf?.EnableIPv4 === false) return 'net-conf.json EnableIPv4: false';
  if (own && !hasV4(own) && hasV6(own)) return `its lease ${leaseName(own)} has an IPv6 part only`;
  // its own lease not recognised (the addresses not given): a cluster whose every lease is v6-only runs no IPv4
  if (!own && leases.length > 0 && leases.every((l) => !hasV4(l))) return 'no lease of the desired state has an IPv4 part';
  // flanneld writes FLANNEL_SUBNET only when EnableIPv4 (WriteSubnetFile)
  if (env && env.vars.FLANNEL_SUBNET === undefined && env.ipv6Subnet !== undefined) return 'subnet.env has FLANNEL_IPV6_SUBNET and no FLANNEL_SUBNET';
  return undefined;
}

const withV6Only = (why: string | undefined): { v6Only?: string } => (why ? { v6Only: why } : {});

/** The skipped reason of an IPv4 check on an IPv6-only node. */
export const notApplicableV4 = (why: string): string => `not applicable: an IPv6-only node (${why})`;

/** The remote leases this node programs: same backend as its own (flannel ignores other types). */
export function remoteLeases(ctx: CheckContext): Lease[] {
  const remotes = ctx.leases?.remotes ?? [];
  return ctx.backend ? remotes.filter((l) => l.backendType === ctx.backend) : remotes;
}

/** The device that carries `ip` (the underlay for a vxlan local address / public IP). */
export function deviceWithAddress(ctx: CheckContext, ip: string): Link | undefined {
  for (const [dev, addrs] of ctx.addrsByDev) if (addrs.some((a) => a.local === ip)) return ctx.links.get(dev);
  return undefined;
}

/** Kinds a parser knows for sure are not vxlan (`device`/`other` mean "not told"). */
export const KNOWN_OTHER = new Set(['loopback', 'veth', 'bridge', 'ipip', 'wireguard', 'dummy']);
