export * from './address.js';
export * from './bridge.js';
export * from './cni.js';
export * from './fdb.js';
export * from './finding.js';
export * from './iflink.js';
export * from './iptables.js';
// the lease schemas (values and types) from lease-schema.ts; lease.ts's helpers are imported from it directly
export type { DesiredState } from './lease.js';
export * from './lease-schema.js';
export * from './link.js';
export * from './neigh.js';
export * from './net.js';
export * from './nft.js';
export * from './pod.js';
export * from './route.js';
export * from './snapshot.js';
export * from './subnet-env.js';
export * from './wireguard.js';
