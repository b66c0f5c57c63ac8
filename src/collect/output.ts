// Every file flanctl writes goes through here: written beside its destination under a private temporary name,
// then renamed over it, so a full disk or a crash never leaves half a file where the old one was, and a
// symbolic link at the destination is replaced, never followed. An output that is one of the inputs is refused.
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

const why = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code === 'ENOSPC' ? 'no space left on the device' : (code ?? (e as Error).message);
};

/** A temporary name in the destination's directory (same filesystem: rename is atomic). */
// Web Crypto's global, not node:crypto: importing that at load costs every command's start-up ≈ 2 ms
export const tempPathFor = (path: string): string => join(dirname(path), `.${basename(path)}.${process.pid}.${Buffer.from(crypto.getRandomValues(new Uint8Array(4))).toString('hex')}.tmp`);

/**
 * Write `data` to `path` (write, then rename over it); a one-line usage error naming the path on failure. Synchronous
 * inside: the first asynchronous file call starts libuv's four pool threads, ≈ 1 ms CPU of a live collect.
 */
export async function writeOutputFile(path: string, data: string | Buffer): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, data, { flag: 'wx', mode: 0o644 });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${path}: ${why(e)}`);
  }
}

/** Refuse an output path that is the same file as an input (`decode x.pcap --write-inner x.pcap`). */
export function refuseOverInput(output: string, inputs: string[]): void {
  let out;
  try {
    out = statSync(output);
  } catch {
    return; // not there yet: it cannot be an input
  }
  for (const input of inputs) {
    try {
      const st = statSync(input);
      if (st.dev === out.dev && st.ino === out.ino) throw new UsageError(`${output} is the input ${input}: refusing to write over it`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
    }
  }
}

export { why as outputError };
