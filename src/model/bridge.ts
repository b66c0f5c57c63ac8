import { z } from 'zod';

/** One bridge as `brctl show` lists it. */
export const BridgeInfo = z
  .object({
    name: z.string(),
    bridgeId: z.string().optional(),
    stp: z.boolean().optional(),
    interfaces: z.array(z.string()).default([]),
  })
  .loose();
export type BridgeInfo = z.infer<typeof BridgeInfo>;

/** One port as `bridge link` lists it. */
export const BridgePort = z
  .object({
    ifindex: z.number().int().optional(),
    port: z.string(),
    master: z.string().optional(),
    state: z.string().optional(),
    mtu: z.number().int().optional(),
    flags: z.array(z.string()).default([]),
  })
  .loose();
export type BridgePort = z.infer<typeof BridgePort>;
