// One repair at a time, with exactly one holder. The lock file `repair.lock` holds `PID NONCE` and is created
// whole and atomically by link(2) from a private temporary file (EEXIST: someone holds it). A lock whose PID is
// gone is stale; removing it must not race with another contender removing it and taking a new one, so only the
// contender that creates the directory `repair.lock.break.NONCE` (mkdir is atomic) may remove the lock, and only
// after reading that the lock still holds NONCE: while the breaker exists nobody else can remove that lock, and a
// new lock can only be linked once it is gone. The node-side script (cluster/repair.ts) follows the same steps.
import { link, mkdir, readFile, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';

export const lockPath = (dir: string): string => join(dir, 'repair.lock');

// `PID NONCE`, or a bare PID (older flanctl); anything else is not ours to judge
const CONTENT = /^(\d{1,10})(?: ([0-9a-f]{1,64}))?$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** Take the lock in `dir`; returns the release function. Exit 3 when another repair holds it. */
export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const path = lockPath(dir);
  const { randomBytes } = await import('node:crypto');
  const nonce = randomBytes(8).toString('hex');
  const mine = `${process.pid} ${nonce}\n`;
  const tmp = `${path}.${process.pid}.${nonce}`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(tmp, mine, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw new EnvironmentError(`cannot create the repair lock in ${dir}: ${code(e)}`, 'set --journal-dir or FLANCTL_JOURNAL_DIR');
  }
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      // a contender removing a stale lock needs a moment to take it: back off a little more each time
      if (attempt) await new Promise((r) => setTimeout(r, 5 * attempt));
      try {
        await link(tmp, path);
        return async () => {
          // only our own lock: never one a contender took after judging ours stale
          if ((await readFile(path, 'utf8').catch(() => '')) === mine) await unlink(path).catch(() => undefined);
        };
      } catch (e) {
        if (code(e) !== 'EEXIST') throw new EnvironmentError(`cannot take the repair lock ${path}: ${code(e)}`);
      }
      const text = await readFile(path, 'utf8').catch(() => undefined);
      // released meanwhile: try again
      if (text === undefined) continue;
      const m = CONTENT.exec(text.trim());
      if (!m) throw new EnvironmentError(`the repair lock ${path} holds no process id`, 'remove it if no flanctl repair runs');
      const pid = Number(m[1]);
      if (alive(pid)) throw new EnvironmentError(`another flanctl repair is running (pid ${pid}, lock ${path})`);
      await breakStale(path, text, m[2] ?? m[1]);
    }
    throw new EnvironmentError(`cannot take the repair lock ${path}: a stale lock is being taken over`, `if no flanctl repair runs, remove ${path} and ${path}.break.*`);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Remove the stale lock `text`, if this contender wins the right to (see the file comment). */
async function breakStale(path: string, text: string, owner: string): Promise<void> {
  const breaker = `${path}.break.${owner}`;
  try {
    await mkdir(breaker, { mode: 0o700 });
  } catch (e) {
    // another contender is removing it: the next attempt sees its lock, or none
    if (code(e) === 'EEXIST') return;
    throw new EnvironmentError(`cannot take over the stale repair lock ${path}: ${code(e)}`);
  }
  try {
    if ((await readFile(path, 'utf8').catch(() => undefined)) === text) await unlink(path);
  } finally {
    await rmdir(breaker).catch(() => undefined);
  }
}
