import type { Code } from './codes.js';
import type { Lease, NetConf } from './lease-schema.js';

// the schemas are in lease-schema.ts: only the readers of leases (kube, etcd) build them, not every trace
export type { Lease, NetConf } from './lease-schema.js';

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
