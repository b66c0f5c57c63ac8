// The single binary as a node without Node.js sees it: a copy of dist/flanctl-linux-x64 in a scratch directory, run
// in a private mount namespace where every node binary on PATH is an empty file and the repo's node_modules is an
// empty tmpfs, with an empty environment (`env -i`, a standard PATH) from /tmp. The mounts die with the namespace.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';

export const ROOT = new URL('../..', import.meta.url).pathname;
const BUILT = join(ROOT, 'dist/flanctl-linux-x64');
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// the binary's own outputs and tsc's bookkeeping, which change without changing what is bundled
const OUTPUTS = new Set(['flanctl-linux-x64', 'flanctl-linux-x64.sea', 'flanctl-linux-x64.tmp', '.tsbuildinfo']);

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const e of readdirSync(path)) if (!OUTPUTS.has(e)) newest = Math.max(newest, newestMtime(join(path, e)));
  return newest;
}

/** dist/flanctl-linux-x64, rebuilt when older than what it bundles (`npm test` builds it just before). */
export function binary(): string {
  const inputs = ['dist', 'oclif.manifest.json', 'bin/binary.js', 'bin/binary-oclif.js', 'bin/string-width.cjs', 'scripts/sea.sh', 'scripts/build-binary.sh']
    .map((p) => join(ROOT, p))
    .filter(existsSync);
  const stale = !existsSync(BUILT) || statSync(BUILT).mtimeMs < Math.max(...inputs.map(newestMtime), newestMtime(join(ROOT, 'src')));
  if (stale) {
    const r = spawnSync('npm', ['run', 'build:binary'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`npm run build:binary failed (${r.status}): ${r.stderr.slice(-2000)}`);
  }
  return BUILT;
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Every `node`/`nodejs` on this PATH and the one running the tests, resolved (bind mounts follow links anyway). */
function nodeBinaries(): string[] {
  const found = new Set([realpathSync(process.execPath)]);
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(PATH.split(':'))) {
    for (const name of ['node', 'nodejs']) if (existsSync(join(dir, name))) found.add(realpathSync(join(dir, name)));
  }
  return [...found];
}

// $1 the empty file, $2 the directory to hide; then node binaries up to `--`; then the command
const HIDE = `set -e
empty=$1; modules=$2; shift 2
while [ "$1" != -- ]; do mount --bind "$empty" "$1"; shift; done; shift
mount -t tmpfs -o size=64k fct-hidden "$modules"
cd /tmp
exec env -i PATH=${PATH} "$@"`;

export class HiddenNode {
  readonly dir = mkdtempSync(join(tmpdir(), 'fct-bin-'));
  /** the copied binary, as `scp` would leave it on a node */
  readonly bin = join(this.dir, 'flanctl');
  private readonly empty = join(this.dir, 'empty');

  constructor(built: string) {
    copyFileSync(built, this.bin);
    spawnSync('chmod', ['755', this.bin]);
    writeFileSync(this.empty, '');
  }

  /** The unshare argv that runs argv in the namespace; env entries are added after `env -i`. */
  private hidden(argv: string[], env: Record<string, string>): string[] {
    const modules = realpathSync(join(ROOT, 'node_modules'));
    const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    return ['--mount', '--propagation', 'private', '--', 'sh', '-c', HIDE, 'sh', this.empty, modules, ...nodeBinaries(), '--', ...vars, ...argv];
  }

  /** Run argv (a program and its arguments) in the namespace; env entries are added after `env -i`. */
  exec(argv: string[], env: Record<string, string> = {}): Run {
    const r = spawnSync('unshare', this.hidden(argv, env), { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** The same without blocking this process: for a server the test runs itself (the kubectl API stand-in). */
  async execAsync(argv: string[], env: Record<string, string> = {}): Promise<Run> {
    const r = await execa('unshare', this.hidden(argv, env), { reject: false, timeout: 120_000, maxBuffer: 64 << 20 });
    return { status: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  }

  /** `flanctl <args>` with the copied binary. */
  flanctl(args: string[], env: Record<string, string> = {}): Run {
    return this.exec([this.bin, ...args], env);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
