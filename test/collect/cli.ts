// The one way tests run the flanctl CLI: the built bin/run.js as a child process, the way a user does.
// A build older than its sources fails the test instead of testing yesterday's code (or quietly falling
// back to another entry point): run `npx tsc -b && npx oclif manifest` first (`npm test` does).
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;

/**
 * Why the build is stale, if it is: tsc -b's own rule (a source newer than dist/.tsbuildinfo; unchanged
 * sources are not re-emitted, so dist/*.js times say nothing), and the manifest older than a command.
 */
function staleBuild(root = ROOT): string | undefined {
  const mtime = (path: string): number => (existsSync(path) ? statSync(path).mtimeMs : 0);
  const built = mtime(join(root, 'dist/.tsbuildinfo'));
  const manifest = mtime(join(root, 'oclif.manifest.json'));
  const walk = (dir: string): string | undefined => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const stale = entry.isDirectory() ? walk(path) : undefined;
      if (stale) return stale;
      if (!entry.isFile()) continue;
      const rel = relative(root, path);
      if (mtime(path) > built) return `${rel} is newer than dist/.tsbuildinfo`;
      if (rel.startsWith('src/commands/') && mtime(path) > manifest) return `oclif.manifest.json is older than ${rel}`;
    }
    return undefined;
  };
  return walk(join(root, 'src'));
}

let checked = false;

/** argv prefix that starts the built CLI: [node, bin/run.js]. Throws on a stale build. */
export function cliEntry(): string[] {
  if (!checked) {
    const stale = staleBuild();
    if (stale) throw new Error(`stale build: ${stale}; run \`npx tsc -b && npx oclif manifest\``);
    checked = true;
  }
  return [process.execPath, join(ROOT, 'bin/run.js')];
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as the one JSON document `--json` promises (throws, with stdout, when it is not one) */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

/** `flanctl ARGS`; `prefix` runs it under another program (`ip netns exec NS`, `setpriv ...`). */
export function runCli(args: string[], opts: SpawnSyncOptions & { prefix?: string[] } = {}): CliResult {
  const argv = [...(opts.prefix ?? []), ...cliEntry(), ...args];
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 26, ...opts });
  const stdout = String(r.stdout ?? '');
  return {
    status: r.status ?? -1,
    stdout,
    stderr: String(r.stderr ?? ''),
    get json() {
      try {
        return JSON.parse(stdout);
      } catch {
        throw new Error(`stdout is not one JSON document:\n${stdout.slice(0, 2000)}`);
      }
    },
  };
}

/** A bad-input run: one line on stderr, no stack trace. */
export function expectOneLineError(r: CliResult): string {
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1 || r.stderr.includes('    at ')) throw new Error(`expected one stderr line, got:\n${r.stderr}`);
  return lines[0];
}
