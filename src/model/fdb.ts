import { z } from 'zod';

export const FdbEntry = z
  .object({
    mac: z.string(),
    dev: z.string(),
    /** remote VTEP for vxlan entries */
    dst: z.string().optional(),
    vlan: z.number().int().optional(),
    /** the bridge when the entry lives in a bridge's table (`master cni0`) */
    master: z.string().optional(),
    /** entry in the device's own table (`self`): vxlan fdb entries are `self` */
    self: z.boolean().default(false),
    permanent: z.boolean().default(false),
    /** as printed: `permanent`, `static`, `` for learned */
    state: z.string().default(''),
    flags: z.array(z.string()).default([]),
  })
  .loose();
export type FdbEntry = z.infer<typeof FdbEntry>;
