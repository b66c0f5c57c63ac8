import * as z from './zod.js';

// `nft list ruleset` (text or -j) as flanctl keeps it: tables, chains with their hooks, and every rule as the
// one line `nft list ruleset` prints for it, so a rule reads the same whichever form was collected.

export const NftTable = z.looseObject({
  /** ip, ip6, inet, arp, bridge, netdev */
  family: z.string(),
  name: z.string(),
  handle: z.optional(z.number().check(z.int())),
});

export const NftChain = z.looseObject({
  family: z.string(),
  table: z.string(),
  name: z.string(),
  handle: z.optional(z.number().check(z.int())),
  /** base chains only: filter, nat, route */
  type: z.optional(z.string()),
  /** base chains only: prerouting, input, forward, output, postrouting, ingress */
  hook: z.optional(z.string()),
  /** numeric priority (text names mapped: srcnat 100, filter 0, dstnat -100, …) */
  prio: z.optional(z.number().check(z.int())),
  /** base chains only: accept or drop */
  policy: z.optional(z.string()),
});

export const NftRule = z.looseObject({
  family: z.string(),
  table: z.string(),
  chain: z.string(),
  handle: z.optional(z.number().check(z.int())),
  /** the rule as `nft list ruleset` prints it, e.g. `ip saddr 10.244.0.0/16 ip daddr != 224.0.0.0/4 masquerade fully-random` */
  text: z.string(),
});

export const NftRuleset = z.looseObject({
  /** which output was read: `json` (nft -j, schema version 1) or `text` */
  form: z.enum(['json', 'text']),
  /** nft's own version (json metainfo) */
  version: z.optional(z.string()),
  tables: z.array(NftTable),
  chains: z.array(NftChain),
  rules: z.array(NftRule),
});

export type NftTable = z.infer<typeof NftTable>;
export type NftChain = z.infer<typeof NftChain>;
export type NftRule = z.infer<typeof NftRule>;
export type NftRuleset = z.infer<typeof NftRuleset>;
