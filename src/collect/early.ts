// The binary starts collect's launcher (launcher.ts) first thing, so the launcher reads the pods while the command
// gets going: bin/binary.js calls startEarly() before anything else, and it spawns the sh there and then
// (everything on its way is synchronous). collect takes it (takeEarly) instead of starting its own.
import { newNonce } from './frame.js';
import { podForm } from './pod-form.js';
import { isNetnsName, launch, type Launched } from './runner.js';

export interface EarlyLauncher {
  script: string;
  netns: string | undefined;
  /** the launcher's arguments after the script: NONCE MODE FORM */
  args: string[];
  /** performance.now() when it started */
  started: number;
  launched: Launched;
  /** the outputs so far, then each as it arrives */
  attach(onOutput: (fd: number, text: string) => void): void;
}

/**
 * the launcher's output fds (dash has fds 0-9): stdout, the other reads (OTHERS_FD), the pods it reads unasked
 * (NAMED_PODS_FDS), one per slice of pods it is asked for (ASKED_PODS_FDS)
 */
export const OTHERS_FD = 4;
export const NAMED_PODS_FDS = [5, 6];
export const ASKED_PODS_FDS = [7, 8];
export const LAUNCHER_FDS = [1, OTHERS_FD, ...NAMED_PODS_FDS, ...ASKED_PODS_FDS];

// the early launcher until collect takes it or it is stopped
let waiting: EarlyLauncher | undefined;

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

/**
 * Start the launcher for argv when it is a `collect` served early (and we are root), in the pods' form of this node.
 * runner.ts stops it at exit, as anything it started; stopEarly() when the command ended without taking it.
 */
export function startEarly(argv: string[], script: string): void {
  const ns = earlyNetns(argv);
  if (ns === undefined || process.getuid?.() !== 0) return;
  const netns = ns ?? undefined;
  const pending: [number, string][] = [];
  let sink: ((fd: number, text: string) => void) | undefined;
  const onOutput = (fd: number, text: string): void => void (sink ? sink(fd, text) : pending.push([fd, text]));
  // started now, not in a callback: a callback once held the sh back to 28-31 ms after exec (bench/collect-phases.ts)
  const args = [newNonce(), netns === undefined ? 'node' : 'netns', podForm()];
  const at = performance.now();
  let launched: Launched | undefined;
  try {
    launched = launch(script, args, { netns, fds: LAUNCHER_FDS, onOutput });
  } catch {
    // a spawn refused at once (ENOMEM…) throws here, while the binary loads: none early, collect starts its own
    return;
  }
  waiting = launched && {
    script,
    netns,
    args,
    started: at,
    launched,
    attach(output: (fd: number, text: string) => void) {
      sink = output;
      for (const [fd, text] of pending.splice(0)) output(fd, text);
    },
  };
}

/**
 * Kill the early launcher unless collect took it (a usage error): bin/binary.js calls this once the command ended,
 * else the launcher, waiting for requests, would hold this process until its time limit.
 */
export function stopEarly(): void {
  const early = waiting;
  waiting = undefined;
  early?.launched.stop();
}

/** The early launcher if it runs this script for this namespace with these MODE FORM (taken once); else it is killed and undefined. */
export function takeEarly(script: string, netns: string | undefined, modeForm: string[]): EarlyLauncher | undefined {
  const early = waiting;
  waiting = undefined;
  if (early === undefined) return undefined;
  if (early.script === script && early.netns === netns && early.args.slice(1).join(' ') === modeForm.join(' ')) return early;
  early.launched.stop();
  return undefined;
}
