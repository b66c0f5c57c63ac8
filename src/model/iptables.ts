import * as z from './zod.js';

const IptablesChain = z.looseObject({
  name: z.string(),
  /** ACCEPT / DROP for built-in chains, `-` for user chains */
  policy: z.string(),
  packets: z.optional(z.number()),
  bytes: z.optional(z.number()),
});

const IptablesRule = z.looseObject({
  chain: z.string(),
  /** the rule as iptables-save printed it, after `-A CHAIN ` */
  spec: z.string(),
  /** the spec split like a shell would (quotes honoured) */
  args: z.array(z.string()),
  target: z.optional(z.string()),
  comment: z.optional(z.string()),
  packets: z.optional(z.number()),
  bytes: z.optional(z.number()),
});

export const IptablesTable = z.looseObject({
  name: z.string(),
  chains: z.array(IptablesChain),
  rules: z.array(IptablesRule),
});

export const IptablesRuleset = z.looseObject({
  /** `legacy`, `nf_tables` when the header says so */
  variant: z.optional(z.string()),
  tables: z.array(IptablesTable),
  /** `# Warning: …` lines, e.g. iptables-nft-save's "iptables-legacy tables present" */
  warnings: z.optional(z.array(z.string())),
});
export type IptablesChain = z.infer<typeof IptablesChain>;
export type IptablesRule = z.infer<typeof IptablesRule>;
export type IptablesTable = z.infer<typeof IptablesTable>;
export type IptablesRuleset = z.infer<typeof IptablesRuleset>;
