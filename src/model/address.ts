import * as z from './zod.js';

export const Address = z.looseObject({
  dev: z.string(),
  ifindex: z.optional(z.number().check(z.int())),
  family: z.enum(['inet', 'inet6']),
  local: z.string(),
  prefixlen: z.number().check(z.int()),
  peer: z.optional(z.string()),
  broadcast: z.optional(z.string()),
  scope: z.optional(z.string()),
});
export type Address = z.infer<typeof Address>;
