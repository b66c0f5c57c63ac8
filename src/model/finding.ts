import * as z from './zod.js';
import { type Code, CODES } from './codes.js';

const CODE_NAMES = Object.keys(CODES) as [Code, ...Code[]];

export const Finding = z.object({
  /** stable, from the catalogue (model/codes.ts), e.g. NEIGH_MISSING, FDB_DST_MISMATCH */
  code: z.enum(CODE_NAMES),
  severity: z.enum(['error', 'warning', 'info']),
  summary: z.string(),
  /** the node's own output lines that show it */
  evidence: z.array(z.string()),
  fix: z.optional(z.string()),
  node: z.optional(z.string()),
});
export type Finding = z.infer<typeof Finding>;

export const RepairAction = z.object({
  /** named after the verb it runs: neigh-replace, fdb-replace, route-replace, link-add, link-up, addr-replace, neigh-del, fdb-del, route-del */
  op: z.string(),
  target: z.string(),
  /** argv run with execa, never a shell string */
  argv: z.array(z.string()),
  /** argv joined for display, exactly what would run */
  command: z.string(),
  reason: z.string(),
  node: z.optional(z.string()),
});
export type RepairAction = z.infer<typeof RepairAction>;
