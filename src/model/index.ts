export * from './address.js';
export * from './bridge.js';
export * from './cni.js';
export * from './fdb.js';
export * from './finding.js';
export * from './iflink.js';
export * from './iptables.js';
// lease.ts re-exports the types of lease-schema.ts's schemas: the schemas (values and types) come from there
export { type DesiredState, hasV4, hasV6, leaseName, type LeaseV4, type LeaseV6, type PartialLease } from './lease.js';
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
