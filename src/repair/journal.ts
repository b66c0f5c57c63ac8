// The repair journal: written before anything runs, updated after every batch, so `repair --undo` can
// always put back what a (possibly interrupted) repair touched.
// /var/lib/flanctl/journal/<id>.json, or --journal-dir / FLANCTL_JOURNAL_DIR (the flag's default and env: services/options.ts).
import { lstat, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from '../model/zod.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { UnsafeValue } from '../model/fix.js';
import { printable } from '../model/text.js';
import { rebuildCmd } from './rebuild.js';

const Cmd = z.object({ program: z.enum(['ip', 'bridge']), args: z.array(z.string()) });

const JournalAction = z.object({
  op: z.string(),
  /** v4 or v6 (journals before IPv6 repair have none: v4) */
  family: z.optional(z.enum(['v4', 'v6'])),
  /** the problem code of the fault it fixed (journals before codes on actions have none) */
  code: z.optional(z.string()),
  target: z.string(),
  command: z.string(),
  program: z.enum(['ip', 'bridge']),
  args: z.array(z.string()),
  /** restores the object as it was before this action */
  undo: z.array(Cmd),
  /** the objects this action touches, as they were (absent: the action creates them) */
  before: z.optional(z.array(z.unknown())),
});
export type JournalAction = z.infer<typeof JournalAction>;

export const Journal = z.object({
  id: z.string(),
  time: z.string(),
  node: z.string(),
  netns: z.optional(z.string()),
  /** the machine and network namespace (inode of its nsfs file) the commands ran in: undo runs only there */
  host: z.optional(z.string()),
  netnsInode: z.optional(z.number().check(z.int())),
  /** applying: written before the first command (a crash leaves it so); applied; failed; undone */
  status: z.enum(['applying', 'applied', 'failed', 'undone']),
  /** how many actions, from the start, are known to have run */
  applied: z.number().check(z.int()),
  failed: z.optional(z.object({ index: z.number().check(z.int()), command: z.string(), error: z.string() })),
  undone: z.optional(
    z.object({
      time: z.string(),
      restored: z.number().check(z.int()),
      errors: z.array(z.string()),
      /** the re-check after the undo (older journals lack it): false when an object is not as recorded or a table could not be read */
      verified: z.optional(z.boolean()),
      /** each object the kernel did not hold as recorded: the undo was incomplete */
      mismatches: z.optional(z.array(z.string())),
    }),
  ),
  actions: z.array(JournalAction),
});
export type Journal = z.infer<typeof Journal>;

const ID = /^[0-9A-Za-z-]{1,64}$/;

/** `2026-11-23T17-25-00-123Z`: sortable, a valid file name. */
export const newJournalId = (now: Date): string => now.toISOString().replace(/[:.]/g, '-');

export async function writeJournal(dir: string, j: Journal): Promise<string> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await checkOwned(dir, 'directory');
    const file = join(dir, `${j.id}.json`);
    // write then rename: a reader (or a crash) never sees half a journal
    await writeFile(`${file}.tmp`, JSON.stringify(j, null, 2) + '\n', { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    return file;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new EnvironmentError(`cannot write the repair journal in ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'set --journal-dir or FLANCTL_JOURNAL_DIR');
  }
}

/**
 * What undo runs comes from the journal: its directory and file must be ours (root's, when run as root), not
 * writable by group or others, and not a link — a journal planted in a shared --journal-dir is refused.
 */
async function checkOwned(path: string, kind: 'directory' | 'file'): Promise<void> {
  let st;
  try {
    st = await lstat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new EnvironmentError(`cannot read ${path}: ${code}`);
  }
  const uid = process.getuid?.() ?? st.uid;
  const why = (kind === 'directory' ? !st.isDirectory() : !st.isFile())
    ? `is not a ${kind}`
    : st.uid !== uid
      ? `is owned by uid ${st.uid}, not ${uid}`
      : st.mode & 0o022
        ? `is writable by ${st.mode & 0o002 ? 'others' : 'its group'}`
        : undefined;
  if (why) throw new UsageError(`journal ${kind} ${path} ${why}: refused (undo would run what it holds)`, `chmod go-w / chown it, or use another --journal-dir`);
}

/** The journal `id`, or the newest one in `dir`. */
export async function readJournal(dir: string, id?: string): Promise<Journal> {
  if (id !== undefined && !ID.test(id)) throw new UsageError(`not a journal id: ${JSON.stringify(id)}`);
  let name = id;
  if (name === undefined) {
    let files: string[] = [];
    try {
      files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
    } catch {
      // no directory: no journal
    }
    if (!files.length) throw new UsageError(`no repair journal in ${dir}`);
    name = files[files.length - 1].slice(0, -'.json'.length);
  }
  await checkOwned(dir, 'directory');
  await checkOwned(join(dir, `${name}.json`), 'file');
  let text: string;
  try {
    text = await readFile(join(dir, `${name}.json`), 'utf8');
  } catch {
    throw new UsageError(`no repair journal ${name} in ${dir}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const file = join(dir, `${name}.json`);
  const parsed = Journal.safeParse(json);
  if (!parsed.success) throw new UsageError(`${file} is not a flanctl repair journal`);
  // the id names the file it is read from, never a path of its own
  if (parsed.data.id !== name) throw new UsageError(`${file} holds journal id ${JSON.stringify(parsed.data.id)}, not ${name}`);
  for (const a of parsed.data.actions) {
    for (const u of a.undo) {
      try {
        rebuildCmd(u);
      } catch (e) {
        if (!(e instanceof UnsafeValue)) throw e;
        throw new UsageError(`${file}: refused, ${e.message}`);
      }
    }
  }
  return parsed.data;
}

/** One journal as `repair --list` shows it: what ran, and how its undo ended. */
export interface JournalSummary {
  id: string;
  time?: string;
  node?: string;
  netns?: string;
  status?: Journal['status'];
  applied?: number;
  actions?: number;
  failed?: Journal['failed'];
  undone?: Journal['undone'];
  /** the file was refused by the journal checks (undo would refuse it too) */
  error?: string;
}

/** Every journal in `dir`, newest first, each read through the same checks as undo; a refused one says why. */
export async function listJournals(dir: string): Promise<JournalSummary[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort().reverse();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw new EnvironmentError(`cannot read the journal directory ${dir}: ${code}`);
  }
  // the directory's own check refuses the whole list: every file in it is suspect
  await checkOwned(dir, 'directory');
  const out: JournalSummary[] = [];
  for (const f of files) {
    const id = f.slice(0, -'.json'.length);
    try {
      const j = await readJournal(dir, id);
      out.push({ id, time: j.time, node: j.node, ...(j.netns !== undefined ? { netns: j.netns } : {}), status: j.status, applied: j.applied, actions: j.actions.length, ...(j.failed ? { failed: j.failed } : {}), ...(j.undone ? { undone: j.undone } : {}) });
    } catch (e) {
      if (!(e instanceof UsageError || e instanceof EnvironmentError)) throw e;
      out.push({ id: printable(id), error: e.message });
    }
  }
  return out;
}
