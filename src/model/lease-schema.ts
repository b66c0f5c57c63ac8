// The lease and net-conf schemas, apart from model/lease.ts's types and helpers: only the readers of desired state
// (leases/kube.ts, leases/etcd-keys.ts) build them, not every command that only looks at a node's tables.
import * as z from './zod.js';

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
