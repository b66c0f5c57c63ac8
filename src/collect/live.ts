// Collect the live state of this node (or of one named network namespace) into a Snapshot.
// One sh (launcher.ts) starts the programs: the iproute2 reads in a few batches (batch.ts), side by side, and what
// depends on the link list (pods, iflink, ethtool) as soon as this process read the links and asked for it. A
// step the launcher did not answer (it failed, or there is no sh) runs here as before, through runner.ts: the same
// snapshot and the same outcomes. Every step's outcome lands in snapshot.commands.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError, FlanctlError } from '../errors.js';
import { type Address, type FdbEntry, isIfname, type Link, type Neigh, type Route, type Snapshot } from '../model/index.js';
import { parseCniConflist, parseSubnetEnv } from '../parse/index.js';
import { buildSnapshot } from './assemble.js';
import { type Batch, splitBatchOutput } from './batch.js';
import { type Collected, emptyCollected, FEATURES_STEP, HOSTNAME_STEP, WG_STEP, IPTABLES_LEGACY_STEP, iflinkStep, STEPS, type Step } from './commands.js';
import { type PodForm, podForm } from './pod-form.js';
import { collectPods } from './pods.js';
import { sysctlText } from './kernel-files.js';
import { LAUNCHED_UNITS, type LaunchedOutput, type Launcher, NAMED_NETNS, podSection, type Request, startLauncher } from './launcher.js';
import { DEFAULT_TIMEOUT_MS, isRoot, run, type RunOptions, type RunResult, timedOutResult, validateNetns, which } from './runner.js';

export interface CollectOptions {
  netns?: string;
  onProgress?: (step: string, done: number, total: number) => void;
  /** each program's time limit, and the launcher's for all it runs (default 10 s) */
  timeoutMs?: number;
  /** false: flanctl starts every program itself, as where there is no sh (both ways record the same outcomes) */
  launcher?: false;
}

/** How each program runs: in which namespace, with which time limit. */
type RunAt = Pick<RunOptions, 'netns' | 'timeoutMs'>;

export interface Collection {
  snapshot: Snapshot;
  /** raw outputs by --from-dir file name (pods/<netns>/ip-addr.txt for pods) */
  raw: Map<string, string>;
}

const SUBNET_ENV = '/run/flannel/subnet.env';
// what `uname -r` and `hostname` print, read without a process (the same in any network namespace)
const PROC_FILE: Partial<Record<string, string>> = { kernel: '/proc/sys/kernel/osrelease', hostname: '/proc/sys/kernel/hostname' };
const CNI_DIR = '/etc/cni/net.d';
const IPAM_DIR = '/var/lib/cni/networks';

/** Rules plus user chains: an empty ruleset has neither. */
const ruleCount = (r: Collected['iptables']): number => r?.tables.reduce((n, t) => n + t.rules.length + t.chains.filter((ch) => ch.policy === '-').length, 0) ?? 0;

function withStderrLines(stdout: string, stderr: string, keep: RegExp): string {
  const kept = stderr.split('\n').filter((l) => keep.test(l));
  return kept.length ? kept.join('\n') + '\n' + stdout : stdout;
}

/**
 * The launcher's output of a first attempt as run() gives it, when it worked and nothing of it is missing (it reports
 * only stderr's first line: a step that keeps stderr lines and printed some runs alone), or when the program hung
 * (stopped at the launcher's limit: a timeout, as run() reports its own).
 */
function launchedRun(o: LaunchedOutput | undefined, argv: string[], keepsStderr: boolean): RunResult | undefined {
  if (o?.timeoutMs !== undefined) return timedOutResult({ argv, stdout: o.text, stderr: '', ms: o.ms }, o.timeoutMs);
  if (o?.exitCode !== 0 || (keepsStderr && o.stderr !== '')) return undefined;
  return { argv, ok: true, stdout: o.text, stderr: o.stderr, exitCode: 0, ms: o.ms };
}

/**
 * Run one step's attempts in order until one works; record the outcome and the raw text. `errors`: why it runs alone
 * (its batch failed). `launched`: the first attempt's output from the launcher, used when it worked.
 */
async function runStep(step: Step, c: Collected, raw: Map<string, string>, at: RunAt, errors: string[] = [], launched?: LaunchedOutput): Promise<void> {
  let total = 0;
  let timedOut = false;
  for (const [i, attempt] of step.attempts.entries()) {
    const r = (i === 0 ? launchedRun(launched, attempt.argv!, attempt.stderrLines !== undefined) : undefined) ?? (await run(attempt.argv!, at));
    total += r.ms;
    if (!r.ok) {
      errors.push(r.error ?? 'failed');
      // a program that hung is not started again, nor the step's other forms: they would wait on the same wedged
      // kernel state (a netlink socket, a namespace's mount) for one more limit
      if ((timedOut = r.timedOut === true)) break;
      continue;
    }
    const out = attempt.redact ? attempt.redact(r.stdout) : r.stdout;
    const text = attempt.stderrLines ? withStderrLines(out, r.stderr, attempt.stderrLines) : out;
    try {
      attempt.apply(text, c);
    } catch (error) {
      // an output the parser does not know: try the next form (e.g. text after JSON)
      errors.push(error instanceof Error ? error.message : String(error));
      continue;
    }
    if (attempt.file !== '') raw.set(attempt.file, text);
    c.commands.push({ name: step.name, argv: attempt.argv, ok: true, form: attempt.form, ms: total, ...(errors.length ? { error: errors.join('; ') } : {}) });
    return;
  }
  c.commands.push({ name: step.name, argv: step.attempts[0].argv, ok: false, ...(timedOut ? { timedOut } : {}), error: errors.join('; '), ms: total });
}

/** The parsed output applied to c, or false when the parser does not know it (the step then runs alone). */
function applies(step: Step, text: string, c: Collected): boolean {
  try {
    step.attempts[0].apply(text, c);
    return true;
  } catch {
    return false;
  }
}

/**
 * One batch process for several steps; a step it did not answer (the batch failed, its output did not parse) runs
 * alone, unless the batch hung (each step then timed out with it). `launched`: the batch's output from the launcher;
 * when it failed the batch runs here.
 */
async function runBatch(b: Batch, c: Collected, raw: Map<string, string>, at: RunAt, launched?: LaunchedOutput): Promise<void> {
  const r = launchedRun(launched, b.argv, false) ?? (await run(b.argv, { ...at, input: b.lines.map((l) => `${l}\n`).join('') }));
  if (r.timedOut) {
    for (const step of b.steps) c.commands.push({ name: step.name, argv: step.attempts[0].argv, batch: b.argv, ok: false, timedOut: true, error: r.error, ms: r.ms });
    return;
  }
  const texts = r.ok ? splitBatchOutput(r.stdout, b.lines.length) : undefined;
  const batchError = `${b.argv.join(' ')}: ${r.error ?? 'not one JSON line per command'}`;
  const alone: [Step, string][] = [];
  b.steps.forEach((step, i) => {
    const text = texts?.[i];
    if (text === undefined) return void alone.push([step, batchError]);
    if (!applies(step, text, c)) return void alone.push([step, `${b.argv.join(' ')}: ${b.lines[i]}: output not understood`]);
    if (step.attempts[0].file !== '') raw.set(step.attempts[0].file, text);
    c.commands.push({ name: step.name, argv: step.attempts[0].argv, batch: b.argv, ok: true, form: step.attempts[0].form, ms: r.ms });
  });
  await Promise.all(alone.map(([s, why]) => runStep(s, c, raw, at, [why])));
}

/** Read a host file for a step that has no program (subnet.env, CNI config): synchronously, as every file here (no pool threads: output.ts). */
async function readStep(name: string, path: string, file: string, apply: (text: string) => void, c: Collected, raw: Map<string, string>): Promise<void> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    c.commands.push({ name, file: path, ok: false, error: code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${code}`, ms: ms() });
    return;
  }
  try {
    apply(text);
  } catch (error) {
    c.commands.push({ name, file: path, ok: false, error: error instanceof Error ? error.message : String(error), ms: ms() });
    return;
  }
  raw.set(file, text);
  c.commands.push({ name, file: path, ok: true, form: 'file', ms: ms() });
}

/**
 * A step whose program only prints kernel files (sysctl, the iflink grep): the same text read without a process —
 * sysctl here on a node (kernel-files.ts), iflink by the launcher's shell in the namespace it runs in (the node's, or
 * --netns's: /sys/class/net is that namespace's). A read or parse failure runs the program instead; a read the
 * launcher was stopped in is the program's timeout.
 */
async function kernelFileStep(step: Step, text: Promise<string | LaunchedOutput | undefined>, c: Collected, raw: Map<string, string>, at: RunAt): Promise<void> {
  const started = performance.now();
  const attempt = step.attempts[0];
  const got = await text;
  if (typeof got === 'object' && got.timeoutMs !== undefined) return runStep(step, c, raw, at, [], got);
  const read = typeof got === 'object' ? (got.exitCode === 0 ? got.text : undefined) : got;
  try {
    if (read === undefined) throw new Error('not read');
    attempt.apply(read, c);
  } catch {
    return runStep(step, c, raw, at);
  }
  raw.set(attempt.file, read);
  c.commands.push({ name: step.name, file: step.name === 'sysctl' ? '/proc/sys' : '/sys/class/net', ok: true, form: 'file', ms: Math.round(performance.now() - started) });
}

const readDir = (path: string): string[] => {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
};

async function flannelConflist(): Promise<string | undefined> {
  const names = readDir(CNI_DIR);
  const pick = names.filter((n) => /flannel/i.test(n) && /\.conflist$/.test(n)).sort()[0];
  return pick === undefined ? undefined : join(CNI_DIR, pick);
}

/** host-local IPAM: /var/lib/cni/networks/<net>/<ip> holds the container ID (and the ifname in newer plugins). */
async function readIpam(c: Collected): Promise<void> {
  for (const network of readDir(IPAM_DIR)) {
    for (const ip of readDir(join(IPAM_DIR, network)).filter((f) => /^[0-9a-f.:]+$/i.test(f) && /[.:]/.test(f))) {
      let text: string | undefined;
      try {
        text = readFileSync(join(IPAM_DIR, network, ip), 'utf8');
      } catch {
        text = undefined;
      }
      if (text === undefined) continue;
      const [containerId, ifname] = text.split(/\r?\n/).map((l) => l.trim());
      if (containerId) c.ipam.push({ network, ip, containerId, ...(ifname ? { ifname } : {}) });
    }
  }
}

// what the pods are found from: links with their peers' nsids, addresses (a pod veth has no IPv4), nsid names
const POD_INPUTS = ['ip-link', 'ip-addr', 'netns-list-id'];

/** iptables-legacy-save's rules when iptables-save had none and the legacy backend is installed. */
async function legacyIptables(c: Collected, raw: Map<string, string>, at: RunAt): Promise<void> {
  if (ruleCount(c.iptables) > 0 || c.iptables?.variant === 'legacy' || !which('iptables-legacy-save')) return;
  const legacy = emptyCollected();
  const legacyRaw = new Map<string, string>();
  await runStep(IPTABLES_LEGACY_STEP, legacy, legacyRaw, at);
  c.commands.push(...legacy.commands);
  if (legacy.iptables && ruleCount(legacy.iptables) > 0) {
    c.iptables = { ...legacy.iptables, variant: legacy.iptables.variant ?? 'legacy' };
    raw.set('iptables-save.txt', legacyRaw.get('iptables-legacy-save.txt')!);
  }
}

/**
 * What the link list decides: the pods, iflink of each link, flannel.1's offloads, wireguard's dump. Asks the
 * launcher for them before it returns (the caller then sends the requests).
 */
function afterLinks(c: Collected, raw: Map<string, string>, at: RunAt, launcher: Launcher | undefined, form: PodForm, named: Set<string>, tick: (s: string) => void, grow: (n: number) => void): Promise<void>[] {
  const links = c.links ?? c.addrLinks ?? [];
  const ask = (what: Request, data?: string[]): Promise<LaunchedOutput | undefined> => launcher?.request(what, data) ?? Promise.resolve(undefined);
  // names go onto a command line (as /sys paths): only well-formed ones
  const names = links.map((l) => l.name).filter(isIfname);
  // the pods first: the ones the launcher did not read unasked run in the background while its request loop runs the rest
  const reads = launcher && { named, ask: (namespaces: string[]) => launcher.requestPods(namespaces), read: (netns: string) => launcher.section(podSection(netns)) };
  const work: Promise<void>[] = [collectPods(links, c, raw, tick, grow, form, reads, at.timeoutMs)];
  const add = (name: string, p: Promise<void>): void => {
    grow(1);
    work.push(p.then(() => tick(name)));
  };
  if (names.length > 0) {
    const step = iflinkStep(names);
    const argv = step.attempts[0].argv!;
    // grep -H . PATH…: the paths are the program's own arguments
    add('iflink', kernelFileStep(step, ask('iflink', argv.slice(3)), c, raw, at));
  }
  if (links.some((l) => l.name === 'flannel.1')) add('ethtool-k', ask('ethtool-k').then((o) => runStep(FEATURES_STEP, c, raw, at, [], o)));
  if (links.some((l) => l.kind === 'wireguard')) add('wg-dump', ask('wg-dump').then((o) => runStep(WG_STEP, c, raw, at, [], o)));
  return work;
}

/** The live node, or with opts.netns the named namespace as the node. Needs root. */
export async function collectLive(opts: CollectOptions = {}): Promise<Collection> {
  const netns = opts.netns;
  if (!isRoot()) {
    throw new EnvironmentError('collecting live state needs root (ip netns exec, iptables-save and the CNI state files are root-only)', 'run with sudo, or read saved state with --from-dir/--snapshot');
  }
  if (netns !== undefined) await validateNetns(netns);
  if (!which('ip')) throw new EnvironmentError('ip (iproute2) not installed', 'apt-get install iproute2');
  const at: RunAt = { netns, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  const form = podForm();
  const launcher = opts.launcher === false ? undefined : await startLauncher(netns, form, at.timeoutMs);
  const c = emptyCollected();
  const raw = new Map<string, string>();
  // `uname -r` and `hostname` are files read here; hostname only on a node (with --netns it is the namespace's name)
  const byFile: Step[] = [...STEPS.filter((s) => PROC_FILE[s.name] !== undefined), ...(netns === undefined ? [HOSTNAME_STEP] : [])];
  const sysctl = STEPS.find((s) => s.name === 'sysctl')!;
  let done = 0;
  // grows as phase 2 learns its work: iflink, ethtool -k, one step per pod
  let total = LAUNCHED_UNITS.reduce((n, u) => n + u.steps.length, 0) + byFile.length + 1;
  const tick = (name: string): void => opts.onProgress?.(name, ++done, total);

  const finished = new Map<string, Promise<void>>();
  for (const u of LAUNCHED_UNITS) {
    const out = launcher?.section(u.name) ?? Promise.resolve(undefined);
    const p = out.then((o) => (u.batch ? runBatch(u.batch, c, raw, at, o) : runStep(u.steps[0], c, raw, at, [], o))).then(() => u.steps.forEach((s) => tick(s.name)));
    for (const s of u.steps) finished.set(s.name, p);
  }
  // on a node, sysctl's keys are files in /proc/sys; with --netns they are this process's namespace's, not NS's
  const sysctlRead = (): string | undefined => {
    try {
      return sysctlText(sysctl.attempts[0].argv!.slice(2));
    } catch {
      return undefined;
    }
  };
  // on a node, sysctl's keys are files in /proc/sys read here; with --netns they are this process's namespace's, not
  // NS's: the launcher runs the program there
  const sysctlDone = netns === undefined ? kernelFileStep(sysctl, Promise.resolve(sysctlRead()), c, raw, at) : (launcher?.section('sysctl') ?? Promise.resolve(undefined)).then((o) => runStep(sysctl, c, raw, at, [], o));
  finished.set('sysctl', sysctlDone.then(() => tick('sysctl')));
  for (const s of byFile) finished.set(s.name, readStep(s.name, PROC_FILE[s.name]!, s.attempts[0].file, (t) => s.attempts[0].apply(t, c), c, raw).then(() => tick(s.name)));
  let second: Promise<unknown>;
  try {
    const [named] = await Promise.all([launcher?.section(NAMED_NETNS), ...POD_INPUTS.map((n) => finished.get(n))]);
    const names = new Set(named?.exitCode === 0 ? named.text.split('\n').filter((l) => l !== '') : []);
    second = Promise.all(afterLinks(c, raw, at, launcher, form, names, tick, (n) => (total += n)));
  } finally {
    // the launcher waits for its requests (or none): it ends once they ran
    launcher?.send();
  }
  const all: Promise<void>[] = [...new Set(finished.values())];
  // flannel may have written its rules through the other iptables backend: iptables-save (nf_tables) then
  // prints nothing but a warning on stderr; iptables-legacy-save has them
  all.push(finished.get('iptables-save')!.then(() => legacyIptables(c, raw, at)));
  all.push(second.then(() => undefined));
  // subnet.env, the CNI config and IPAM files belong to the host, not to a namespace standing in for a node
  if (netns === undefined) {
    all.push(readStep('subnet-env', SUBNET_ENV, 'subnet.env', (t) => void (c.subnetEnv = parseSubnetEnv(t)), c, raw));
    all.push(
      flannelConflist().then((path) =>
        path === undefined
          ? void c.commands.push({ name: 'cni-conflist', file: join(CNI_DIR, '*flannel*.conflist'), ok: false, error: `no *flannel*.conflist in ${CNI_DIR}` })
          : readStep('cni-conflist', path, '10-flannel.conflist', (t) => void (c.cniConflist = parseCniConflist(t)), c, raw),
      ),
    );
    all.push(readIpam(c));
  }
  await Promise.all(all);
  // what the launcher still runs is not waited for: a namespace it read unasked that is no pod, hung
  launcher?.stop();

  // code-unit order: localeCompare's first call builds ICU's collator (≈ 10 ms CPU of every collect)
  c.commands.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const source: Snapshot['source'] = netns === undefined ? { kind: 'live' } : { kind: 'netns', name: netns };
  try {
    const snapshot = buildSnapshot(c, source, new Date().toISOString(), netns ?? 'localhost');
    // with --netns the namespace is the node: name it so (the UTS hostname is the host's)
    if (netns !== undefined) snapshot.host = netns;
    raw.set('hostname.txt', `${snapshot.host}\n`);
    return { snapshot, raw };
  } catch (error) {
    if (error instanceof FlanctlError) throw error;
    throw new EnvironmentError(`collected state does not fit the snapshot model: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}

const TABLE_STEPS = { routes: 'ip-route', routes6: 'ip-route6', neigh: 'ip-neigh', fdb: 'bridge-fdb', links: 'ip-link', addresses: 'ip-addr' } as const;

/**
 * Some of what repair touches (main-table routes, neighbours, fdb, links, addresses), read once for repair --undo's
 * re-check. A table whose step failed is undefined. `routes6` adds the IPv6 main table to `routes`.
 */
export async function collectRepairTables(
  tables: (keyof typeof TABLE_STEPS)[],
  netns?: string,
): Promise<{ routes?: Route[]; neigh?: Neigh[]; fdb?: FdbEntry[]; links?: Link[]; addresses?: Address[]; errors: string[] }> {
  const c = emptyCollected();
  const names: string[] = tables.map((t) => TABLE_STEPS[t]);
  const steps = STEPS.filter((s) => names.includes(s.name));
  await Promise.all(steps.map((s) => runStep(s, c, new Map(), { netns })));
  const errors = c.commands.filter((r) => !r.ok).map((r) => `${r.name}: ${r.error ?? 'failed'}`);
  return { routes: c.routes, neigh: c.neigh, fdb: c.fdb, links: c.links, addresses: c.addresses, errors };
}
