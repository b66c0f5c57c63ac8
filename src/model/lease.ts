import { z } from 'zod';
import type { Code } from './codes.js';

/** One node's flannel lease: the desired state every other node programs for it. */
export const Lease = z
  .object({
    /** the node name (kube mode) or the etcd key's subnet (etcd mode, no name known) */
    node: z.string().optional(),
    subnet: z.string(),
    publicIp: z.string(),
    backendType: z.string(),
    vni: z.number().int().optional(),
    vtepMac: z.string().optional(),
    /** wireguard backend-data: the node's WireGuard public key and listen port (flannel's wireguardLeaseAttrs) */
    publicKey: z.string().optional(),
    wgPort: z.number().int().optional(),
    /** dual stack: the IPv6 lease (podCIDRs' v6 entry, etcd key `&fd00:…-64`), public-ipv6, backend-v6-data */
    subnet6: z.string().optional(),
    publicIpv6: z.string().optional(),
    vni6: z.number().int().optional(),
    vtepMac6: z.string().optional(),
    /** where the lease came from: `nodes-file`, `kube`, `etcd-v2`, `etcd-v3` */
    source: z.string().optional(),
    /** the node's own addresses (kube status.addresses), to recognise the local node besides publicIp */
    addresses: z.array(z.string()).optional(),
  })
  .loose();
export type Lease = z.infer<typeof Lease>;

/** flannel's net-conf.json (etcd `<prefix>/config` or the kube-flannel-cfg ConfigMap). */
export const NetConf = z
  .object({
    Network: z.string().optional(),
    IPv6Network: z.string().optional(),
    EnableIPv4: z.boolean().optional(),
    EnableIPv6: z.boolean().optional(),
    /** flannel ≥ 0.25: masquerade/forward rules in nftables tables instead of iptables FLANNEL-* chains */
    EnableNFTables: z.boolean().optional(),
    SubnetLen: z.number().int().optional(),
    Backend: z
      .object({
        Type: z.string().default('vxlan'),
        VNI: z.number().int().optional(),
        Port: z.number().int().optional(),
        DirectRouting: z.union([z.boolean(), z.string()]).optional(),
        MTU: z.number().int().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type NetConf = z.infer<typeof NetConf>;

/** Desired state for a cluster, from one source. */
export interface DesiredState {
  leases: Lease[];
  netConf?: NetConf;
  /** problems in the source itself (bad annotation JSON, duplicate subnets…), reported as findings */
  problems: { code: Code; node?: string; summary: string; evidence: string }[];
  /** leases left out because no node may program them (leases/validate.ts); each is also in `problems` */
  refused?: { lease: Lease; code: Code; reason: string; family?: 'v6' }[];
}
