import type { Finding } from '../../model/finding.js';
import { type Cmd, render } from '../../model/fix.js';
import type { CheckContext } from './context.js';

/** A check's result: findings, or why it could not run. */
export type CheckResult = Finding[] | { skipped: string };

export interface Check {
  /** short name shown in the skipped list */
  name: string;
  run(ctx: CheckContext): CheckResult;
}

export function finding(ctx: CheckContext, code: string, severity: Finding['severity'], summary: string, evidence: string[], fix?: string): Finding {
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
