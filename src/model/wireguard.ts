import * as z from './zod.js';

// `wg show all dump` as flanctl keeps it. The device's private key is never kept (a snapshot is meant to be
// attached to tickets): only whether the device has one.

/** A WireGuard public key: 32 bytes in base64 (44 characters, `=` at the end). */
export const WgKey = z.string().check(z.regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/, 'not a WireGuard key (44 characters of base64)'));

export const WgPeer = z.looseObject({
  publicKey: WgKey,
  /** a preshared key is set (its value is not kept) */
  presharedKey: z.boolean(),
  /** `ip:port` or `[ip6]:port` as wg prints it; absent for `(none)` */
  endpoint: z.optional(z.string()),
  endpointIp: z.optional(z.string()),
  endpointPort: z.optional(z.number().check(z.int())),
  allowedIps: z.array(z.string()),
  /** unix seconds; 0 = never */
  latestHandshake: z.number().check(z.int(), z.nonnegative()),
  rxBytes: z.number().check(z.nonnegative()),
  txBytes: z.number().check(z.nonnegative()),
  /** seconds; absent for `off` */
  persistentKeepalive: z.optional(z.number().check(z.int())),
});

export const WgDevice = z.looseObject({
  name: z.string(),
  hasPrivateKey: z.boolean(),
  publicKey: z.optional(WgKey),
  listenPort: z.number().check(z.int(), z.nonnegative()),
  /** absent for `off` */
  fwmark: z.optional(z.number().check(z.int())),
  peers: z.array(WgPeer),
});

export type WgPeer = z.infer<typeof WgPeer>;
export type WgDevice = z.infer<typeof WgDevice>;
