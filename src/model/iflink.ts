import { z } from 'zod';

/** /sys/class/net/<name>/{ifindex,iflink}; iflink ≠ ifindex means a peer (veth) or parent link. */
export const Iflink = z
  .object({
    name: z.string(),
    ifindex: z.number().int().optional(),
    iflink: z.number().int(),
  })
  .loose();
export type Iflink = z.infer<typeof Iflink>;

/** `ethtool -S DEV`: all counters; veths carry peer_ifindex. */
export const EthtoolStats = z
  .object({
    dev: z.string().optional(),
    peerIfindex: z.number().int().optional(),
    stats: z.record(z.string(), z.number()),
  })
  .loose();
export type EthtoolStats = z.infer<typeof EthtoolStats>;
