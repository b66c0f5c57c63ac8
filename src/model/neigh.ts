import { z } from 'zod';

export const Neigh = z
  .object({
    dst: z.string(),
    dev: z.string(),
    lladdr: z.string().optional(),
    /** upper case NUD states: PERMANENT, REACHABLE, STALE, DELAY, PROBE, INCOMPLETE, FAILED, NOARP, NONE */
    state: z.array(z.string()).default([]),
    router: z.boolean().default(false),
    proxy: z.boolean().default(false),
  })
  .loose();
export type Neigh = z.infer<typeof Neigh>;
