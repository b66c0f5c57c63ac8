// `collect --raw-dir DIR`: the raw outputs under the file names `--from-dir` reads.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { UsageError } from '../errors.js';

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
