// Run the flanctl CLI as a child process, the way a user does. Uses the built bin/run.js when dist is
// at least as new as the sources it needs, else builds once; falls back to bin/dev.js (tsx) when the
// build fails because another part of the tree is mid-edit.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let entry: string[] | undefined;

/** argv prefix that starts the CLI: [node, bin/run.js] or [node, --import, tsx, bin/dev.js]. */
export function cliEntry(): string[] {
  if (entry) return entry;
  const built = join(ROOT, 'dist/commands/collect.js');
  const fresh = existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(ROOT, 'src'));
  if (!fresh) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
    if (build.status === 0) return (entry = [process.execPath, join(ROOT, 'bin/run.js')]);
    return (entry = [process.execPath, '--import', 'tsx', join(ROOT, 'bin/dev.js')]);
  }
  return (entry = [process.execPath, join(ROOT, 'bin/run.js')]);
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: SpawnSyncOptions & { prefix?: string[] } = {}): CliResult {
  const [node, ...rest] = cliEntry();
  const argv = [...(opts.prefix ?? []), node, ...rest, ...args];
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 60_000, ...opts });
  return { status: r.status ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** A bad-input run: one line on stderr, no stack trace. */
export function expectOneLineError(r: CliResult): string {
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1 || r.stderr.includes('    at ')) throw new Error(`expected one stderr line, got:\n${r.stderr}`);
  return lines[0];
}
