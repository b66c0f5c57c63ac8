import { z } from 'zod';
import { Ip, Mac } from './net.js';

/** Every NUD state iproute2 names (ip/ipneigh.c), upper case as `ip neigh` prints them. */
export const NUD_STATES = ['PERMANENT', 'NOARP', 'REACHABLE', 'STALE', 'NONE', 'INCOMPLETE', 'DELAY', 'PROBE', 'FAILED'] as const;
export const NudState = z.enum(NUD_STATES);
export type NudState = z.infer<typeof NudState>;

export const Neigh = z
  .object({
    dst: Ip,
    dev: z.string(),
    lladdr: Mac.optional(),
    state: z.array(NudState).default([]),
    router: z.boolean().default(false),
    proxy: z.boolean().default(false),
  })
  .loose();
export type Neigh = z.infer<typeof Neigh>;
