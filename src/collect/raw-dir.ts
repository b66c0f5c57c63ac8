// `collect --raw-dir DIR`: the raw outputs under the file names `--from-dir` reads.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { UsageError } from '../errors.js';

/** Check before collecting: files left from another run (another node, a fallback form) would be read back as this node's. */
export async function checkRawDir(dir: string): Promise<void> {
  const existing = await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : undefined));
  if (existing === undefined) throw new UsageError(`cannot use ${dir} for raw outputs: not a readable directory`);
  if (existing.length > 0) throw new UsageError(`--raw-dir ${dir} is not empty`, 'give a new or empty directory');
}

export async function writeRawDir(dir: string, raw: Map<string, string>): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    for (const [name, text] of raw) {
      // names are ours (step file names, pods/<netns>/...); never let one climb out of dir
      const rel = normalize(name);
      if (rel.startsWith('..') || rel.startsWith('/')) continue;
      const path = join(dir, rel);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    }
  } catch (error) {
    throw new UsageError(`cannot write raw outputs to ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
