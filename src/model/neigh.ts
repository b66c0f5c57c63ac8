import { z } from 'zod';

/** Every NUD state iproute2 names (ip/ipneigh.c), upper case as `ip neigh` prints them. */
export const NUD_STATES = ['PERMANENT', 'NOARP', 'REACHABLE', 'STALE', 'NONE', 'INCOMPLETE', 'DELAY', 'PROBE', 'FAILED'] as const;
export const NudState = z.enum(NUD_STATES);
export type NudState = z.infer<typeof NudState>;

export const Neigh = z
  .object({
    dst: z.string(),
    dev: z.string(),
    lladdr: z.string().optional(),
    state: z.array(NudState).default([]),
    router: z.boolean().default(false),
    proxy: z.boolean().default(false),
  })
  .loose();
export type Neigh = z.infer<typeof Neigh>;
