import * as z from './zod.js';

/** /run/flannel/subnet.env */
export const SubnetEnv = z.looseObject({
  network: z.optional(z.string()),
  /** FLANNEL_SUBNET as written: the lease's first IP with the lease length, e.g. 10.27.9.1/24 */
  subnet: z.optional(z.string()),
  mtu: z.optional(z.number().check(z.int())),
  ipmasq: z.optional(z.boolean()),
  ipv6Network: z.optional(z.string()),
  ipv6Subnet: z.optional(z.string()),
  /** every KEY=value in the file, including the ones above */
  vars: z.record(z.string(), z.string()),
});
export type SubnetEnv = z.infer<typeof SubnetEnv>;
