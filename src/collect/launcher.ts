// One sh process starts the live collection's programs (live.ts): this large process forks once instead of once
// per program (each fork of it blocked the thread 1.5-4 ms). The script is a constant built from the step list
// (commands.ts) with the framing the cluster's remote script uses (frame.ts). It differs from the remote script
// where a node with flanctl on it can do better: the iproute2 reads in batches (batch.ts), the pods `ip netns
// list-id` names read at once, and what depends on the link list (other pods, flannel.1's offloads, wireguard,
// iflink) run when this process asks, after it read the links.
//
// Lanes run side by side, each on an fd of its own (dash has fds 0-9 only): lane 0 on stdout reads the links and
// then this process's requests on stdin; lane 1 (fd 4) the other reads; each slice of pods its own fd (5-8).
// A request is a line naming a constant step, the data lines after it (validated by the caller) ending at `.`;
// data reaches a program as argv elements, never as shell code.
import { planBatches, type Batch } from './batch.js';
import { ASKED_PODS_FDS, LAUNCHER_FDS, NAMED_PODS_FDS, OTHERS_FD, takeEarly } from './early.js';
import { FEATURES_STEP, STEPS, type Step, WG_STEP } from './commands.js';
import { MARK, newNonce, SectionReader, type Section, SHELL_FUNCTIONS, shQuote } from './frame.js';
import type { PodForm } from './pod-form.js';
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

const stepLine = (name: string, argv: string[]): string => `step ${name} ${argv.map(shQuote).join(' ')}`;

/** A unit's line: a batch gets its command lines (constants, plain words) on stdin from a here-document. */
function unitLines(u: Unit, stdin = ''): string[] {
  if (u.batch === undefined) return [`${stepLine(u.name, u.steps[0].attempts[0].argv!)}${stdin}`];
  return [`${stepLine(u.name, u.batch.argv)} <<'EOF'`, ...u.batch.lines, 'EOF'];
}

/** sysctl with --netns (MODE netns): the program, in that namespace */
const SYSCTL_UNIT = 'sysctl';
export type Request = 'ethtool-k' | 'wg-dump' | 'iflink';
/** the section of `ip netns list-id`'s names, one per line: the namespaces the launcher reads unasked */
export const NAMED_NETNS = 'named-netns';
/** a namespace's read: its own section */
export const podSection = (netns: string): string => `pod:${netns}`;

/**
 * sh -c SCRIPT flanctl NONCE MODE FORM (MODE `netns` also runs sysctl; FORM `ip-n` or `nsenter`, pod-form.ts).
 * First, unasked: `ip netns list-id`'s names (section NAMED_NETNS), each read in FORM (section `pod:NAME`), every
 * other one on each of the two NAMED_PODS_FDS. Requests on stdin, one per line: `ethtool-k`, `wg-dump`; `iflink` then
 * paths and `.` (`grep -H .`'s text, read by the shell); `pods` then namespace names and `.` (each read in turn, in
 * the background on the next of ASKED_PODS_FDS); anything else ends them.
 */
export const LAUNCHER_SCRIPT = [
  'm="$1"',
  'pf="$3"',
  ...SHELL_FUNCTIONS,
  // `grep -H . FILE…`: FILE:LINE for each non-empty line
  'grepH() { for p; do while IFS= read -r v || [ -n "$v" ]; do [ -z "$v" ] || printf "%s:%s\\n" "$p" "$v"; done < "$p" || return 1; done; }',
  // a namespace's addresses as a section of its own, without step's subshell (one fork per pod less): its stderr is
  // left out, a read that failed runs again from flanctl, which records why (stdin: not the requests)
  `podRead() { printf "\\n%s begin pod:%s\\n" "${MARK}-$m" "$1"; if [ "$pf" = nsenter ]; then nsenter "--net=${NETNS_RUN_DIR}/$1" ip -j addr show; else ip -n "$1" -j addr show; fi </dev/null 2>/dev/null; printf "\\n%s end pod:%s %s\\n" "${MARK}-$m" "$1" "$?"; }`,
  // the odd (1) or even (0) ones of NAME…
  'podsEvery() { p=$1; shift; i=0; for n; do i=$((i + 1)); [ $((i % 2)) != "$p" ] || podRead "$n"; done; }',
  // `ip netns list-id` prints `nsid N (iproute2 netns name: NAME)`: the NAMEs that isNetnsName (runner.ts) takes
  `( exec 3>&1; ip netns list-id </dev/null 2>/dev/null | { set --; while read -r _ _ _ _ _ n; do n=\${n%)}; case $n in ''|.|..|*[!A-Za-z0-9_.@:+-]*) ;; *) [ \${#n} -gt 128 ] || set -- "$@" "$n" ;; esac; done; step ${NAMED_NETNS} printf '%s\\n' "$@"; podsEvery 0 "$@" >&${NAMED_PODS_FDS[1]} & podsEvery 1 "$@"; wait; } ) >&${NAMED_PODS_FDS[0]} &`,
  `( exec 3>&1`,
  ...rest.flatMap((u) => unitLines(u)),
  `[ "$2" != netns ] || ${stepLine(SYSCTL_UNIT, SYSCTL_STEP.attempts[0].argv!)}`,
  `) >&${OTHERS_FD} &`,
  // lane 0's programs get no stdin: it holds the requests
  'exec 3>&1',
  ...unitLines(LINKS, ' </dev/null'),
  `k=${ASKED_PODS_FDS[0] - 1}`,
  'while IFS= read -r w; do',
  '  case $w in',
  `    ethtool-k) ${stepLine('ethtool-k', FEATURES_STEP.attempts[0].argv!)} </dev/null ;;`,
  `    wg-dump) ${stepLine('wg-dump', WG_STEP.attempts[0].argv!)} </dev/null ;;`,
  '    iflink) set --; while IFS= read -r l && [ "$l" != . ]; do set -- "$@" "$l"; done; step iflink grepH "$@" ;;',
  '    pods) set --; while IFS= read -r l && [ "$l" != . ]; do set -- "$@" "$l"; done; k=$((k + 1)); ( for n; do podRead "$n"; done ) >&$k & ;;',
  '    *) break ;;',
  '  esac',
  'done',
  'wait',
  '',
].join('\n');

export interface Launcher {
  /** the section of a unit (LAUNCHED_UNITS' names, `sysctl`, NAMED_NETNS, podSection(NAME)), or undefined when the launcher ended without it */
  section(name: string): Promise<LaunchedOutput | undefined>;
  /** queue a request (see LAUNCHER_SCRIPT); its output, or undefined (also when it cannot be asked). Nothing is sent before send(). */
  request(what: Request, data?: string[]): Promise<LaunchedOutput | undefined>;
  /** queue the reads of these namespaces (sections podSection(NAME)); false when it cannot take them (no pods fd left) */
  requestPods(namespaces: string[]): boolean;
  /** send the queued requests and close the launcher's stdin: it ends once they ran */
  send(): void;
  /** stop what it still runs (collect has every output it waits for) */
  stop(): void;
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
export async function startLauncher(netns: string | undefined, form: PodForm, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Launcher | undefined> {
  const args = [newNonce(), netns === undefined ? 'node' : 'netns', form];
  const early = timeoutMs === DEFAULT_TIMEOUT_MS ? takeEarly(LAUNCHER_SCRIPT, netns, args.slice(1)) : undefined;
  const started = early?.started ?? performance.now();
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
  const nonce = early?.args[0] ?? args[0];
  const onOutput = (fd: number, text: string): void => {
    let r = readers.get(fd);
    if (r === undefined) readers.set(fd, (r = new SectionReader(nonce)));
    for (const s of r.push(text)) deliver(s);
  };
  early?.attach(onOutput);
  const launched = early?.launched ?? launch(LAUNCHER_SCRIPT, args, { netns, fds: LAUNCHER_FDS, timeoutMs, onOutput });
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
  // a datum that would end its request early (one per line, `.` ends them; the caller validated them)
  const unsendable = (data: string[]): boolean => data.some((l) => l === '.' || l === '' || l.includes('\n'));
  let podsFds = ASKED_PODS_FDS.length;
  return {
    section: (name) => wait(name),
    request(what, data = []) {
      // not asked: the caller runs it itself
      if (unsendable(data)) return Promise.resolve(undefined);
      queue.push(what, ...(what === 'iflink' ? [...data, '.'] : []));
      return wait(what, performance.now());
    },
    requestPods(namespaces) {
      if (podsFds === 0 || unsendable(namespaces)) return false;
      podsFds--;
      queue.push('pods', ...namespaces, '.');
      return true;
    },
    send: () => launched.write(queue.map((l) => `${l}\n`).join('') + 'go\n', true),
    stop: () => launched.stop(),
  };
}
