// One repair at a time: an exclusive lock file holding the owner's pid. A lock left by a process that
// no longer exists is taken over; a live one fails fast (exit 3).
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';

export const lockPath = (dir: string): string => join(dir, 'repair.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the lock in `dir`; returns the release function. */
export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const path = lockPath(dir);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new EnvironmentError(`cannot create ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'set --journal-dir or FLANCTL_JOURNAL_DIR');
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return async () => {
        await unlink(path).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new EnvironmentError(`cannot take the repair lock ${path}: ${(e as NodeJS.ErrnoException).code}`);
      const text = (await readFile(path, 'utf8').catch(() => '')).trim();
      // empty: another repair has just created it and not yet written its pid
      if (text === '') throw new EnvironmentError(`another flanctl repair is taking the lock ${path} (remove it if no repair runs)`);
      const pid = Number(text);
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new EnvironmentError(`another flanctl repair is running (pid ${pid}, lock ${path})`);
      }
      // stale: its owner is gone
      await unlink(path).catch(() => undefined);
    }
  }
  throw new EnvironmentError(`cannot take the repair lock ${path}`);
}
