import { z } from 'zod';
import { Ip, Mac } from './net.js';

/** `bridge fdb` states as printed; '' for a learned (dynamic, unprinted) entry. */
export const FDB_STATES = ['permanent', 'static', 'stale', 'dynamic', ''] as const;

export const FdbEntry = z
  .object({
    mac: Mac,
    dev: z.string(),
    /** remote VTEP for vxlan entries */
    dst: Ip.optional(),
    vlan: z.number().int().optional(),
    /** the bridge when the entry lives in a bridge's table (`master cni0`) */
    master: z.string().optional(),
    // One representation each: the table in `self` (and `master`), the state in `state`, every other flag
    // (router, extern_learn, offload, sticky...) in `flags`.
    /** entry in the device's own table (`self`): vxlan fdb entries are `self` */
    self: z.boolean().default(false),
    state: z.enum(FDB_STATES).default(''),
    flags: z.array(z.string()).default([]),
  })
  .loose();
export type FdbEntry = z.infer<typeof FdbEntry>;
