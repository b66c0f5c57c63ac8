import * as z from './zod.js';

/** /sys/class/net/<name>/{ifindex,iflink}; iflink ≠ ifindex means a peer (veth) or parent link. */
export const Iflink = z.looseObject({
  name: z.string(),
  ifindex: z.optional(z.number().check(z.int())),
  iflink: z.number().check(z.int()),
});
export type Iflink = z.infer<typeof Iflink>;

/** `ethtool -S DEV`: all counters; veths carry peer_ifindex. */
export const EthtoolStats = z.looseObject({
  dev: z.optional(z.string()),
  peerIfindex: z.optional(z.number().check(z.int())),
  stats: z.record(z.string(), z.number()),
});
export type EthtoolStats = z.infer<typeof EthtoolStats>;
