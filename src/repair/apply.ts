// Runs a repair plan (and undoes one). The only place besides collect/ that changes the machine.
// Consecutive actions of one program run as one `ip -batch FILE` / `bridge -batch FILE` (thousands of peers in
// one process); without -force iproute2 stops at the first failing line and names it (`Command failed FILE:N`),
// so "stop at the first failure, report exactly what ran" holds per line, not per batch. The batch is a
// complete file in the private journal directory, not a pipe: a child left running after flanctl is killed
// (-9) reads whole lines only and runs what the journal (still `applying`) already lists, so undo covers it.
import { rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { collectRepairTables } from '../collect/live.js';
import { which } from '../collect/runner.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { type Cmd, programPrefix, render } from '../model/fix.js';
import { type Journal, newJournalId, readJournal, writeJournal } from './journal.js';
import { acquireLock } from './lock.js';
import type { RepairPlan } from './plan.js';
import { tablesNeeded, type Undone, verifyUndo } from './verify.js';

export interface ApplyResult {
  journalId: string;
  journalFile: string;
  /** actions that ran, from the start of the plan */
  applied: number;
  failed?: { index: number; command: string; error: string };
}

interface BatchResult {
  /** lines that ran before the failing one (all of them when ok) */
  done: number;
  error?: string;
  /** with `force`: every failing line (1-based) and iproute2's message for it */
  failures: { line: number; error: string }[];
}

/** iproute2's stderr: each `Command failed FILE:N` follows the message(s) for line N. */
function failuresOf(stderr: string): { line: number; error: string }[] {
  const out: { line: number; error: string }[] = [];
  let message: string | undefined;
  for (const l of stderr.split('\n')) {
    const m = /^Command failed .*:(\d+)$/.exec(l);
    if (m) {
      out.push({ line: Number(m[1]), error: message ?? 'failed' });
      message = undefined;
    } else if (l.trim() && message === undefined) message = l.trim();
  }
  return out;
}

async function runBatch(program: 'ip' | 'bridge', lines: string[][], netns: string | undefined, file: string, force = false): Promise<BatchResult> {
  const path = which(program);
  if (!path) throw new EnvironmentError(`${program} not installed`, 'apt-get install iproute2');
  const prefix = programPrefix(program, netns).slice(1);
  try {
    await writeFile(file, lines.map((l) => l.join(' ')).join('\n') + '\n', { mode: 0o600 });
  } catch (e) {
    throw new EnvironmentError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'set --journal-dir or FLANCTL_JOURNAL_DIR');
  }
  try {
    const r = await execa(path, [...prefix, ...(force ? ['-force'] : []), '-batch', file], { stdin: 'ignore', reject: false, timeout: 300_000, env: { LC_ALL: 'C' } });
    if (r.exitCode === 0) return { done: lines.length, failures: [] };
    const failures = failuresOf(String(r.stderr ?? ''));
    // no line number: assume nothing in this batch ran (the journal undo tolerates objects left as they were)
    const first = failures[0] ?? { line: 1, error: String(r.stderr ?? '').trim().split('\n')[0] || r.shortMessage || `exit ${r.exitCode}` };
    return { done: first.line - 1, error: first.error, failures: failures.length ? failures : [first] };
  } finally {
    await rm(file, { force: true });
  }
}

/** The network namespace commands run in: the named one (`ip -n`), else this process's own. */
async function netnsInode(netns?: string): Promise<number> {
  const path = netns === undefined ? '/proc/self/ns/net' : `/run/netns/${programPrefix('ip', netns)[2]}`;
  try {
    return (await stat(path)).ino;
  } catch (e) {
    throw new UsageError(`network namespace ${netns ?? '(this process)'} not found: ${(e as NodeJS.ErrnoException).code}`);
  }
}

/** A journal undoes only where it was applied: same host, same network namespace (not one recreated with its name). */
async function checkSameNode(j: Journal): Promise<void> {
  if (j.host !== undefined && j.host !== hostname()) throw new UsageError(`repair ${j.id} ran on ${j.host}, not on this host (${hostname()}): undo it there`);
  if (j.netnsInode !== undefined && (await netnsInode(j.netns)) !== j.netnsInode) {
    throw new UsageError(`repair ${j.id} ran in another network namespace than ${j.netns ?? "this process's"} (recreated, or undo run from another one)`);
  }
}

/** Consecutive runs of one program: [start, end) index ranges. */
function runsOf(programs: ('ip' | 'bridge')[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < programs.length; ) {
    let j = i + 1;
    while (j < programs.length && programs[j] === programs[i]) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

/** Journal, then run every action in order; stop at the first failure. The caller holds the repair lock
 * (taken before the state is read, so the plan is not computed from state another repair is changing). */
export async function applyPlan(plan: RepairPlan, dir: string, now = new Date()): Promise<ApplyResult> {
  const journal: Journal = {
    id: newJournalId(now),
    time: now.toISOString(),
    node: plan.node,
    status: 'applying',
    applied: 0,
    actions: plan.actions.map((a) => ({ op: a.op, family: a.family, code: a.code, target: a.target, command: a.command, program: a.program, args: a.args, undo: a.undo, before: a.before })),
  };
  if (plan.netns !== undefined) journal.netns = plan.netns;
  journal.host = hostname();
  journal.netnsInode = await netnsInode(plan.netns);
  const file = await writeJournal(dir, journal);
  for (const [start, end] of runsOf(plan.actions.map((a) => a.program))) {
    const r = await runBatch(plan.actions[start].program, plan.actions.slice(start, end).map((a) => a.args), plan.netns, join(dir, `${journal.id}.batch`));
    journal.applied = start + r.done;
    if (r.error !== undefined) {
      const index = start + r.done;
      journal.status = 'failed';
      journal.failed = { index, command: plan.actions[index]?.command ?? '', error: r.error };
      await writeJournal(dir, journal);
      return { journalId: journal.id, journalFile: file, applied: journal.applied, failed: journal.failed };
    }
    await writeJournal(dir, journal);
  }
  journal.status = 'applied';
  await writeJournal(dir, journal);
  return { journalId: journal.id, journalFile: file, applied: journal.applied };
}

export interface UndoResult {
  journalId: string;
  node: string;
  netns?: string;
  /** undo commands that ran */
  restored: number;
  commands: string[];
  errors: string[];
  /** the kernel, read after the undo, holds every link, address, neigh, fdb entry and route as the journal recorded it before the repair (false too when a table could not be read) */
  verified: boolean;
  /** each object that is not as recorded: what was expected, what the kernel shows */
  mismatches: string[];
}

// iproute2's answers when the object to delete does not exist (an IPv6 address: `ipv6: address not found`, e.g.
// flushed by the link-down undone just before)
const ABSENT = /No such file or directory|No such process|Cannot find device|Cannot assign requested address|address not found/;

/** Read the tables the undo touched once (still under the lock) and compare; a table that cannot be read is an error. */
async function recheck(undone: Undone[], netns: string | undefined, errors: string[]): Promise<{ mismatches: string[]; complete: boolean }> {
  const needed = tablesNeeded(undone);
  if (needed.length === 0) return { mismatches: [], complete: true };
  const tables = await collectRepairTables(needed, netns);
  errors.push(...tables.errors.map((e) => `re-check: ${e}`));
  return { mismatches: verifyUndo(undone, tables), complete: tables.errors.length === 0 };
}

/** Put back what journal `id` (default: the newest) touched, newest action first. Keeps going past failures. */
export async function undoJournal(dir: string, id?: string, now = new Date()): Promise<UndoResult> {
  const release = await acquireLock(dir);
  try {
    const journal = await readJournal(dir, id);
    await checkSameNode(journal);
    if (journal.status === 'undone') throw new UsageError(`repair ${journal.id} was already undone at ${journal.undone?.time ?? '?'}`);
    // an interrupted repair (still `applying`) may have run any of its actions: undo all (restoring is idempotent).
    // A failed line changed nothing (one netlink request, all or nothing): undo what ran before it.
    const upto = journal.status === 'applying' ? journal.actions.length : journal.applied;
    const undone = journal.actions.slice(0, upto).reverse();
    const cmds: Cmd[] = undone.flatMap((a) => a.undo);
    const errors: string[] = [];
    let restored = 0;
    for (const [start, end] of runsOf(cmds.map((c) => c.program))) {
      // -force: every line runs, each failure is named; one process per run even when most objects are gone
      const r = await runBatch(cmds[start].program, cmds.slice(start, end).map((c) => c.args), journal.netns, join(dir, `${journal.id}.undo.batch`), true);
      restored += end - start - r.failures.length;
      for (const f of r.failures) {
        const failed = cmds[start + f.line - 1];
        // deleting what is already gone reaches the state the journal asks for
        if (failed.args[1] === 'del' && ABSENT.test(f.error)) restored++;
        else errors.push(`${render(failed, journal.netns).command}: ${f.error}`);
      }
    }
    const { mismatches, complete } = await recheck(undone, journal.netns, errors);
    const verified = complete && mismatches.length === 0;
    journal.status = 'undone';
    // a later reader (repair --list) sees an undo that did not bring the recorded state back
    journal.undone = { time: now.toISOString(), restored, errors, verified, mismatches };
    await writeJournal(dir, journal);
    const result: UndoResult = { journalId: journal.id, node: journal.node, restored, commands: cmds.map((c) => render(c, journal.netns).command), errors, verified, mismatches };
    if (journal.netns !== undefined) result.netns = journal.netns;
    return result;
  } finally {
    await release();
  }
}
