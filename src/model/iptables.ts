import { z } from 'zod';

const IptablesChain = z
  .object({
    name: z.string(),
    /** ACCEPT / DROP for built-in chains, `-` for user chains */
    policy: z.string(),
    packets: z.number().optional(),
    bytes: z.number().optional(),
  })
  .loose();

const IptablesRule = z
  .object({
    chain: z.string(),
    /** the rule as iptables-save printed it, after `-A CHAIN ` */
    spec: z.string(),
    /** the spec split like a shell would (quotes honoured) */
    args: z.array(z.string()),
    target: z.string().optional(),
    comment: z.string().optional(),
    packets: z.number().optional(),
    bytes: z.number().optional(),
  })
  .loose();

export const IptablesTable = z
  .object({
    name: z.string(),
    chains: z.array(IptablesChain),
    rules: z.array(IptablesRule),
  })
  .loose();

export const IptablesRuleset = z
  .object({
    /** `legacy`, `nf_tables` when the header says so */
    variant: z.string().optional(),
    tables: z.array(IptablesTable),
    /** `# Warning: …` lines, e.g. iptables-nft-save's "iptables-legacy tables present" */
    warnings: z.array(z.string()).optional(),
  })
  .loose();
export type IptablesChain = z.infer<typeof IptablesChain>;
export type IptablesRule = z.infer<typeof IptablesRule>;
export type IptablesTable = z.infer<typeof IptablesTable>;
export type IptablesRuleset = z.infer<typeof IptablesRuleset>;
