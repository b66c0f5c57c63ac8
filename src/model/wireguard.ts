import { z } from 'zod';

// `wg show all dump` as flanctl keeps it. The device's private key is never kept (a snapshot is meant to be
// attached to tickets): only whether the device has one.

/** A WireGuard public key: 32 bytes in base64 (44 characters, `=` at the end). */
export const WgKey = z.string().regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/, 'not a WireGuard key (44 characters of base64)');

export const WgPeer = z
  .object({
    publicKey: WgKey,
    /** a preshared key is set (its value is not kept) */
    presharedKey: z.boolean(),
    /** `ip:port` or `[ip6]:port` as wg prints it; absent for `(none)` */
    endpoint: z.string().optional(),
    endpointIp: z.string().optional(),
    endpointPort: z.number().int().optional(),
    allowedIps: z.array(z.string()),
    /** unix seconds; 0 = never */
    latestHandshake: z.number().int().nonnegative(),
    rxBytes: z.number().nonnegative(),
    txBytes: z.number().nonnegative(),
    /** seconds; absent for `off` */
    persistentKeepalive: z.number().int().optional(),
  })
  .loose();

export const WgDevice = z
  .object({
    name: z.string(),
    hasPrivateKey: z.boolean(),
    publicKey: WgKey.optional(),
    listenPort: z.number().int().nonnegative(),
    /** absent for `off` */
    fwmark: z.number().int().optional(),
    peers: z.array(WgPeer),
  })
  .loose();

export type WgPeer = z.infer<typeof WgPeer>;
export type WgDevice = z.infer<typeof WgDevice>;
