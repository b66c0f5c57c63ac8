import * as z from './zod.js';

/** One bridge as `brctl show` lists it. */
export const BridgeInfo = z.looseObject({
  name: z.string(),
  bridgeId: z.optional(z.string()),
  stp: z.optional(z.boolean()),
  interfaces: z._default(z.array(z.string()), []),
});
export type BridgeInfo = z.infer<typeof BridgeInfo>;

/** One port as `bridge link` lists it. */
export const BridgePort = z.looseObject({
  ifindex: z.optional(z.number().check(z.int())),
  port: z.string(),
  master: z.optional(z.string()),
  state: z.optional(z.string()),
  mtu: z.optional(z.number().check(z.int())),
  flags: z._default(z.array(z.string()), []),
});
export type BridgePort = z.infer<typeof BridgePort>;
