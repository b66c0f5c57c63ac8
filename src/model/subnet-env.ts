import { z } from 'zod';

/** /run/flannel/subnet.env */
export const SubnetEnv = z
  .object({
    network: z.string().optional(),
    /** FLANNEL_SUBNET as written: the lease's first IP with the lease length, e.g. 10.27.9.1/24 */
    subnet: z.string().optional(),
    mtu: z.number().int().optional(),
    ipmasq: z.boolean().optional(),
    ipv6Network: z.string().optional(),
    ipv6Subnet: z.string().optional(),
    /** every KEY=value in the file, including the ones above */
    vars: z.record(z.string(), z.string()),
  })
  .loose();
export type SubnetEnv = z.infer<typeof SubnetEnv>;
