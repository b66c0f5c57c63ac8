import * as z from './zod.js';
import type { Code } from './codes.js';

/**
 * One node's flannel lease: the desired state every other node programs for it. It has an IPv4 part (subnet,
 * publicIp, vni, vtepMac), an IPv6 part (subnet6, publicIpv6, vni6, vtepMac6) or both: flanneld with
 * `EnableIPv4: false, EnableIPv6: true` leases a v6 subnet alone.
 */
export const Lease = z
  .looseObject({
    /** the node name (kube mode) or the etcd key's subnet (etcd mode, no name known) */
    node: z.optional(z.string()),
    subnet: z.optional(z.string()),
    publicIp: z.optional(z.string()),
    backendType: z.string(),
    vni: z.optional(z.number().check(z.int())),
    vtepMac: z.optional(z.string()),
    /** wireguard backend-data: the node's WireGuard public key and listen port (flannel's wireguardLeaseAttrs) */
    publicKey: z.optional(z.string()),
    wgPort: z.optional(z.number().check(z.int())),
    /** dual stack: the IPv6 lease (podCIDRs' v6 entry, etcd key `&fd00:…-64`), public-ipv6, backend-v6-data */
    subnet6: z.optional(z.string()),
    publicIpv6: z.optional(z.string()),
    vni6: z.optional(z.number().check(z.int())),
    vtepMac6: z.optional(z.string()),
    /**
     * wireguard backend-v6-data: the key and port of the node's IPv6 peer, flannel-wg-v6's in Mode separate
     * (pkg/backend/wireguard/wireguard.go newSubnetAttrs: the same key as backend-data, Port = ListenPortV6, 51821)
     */
    publicKey6: z.optional(z.string()),
    wgPort6: z.optional(z.number().check(z.int())),
    /** where the lease came from: `nodes-file`, `kube`, `etcd-v2`, `etcd-v3` */
    source: z.optional(z.string()),
    /** the node's own addresses (kube status.addresses), to recognise the local node besides publicIp */
    addresses: z.optional(z.array(z.string())),
  })
  .check(
    z.refine((l) => (l.subnet !== undefined && l.publicIp !== undefined) || (l.subnet6 !== undefined && l.publicIpv6 !== undefined), {
      message: 'a lease has an IPv4 part (subnet, publicIp) or an IPv6 part (subnet6, publicIpv6)',
    }),
  );
export type Lease = z.infer<typeof Lease>;
/** A lease with its IPv4 part. */
export type LeaseV4 = Lease & { subnet: string; publicIp: string };
/** A lease with its IPv6 part. */
export type LeaseV6 = Lease & { subnet6: string; publicIpv6: string };

/** Does the lease have an IPv4 part (a v6-only node's has none)? */
export const hasV4 = (l: Lease): l is LeaseV4 => l.subnet !== undefined && l.publicIp !== undefined;
/** Does the lease have an IPv6 part? */
export const hasV6 = (l: Lease): l is LeaseV6 => l.subnet6 !== undefined && l.publicIpv6 !== undefined;
/** A lease in messages: its node, else its subnet (etcd leases name no node), else its IPv6 subnet. */
export const leaseName = (l: Lease): string => l.node ?? l.subnet ?? l.subnet6 ?? '?';

/** flannel's net-conf.json (etcd `<prefix>/config` or the kube-flannel-cfg ConfigMap). */
export const NetConf = z.looseObject({
  Network: z.optional(z.string()),
  IPv6Network: z.optional(z.string()),
  EnableIPv4: z.optional(z.boolean()),
  EnableIPv6: z.optional(z.boolean()),
  /** flannel ≥ 0.25: masquerade/forward rules in nftables tables instead of iptables FLANNEL-* chains */
  EnableNFTables: z.optional(z.boolean()),
  SubnetLen: z.optional(z.number().check(z.int())),
  Backend: z.optional(
    z.looseObject({
      Type: z._default(z.string(), 'vxlan'),
      VNI: z.optional(z.number().check(z.int())),
      Port: z.optional(z.number().check(z.int())),
      DirectRouting: z.optional(z.union([z.boolean(), z.string()])),
      MTU: z.optional(z.number().check(z.int())),
      /** wireguard: separate (default), auto, ipv4 or ipv6 (flannel's pkg/backend/wireguard/wireguard.go) */
      Mode: z.optional(z.string()),
    }),
  ),
});
export type NetConf = z.infer<typeof NetConf>;

/** Desired state for a cluster, from one source. */
export interface DesiredState {
  leases: Lease[];
  netConf?: NetConf;
  /** problems in the source itself (bad annotation JSON, duplicate subnets…), reported as findings */
  problems: { code: Code; node?: string; summary: string; evidence: string }[];
  /** leases left out because no node may program them (leases/validate.ts); each is also in `problems` */
  refused?: { lease: Lease; code: Code; reason: string; family?: 'v6' }[];
  /**
   * why these leases are not all the cluster's (grep'd annotation lines, one `kubectl get node NAME`): an entry no
   * lease holds is then unverified, not stale
   */
  incomplete?: string;
  /** grep'd annotations short of a whole lease (no podCIDR, no public-ip…): what is known, and what is not */
  partial?: PartialLease[];
}

/** The known part of a node's lease, from annotation lines that left some out. */
export interface PartialLease {
  node: string;
  backendType?: string;
  subnet?: string;
  publicIp?: string;
  vni?: number;
  vtepMac?: string;
  /** the fields the paste did not show */
  missing: string[];
}
