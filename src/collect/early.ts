// The binary starts collect's launcher (launcher.ts) while its commands bundle still loads (≈ 15 ms on one core,
// the other idle): bin/binary.js calls startEarly() before oclif runs, with the launcher's script as text generated
// at build time (scripts/build-binary.sh), so its bundle does not carry the step list and the parsers. collect
// takes it (takeEarly) instead of starting its own. Each bundle has its own copy of this module: the started
// launcher is handed over through one global.
import { isNetnsName, launch, type Launched } from './runner.js';

export interface EarlyLauncher {
  script: string;
  netns: string | undefined;
  /** the launcher's arguments after the script: NONCE MODE */
  args: string[];
  launched: Launched;
  /** the outputs so far, then each as it arrives */
  attach(onOutput: (fd: number, text: string) => void): void;
}

/** the launcher's output fds: stdout, the other reads (OTHERS_FD), one per pods batch (PODS_FDS); dash has fds 0-9 */
export const OTHERS_FD = 4;
export const PODS_FDS = [5, 6, 7, 8];
const FDS = [1, OTHERS_FD, ...PODS_FDS];

const KEY = Symbol.for('flanctl.early-launcher');
type Slot = { [KEY]?: Promise<EarlyLauncher | undefined> };

// the flags of `collect` that change nothing the launcher runs; with --netns the launcher runs in that namespace
const VALUED = new Set(['--netns', '--output', '-o', '--raw-dir']);
const PLAIN = new Set(['--json']);

/**
 * The namespace a `collect` command line collects (null: the node), or undefined when the early launcher does not
 * serve it: anything but these flags, each once (--help, --all, cluster and source flags start nothing early).
 */
export function earlyNetns(argv: string[]): string | null | undefined {
  if (argv[0] !== 'collect') return undefined;
  const seen = new Map<string, string>();
  for (let i = 1; i < argv.length; i++) {
    const eq = argv[i].startsWith('--') ? argv[i].indexOf('=') : -1;
    const [flag, value] = eq > 0 ? [argv[i].slice(0, eq), argv[i].slice(eq + 1)] : [argv[i], VALUED.has(argv[i]) ? argv[++i] : ''];
    const name = flag === '-o' ? '--output' : flag;
    if (seen.has(name) || (!VALUED.has(flag) && !(PLAIN.has(flag) && eq < 0)) || value === undefined) return undefined;
    seen.set(name, value);
  }
  const netns = seen.get('--netns');
  if (netns === undefined) return null;
  return isNetnsName(netns) ? netns : undefined;
}

// Web Crypto's global, not node:crypto (see cluster/remote-script.ts)
export const newNonce = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex');

/** Start the launcher for argv when it is a `collect` served early (and we are root); killed at exit unless taken. */
export function startEarly(argv: string[], script: string): void {
  const ns = earlyNetns(argv);
  if (ns === undefined || process.getuid?.() !== 0) return;
  const netns = ns ?? undefined;
  const args = [newNonce(), netns === undefined ? 'node' : 'netns'];
  const pending: [number, string][] = [];
  let sink: ((fd: number, text: string) => void) | undefined;
  const started = launch(script, args, { netns, fds: FDS, onOutput: (fd, text) => (sink ? sink(fd, text) : pending.push([fd, text])) }).then((launched) => {
    if (launched === undefined) return undefined;
    // not taken and the process ends through process.exit(): nothing it started outlives this process
    const stop = (): void => launched.stop();
    process.on('exit', stop);
    return {
      script,
      netns,
      args,
      launched,
      attach(onOutput: (fd: number, text: string) => void) {
        process.off('exit', stop);
        sink = onOutput;
        for (const [fd, text] of pending.splice(0)) onOutput(fd, text);
      },
    };
  });
  (globalThis as Slot)[KEY] = started;
}

/**
 * Kill the early launcher unless collect took it (a usage error): bin/binary.js calls this once the command ended,
 * else the launcher, waiting for requests, would hold this process until its time limit.
 */
export async function stopEarly(): Promise<void> {
  const slot = globalThis as Slot;
  const started = slot[KEY];
  delete slot[KEY];
  (await started)?.launched.stop();
}

/** The early launcher if it runs this script for this namespace (taken once); else it is killed and undefined. */
export async function takeEarly(script: string, netns: string | undefined): Promise<EarlyLauncher | undefined> {
  const slot = globalThis as Slot;
  const started = slot[KEY];
  delete slot[KEY];
  const early = await started;
  if (early === undefined) return undefined;
  if (early.script === script && early.netns === netns) return early;
  early.launched.stop();
  return undefined;
}
