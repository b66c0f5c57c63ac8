import * as z from './zod.js';
import { Ip, Mac } from './net.js';

/** Every NUD state iproute2 names (ip/ipneigh.c), upper case as `ip neigh` prints them. */
export const NUD_STATES = ['PERMANENT', 'NOARP', 'REACHABLE', 'STALE', 'NONE', 'INCOMPLETE', 'DELAY', 'PROBE', 'FAILED'] as const;
export const NudState = z.enum(NUD_STATES);
export type NudState = z.infer<typeof NudState>;

export const Neigh = z.looseObject({
  dst: Ip,
  dev: z.string(),
  lladdr: z.optional(Mac),
  state: z._default(z.array(NudState), []),
  router: z._default(z.boolean(), false),
  proxy: z._default(z.boolean(), false),
});
export type Neigh = z.infer<typeof Neigh>;
