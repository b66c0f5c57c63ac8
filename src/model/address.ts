import { z } from 'zod';

export const Address = z
  .object({
    dev: z.string(),
    ifindex: z.number().int().optional(),
    family: z.enum(['inet', 'inet6']),
    local: z.string(),
    prefixlen: z.number().int(),
    peer: z.string().optional(),
    broadcast: z.string().optional(),
    scope: z.string().optional(),
  })
  .loose();
export type Address = z.infer<typeof Address>;
