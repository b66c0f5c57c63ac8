// Every file flanctl reads as input goes through here: opened without blocking (a FIFO would hang a plain
// read forever), it must be a regular file of bounded size (/dev/zero or a 600 MB paste is not node state).
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

// the largest real input is a 50,000-peer snapshot (~60 MB); this leaves room and keeps memory bounded
export const MAX_INPUT = 256 * 1024 * 1024;

const reason = (code: string | undefined): string =>
  code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');

/**
 * The text of `path`; `what` names it in the one-line usage error (e.g. `--nodes`, `snapshot`). Read with
 * synchronous calls: each asynchronous one is a round trip through libuv's thread pool, and the five a file
 * took were ≈ 3 ms of a seed trace's start-up; a command reads its input before anything else runs.
 */
export async function readInputFile(path: string, what: string, max = MAX_INPUT): Promise<string> {
  let fd;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${reason((e as NodeJS.ErrnoException).code)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UsageError(`cannot read ${what} ${path}: is a directory`);
    if (!st.isFile()) throw new UsageError(`cannot read ${what} ${path}: not a regular file (a pipe or device is not read)`);
    if (st.size > max) throw new UsageError(`cannot read ${what} ${path}: ${Math.round(st.size / 1024 / 1024)} MiB is over the ${max / 1024 / 1024} MiB limit`);
    return readFileSync(fd, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${what} ${path}: ${reason((e as NodeJS.ErrnoException).code)}`);
  } finally {
    closeSync(fd);
  }
}

/** The deepest nesting of `[`/`{` in JSON text (strings skipped), without recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      // a string: jump to its closing quote (most of a snapshot's characters are in strings)
      for (;;) {
        const end = text.indexOf('"', i + 1);
        if (end < 0) return max;
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
        i = end;
        if (slashes % 2 === 0) break;
      }
    } else if (ch === 0x5b || ch === 0x7b) max = Math.max(max, ++depth);
    else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return max;
}

// a snapshot or a node list is a few levels deep; far deeper JSON only overflows the stack of whatever prints it
export const MAX_JSON_DEPTH = 64;
