import * as z from './zod.js';
import { Ip, Mac } from './net.js';

/** `bridge fdb` states as printed; '' for a learned (dynamic, unprinted) entry. */
export const FDB_STATES = ['permanent', 'static', 'stale', 'dynamic', ''] as const;

export const FdbEntry = z.looseObject({
  mac: Mac,
  dev: z.string(),
  /** remote VTEP for vxlan entries */
  dst: z.optional(Ip),
  vlan: z.optional(z.number().check(z.int())),
  /** the bridge when the entry lives in a bridge's table (`master cni0`) */
  master: z.optional(z.string()),
  // One representation each: the table in `self` (and `master`), the state in `state`, every other flag
  // (router, extern_learn, offload, sticky...) in `flags`.
  /** entry in the device's own table (`self`): vxlan fdb entries are `self` */
  self: z._default(z.boolean(), false),
  state: z._default(z.enum(FDB_STATES), ''),
  flags: z._default(z.array(z.string()), []),
});
export type FdbEntry = z.infer<typeof FdbEntry>;
