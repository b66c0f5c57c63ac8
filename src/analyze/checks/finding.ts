import { type Code, severityOf } from '../../model/codes.js';
import type { Finding } from '../../model/finding.js';
import { type Cmd, render } from '../../model/fix.js';
import type { CheckContext } from './context.js';

/**
 * A check's result: findings; or why it could not run at all; or findings plus what it could not verify
 * (a table not in the data given — never a finding, never a change of the exit code).
 */
export type CheckResult = Finding[] | { skipped: string } | { findings: Finding[]; unverified: string[] };

export interface Check {
  /** short name shown in the skipped list */
  name: string;
  run(ctx: CheckContext): CheckResult;
}

/** A finding with the catalogue's severity for its code (a check may lower it, e.g. a fixed kernel). */
export function finding(ctx: CheckContext, code: Code, summary: string, evidence: string[], fix?: string, severity = severityOf(code)): Finding {
  const f: Finding = { code, severity, summary, evidence, node: ctx.node };
  if (fix) f.fix = fix;
  return f;
}

/** Commands as the user would type them for a fix (run inside --netns when the snapshot came from one). */
export function fixCommands(ctx: CheckContext, cmds: (() => Cmd)[]): string | undefined {
  const netns = ctx.snapshot.source.kind === 'netns' ? ctx.snapshot.source.name : undefined;
  try {
    return cmds.map((c) => render(c(), netns).command).join('; ');
  } catch {
    // a value that would be unsafe on a command line is not offered as a fix
    return undefined;
  }
}
