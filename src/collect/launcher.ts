// One sh process starts the live collection's programs (live.ts): this large process forks once instead of once
// per program (each fork of it blocked the thread 1.5-4 ms). The script is a constant built from the step list
// (commands.ts) with the framing the cluster's remote script uses (frame.ts). It differs from the remote script
// where a node with flanctl on it can do better: the iproute2 reads in batches (batch.ts), and what depends on the
// link list (pods, flannel.1's offloads, wireguard, iflink) run when this process asks, after it read the links.
//
// Lanes run side by side, each on an fd of its own (dash has fds 0-9 only): lane 0 on stdout reads the links and
// then this process's requests on stdin; lane 1 (fd 4) the other reads; each slice of pods its own fd (5-8).
// A request is a line naming a constant step, the data lines after it (validated by the caller) ending at `.`;
// data reaches a program as argv elements, never as shell code.
import { planBatches, type Batch } from './batch.js';
import { newNonce, OTHERS_FD, PODS_FDS, takeEarly } from './early.js';
import { FEATURES_STEP, STEPS, type Step, WG_STEP } from './commands.js';
import { SectionReader, type Section, SHELL_FUNCTIONS, shQuote } from './frame.js';
import { NETNS_IDS_STEP } from './pods.js';
import { DEFAULT_TIMEOUT_MS, launch, NETNS_RUN_DIR } from './runner.js';

/** One program the launcher runs before it is asked anything: a batch of steps, or one step's first attempt. */
export interface Unit {
  /** its section's name */
  name: string;
  steps: Step[];
  batch?: Batch;
}

const SYSCTL_STEP = STEPS.find((s) => s.name === 'sysctl')!;
// `uname -r` and `hostname` are /proc reads of this process (the same in any network namespace); sysctl too on a
// node, and with --netns the launcher runs it there (see kernel-files.ts)
const planned = planBatches([...STEPS, NETNS_IDS_STEP].filter((s) => s.name !== 'kernel' && s.name !== 'sysctl'));
const units: Unit[] = [...planned.batches.map((b) => ({ name: `${b.argv[0]}-batch`, steps: b.steps, batch: b })), ...planned.single.map((s) => ({ name: s.name, steps: [s] }))];
/** the links are read first on lane 0; lane 1 starts with what else decides the pods (the batch with addr, netns list-id) */
const LINKS = units.find((u) => u.steps.some((s) => s.name === 'ip-link'))!;
const POD_INPUTS = ['ip-addr', 'netns-list-id'];
const rest = units.filter((u) => u !== LINKS).sort((a, b) => Number(b.steps.some((s) => POD_INPUTS.includes(s.name))) - Number(a.steps.some((s) => POD_INPUTS.includes(s.name))));

/** The units run without asking, in lane order. */
export const LAUNCHED_UNITS: Unit[] = [LINKS, ...rest];

export const MAX_POD_SLICES = PODS_FDS.length;

const stepLine = (name: string, argv: string[]): string => `step ${name} ${argv.map(shQuote).join(' ')}`;

/** A unit's line: a batch gets its command lines (constants, plain words) on stdin from a here-document. */
function unitLines(u: Unit, stdin = ''): string[] {
  if (u.batch === undefined) return [`${stepLine(u.name, u.steps[0].attempts[0].argv!)}${stdin}`];
  return [`${stepLine(u.name, u.batch.argv)} <<'EOF'`, ...u.batch.lines, 'EOF'];
}

/** sysctl with --netns (MODE netns): the program, in that namespace */
const SYSCTL_UNIT = 'sysctl';
const PODS = 'pods';
const PODS_NSENTER = 'pods-nsenter';
export type Request = 'ethtool-k' | 'wg-dump' | 'iflink' | typeof PODS | typeof PODS_NSENTER;
const isPods = (what: Request): boolean => what === PODS || what === PODS_NSENTER;

/**
 * sh -c SCRIPT flanctl NONCE MODE (MODE `netns` also runs sysctl). Requests on stdin, one per line:
 * `ethtool-k`, `wg-dump`; `iflink` then paths and `.` (`grep -H .`'s text, read by the shell); `pods` then
 * namespace names and `.` (`ip -n NAME -j addr show` for each in turn, in the background on the next pods fd,
 * ending at the first that fails); `pods-nsenter` the same with `nsenter --net=NETNS_RUN_DIR/NAME ip -j addr show`
 * (pods.ts podForm); anything else ends them.
 */
export const LAUNCHER_SCRIPT = [
  'm="$1"',
  ...SHELL_FUNCTIONS,
  // `grep -H . FILE…`: FILE:LINE for each non-empty line
  'grepH() { for p; do while IFS= read -r v || [ -n "$v" ]; do [ -z "$v" ] || printf "%s:%s\\n" "$p" "$v"; done < "$p" || return 1; done; }',
  // `ip -n NAME -j addr show` for each NAME (stdin: not the requests)
  'podsAddr() { for n; do ip -n "$n" -j addr show </dev/null || return; done; }',
  `podsNsenter() { for n; do nsenter "--net=${NETNS_RUN_DIR}/$n" ip -j addr show </dev/null || return; done; }`,
  `( exec 3>&1`,
  ...rest.flatMap((u) => unitLines(u)),
  `[ "$2" != netns ] || ${stepLine(SYSCTL_UNIT, SYSCTL_STEP.attempts[0].argv!)}`,
  `) >&${OTHERS_FD} &`,
  // lane 0's programs get no stdin: it holds the requests
  'exec 3>&1',
  ...unitLines(LINKS, ' </dev/null'),
  `k=${PODS_FDS[0] - 1}`,
  'while IFS= read -r w; do',
  '  case $w in',
  `    ethtool-k) ${stepLine('ethtool-k', FEATURES_STEP.attempts[0].argv!)} </dev/null ;;`,
  `    wg-dump) ${stepLine('wg-dump', WG_STEP.attempts[0].argv!)} </dev/null ;;`,
  '    iflink) set --; while IFS= read -r l && [ "$l" != . ]; do set -- "$@" "$l"; done; step iflink grepH "$@" ;;',
  `    ${PODS}|${PODS_NSENTER}) f=podsAddr; [ "$w" = ${PODS} ] || f=podsNsenter; set --; while IFS= read -r l && [ "$l" != . ]; do set -- "$@" "$l"; done; k=$((k + 1)); ( exec 3>&1; step ${PODS}-$k $f "$@" ) >&$k & ;;`,
  '    *) break ;;',
  '  esac',
  'done',
  'wait',
  '',
].join('\n');

export interface Launcher {
  /** the section of a unit (LAUNCHED_UNITS' names, `sysctl`), or undefined when the launcher ended without it */
  section(name: string): Promise<LaunchedOutput | undefined>;
  /** queue a request (see LAUNCHER_SCRIPT); its output, or undefined (also when it cannot be asked). Nothing is sent before send(). */
  request(what: Request, data?: string[]): Promise<LaunchedOutput | undefined>;
  /** send the queued requests and close the launcher's stdin: it ends once they ran */
  send(): void;
}

export interface LaunchedOutput extends Section {
  /** ms from the launcher's start (or the request) to the end of this output */
  ms: number;
  /**
   * the launcher's time limit, when it stopped at it while this program ran (its section began and never ended):
   * the program hung; `text` is what it printed until then, there is no exit status
   */
  timeoutMs?: number;
}

/**
 * Start the launcher now (or take the one the binary started while this code loaded: early.ts), with one time
 * limit for all it runs; undefined when it cannot start (no sh): the caller runs each program itself.
 */
export async function startLauncher(netns: string | undefined, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Launcher | undefined> {
  const early = timeoutMs === DEFAULT_TIMEOUT_MS ? await takeEarly(LAUNCHER_SCRIPT, netns) : undefined;
  const started = performance.now();
  const waiting = new Map<string, { resolve: (o: LaunchedOutput | undefined) => void; since: number }>();
  const arrived = new Map<string, LaunchedOutput>();
  const readers = new Map<number, SectionReader>();
  const deliver = (s: Section, hung = false): void => {
    const w = waiting.get(s.name);
    const out = { ...s, ms: Math.round(performance.now() - (w?.since ?? started)), ...(hung ? { timeoutMs } : {}) };
    arrived.set(s.name, out);
    waiting.delete(s.name);
    w?.resolve(out);
  };
  const args = early?.args ?? [newNonce(), netns === undefined ? 'node' : 'netns'];
  const onOutput = (fd: number, text: string): void => {
    let r = readers.get(fd);
    if (r === undefined) readers.set(fd, (r = new SectionReader(args[0])));
    for (const s of r.push(text)) deliver(s);
  };
  early?.attach(onOutput);
  const launched = early?.launched ?? (await launch(LAUNCHER_SCRIPT, args, { netns, fds: [1, OTHERS_FD, ...PODS_FDS], timeoutMs, onOutput }));
  if (launched === undefined) return undefined;
  let ended = false;
  void launched.done.then(({ timedOut }) => {
    ended = true;
    // The one place that tells a program that hung from one that never began. Stopped at the limit, a lane's section
    // that began and never ended is the program it was running: its output says so (the caller records it timed
    // out, never starting it again); a section that never began (queued behind it, a request not reached) is
    // undefined: the caller runs it itself.
    if (timedOut) {
      for (const r of readers.values()) {
        const s = r.unfinished();
        if (s !== undefined) deliver({ ...s, stderr: '' }, true);
      }
    }
    for (const w of waiting.values()) w.resolve(undefined);
    waiting.clear();
  });
  const wait = (name: string, since = started): Promise<LaunchedOutput | undefined> => {
    const got = arrived.get(name);
    if (got) return Promise.resolve(got);
    if (ended) return Promise.resolve(undefined);
    return new Promise((resolve) => waiting.set(name, { resolve, since }));
  };
  const queue: string[] = [];
  let pods = PODS_FDS[0] - 1;
  return {
    section: (name) => wait(name),
    request(what, data = []) {
      // no pods fd left, or a datum that would end the request early (one per line, `.` ends them; the caller
      // validated them): not asked, the caller runs it itself
      if ((isPods(what) && pods === PODS_FDS.at(-1)) || data.some((l) => l === '.' || l === '' || l.includes('\n'))) return Promise.resolve(undefined);
      queue.push(what, ...(what === 'iflink' || isPods(what) ? [...data, '.'] : []));
      return wait(isPods(what) ? `${PODS}-${++pods}` : what, performance.now());
    },
    send: () => launched.write(queue.map((l) => `${l}\n`).join('') + 'go\n', true),
  };
}
