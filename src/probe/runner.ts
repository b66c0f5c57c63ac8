// The probe's machine edge: start one tcpdump per hop, wait until each prints "listening on", run the
// sender inside the pod's namespace, give the last packets a moment, stop the captures and hand back their
// bytes. Argument arrays only. Every tcpdump runs under `timeout`, so even a killed flanctl leaves none
// behind for long; on an error, Ctrl-C or SIGTERM every capture is stopped before the process goes.
import { type ChildProcess, spawn } from 'node:child_process';
import { isIfname } from '../model/net.js';
import { isNetnsName, which } from '../collect/runner.js';
import { EnvironmentError, UsageError } from '../errors.js';

export interface CaptureSpec {
  /** the namespace the device lives in (--netns, a test node); the host's own when absent */
  netns?: string;
  device: string;
  filter: string;
  snaplen: number;
  /** tcpdump -c: the capture stops by itself after this many packets */
  maxPackets: number;
}

export interface SenderSpec {
  /** the pod's named network namespace */
  netns: string;
  argv: string[];
}

export interface Limits {
  /** how long a capture may take to start listening */
  listenMs: number;
  /** the sender's own deadline; it is killed a little after */
  sendMs: number;
  /** after the sender exits: time for the last answers to reach every capture */
  settleMs: number;
}

export interface CaptureRun {
  ok: boolean;
  /** the capture (classic pcap from `tcpdump -w -`) */
  pcap: Buffer;
  /** why the capture did not run: tcpdump's own first line */
  error?: string;
}

export interface SenderRun {
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface ProbeRun {
  captures: CaptureRun[];
  sender: SenderRun;
  /** when the sender started (ms since the epoch), to place the captures' timestamps */
  startedMs: number;
}

const TOOLS = ['ip', 'tcpdump', 'timeout'];
// the sender bounds itself (ping -c/-W, probe-send --timeout); the safety kill allows for its start-up too: the
// UDP/TCP sender is this CLI started again, which on a loaded node takes seconds before its own clock starts
const SENDER_STARTUP_MS = 8000;

/** Before anything starts: root, and the programs this needs. */
export async function checkProbeTools(extra: string[] = []): Promise<void> {
  if (process.getuid?.() !== 0) throw new EnvironmentError('probe needs root (tcpdump and ip netns exec)', 'run it with sudo');
  for (const tool of [...TOOLS, ...extra]) if (!which(tool)) throw new EnvironmentError(`${tool} is not installed`, tool === 'tcpdump' ? 'apt-get install tcpdump' : undefined);
}

function inNetns(netns: string | undefined, argv: string[]): string[] {
  if (netns === undefined) return argv;
  if (!isNetnsName(netns)) throw new UsageError(`not a network namespace name: ${JSON.stringify(netns)}`);
  return ['ip', 'netns', 'exec', netns, ...argv];
}

export function tcpdumpArgv(c: CaptureSpec, maxSeconds: number): string[] {
  if (!isIfname(c.device)) throw new UsageError(`not an interface name: ${JSON.stringify(c.device)}`);
  // -p: no promiscuous mode (a probe changes nothing); -Z root: write to our pipe without dropping privileges;
  // --immediate-mode -U: every packet reaches the pipe at once, none waits in a buffer when the capture stops
  const tcpdump = ['tcpdump', '-p', '-n', '-Z', 'root', '--immediate-mode', '-U', '-i', c.device, '-s', String(c.snaplen), '-c', String(c.maxPackets), '-w', '-', c.filter];
  return inNetns(c.netns, ['timeout', '-s', 'INT', '-k', '2', String(maxSeconds), ...tcpdump]);
}

interface Live {
  child: ChildProcess;
  chunks: Buffer[];
  stderr: string;
  exited: Promise<number | null>;
}

function start(argv: string[]): Live {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  const live: Live = { child, chunks: [], stderr: '', exited: Promise.resolve(null) };
  child.stdout!.on('data', (b: Buffer) => live.chunks.push(b));
  child.stderr!.on('data', (b: Buffer) => (live.stderr += b.toString()));
  live.exited = new Promise((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', (code) => resolve(code));
  });
  return live;
}

const firstLine = (s: string): string => s.split('\n').map((l) => l.replace(/^tcpdump: /, '').trim()).find(Boolean) ?? '';

/** Resolves true once tcpdump says it is listening, false when it exits or the time is up first. */
function listening(live: Live, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      live.child.stderr!.off('data', check);
      resolve(ok);
    };
    const check = (): void => {
      if (/listening on /.test(live.stderr)) done(true);
    };
    const timer = setTimeout(() => done(false), ms);
    live.child.stderr!.on('data', check);
    void live.exited.then(() => done(/listening on /.test(live.stderr)));
    check();
  });
}

/** SIGINT (tcpdump flushes and exits), then SIGKILL if it is still there after `graceMs`. */
async function stop(live: Live, graceMs = 2000): Promise<void> {
  if (live.child.exitCode !== null || live.child.signalCode !== null) return void (await live.exited);
  live.child.kill('SIGINT');
  const timer = setTimeout(() => live.child.kill('SIGKILL'), graceMs);
  await live.exited;
  clearTimeout(timer);
}

/**
 * Start the captures, send, stop. Captures that failed to start come back with their reason, not as an error.
 * `onInterrupt` runs on Ctrl-C / SIGTERM after the local captures stopped (cluster mode stops the remote ones).
 */
export async function runProbe(captures: CaptureSpec[], sender: SenderSpec, limits: Limits, onInterrupt?: () => Promise<void>): Promise<ProbeRun> {
  // every capture ends by itself after this long, whatever happens to this process
  const maxSeconds = Math.ceil((limits.listenMs + limits.sendMs + SENDER_STARTUP_MS + limits.settleMs) / 1000) + 5;
  const argvs = captures.map((c) => tcpdumpArgv(c, maxSeconds));
  const senderArgv = inNetns(sender.netns, sender.argv);
  const running: Live[] = [];
  const stopAll = (): Promise<void[]> => Promise.all(running.map((l) => stop(l)));
  // set on Ctrl-C / SIGTERM: the main flow waits for it instead of going on to a verdict with half the captures
  let interrupted: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted ??= stopAll()
      .then(() => onInterrupt?.())
      .catch(() => undefined)
      .then(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.kill(process.pid, signal);
      });
  };
  const unlessInterrupted = async (): Promise<void> => {
    if (!interrupted) return;
    await interrupted;
    throw new EnvironmentError('interrupted');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const argv of argvs) running.push(start(argv));
    const ready = await Promise.all(running.map((l) => listening(l, limits.listenMs)));
    await unlessInterrupted();
    // a capture that never got to listen is of no use: stop it now, it will be reported as not run
    await Promise.all(running.map((l, i) => (ready[i] ? undefined : stop(l))));
    const startedMs = Date.now();
    const send = start(senderArgv);
    running.push(send);
    const killer = setTimeout(() => send.child.kill('SIGKILL'), limits.sendMs + SENDER_STARTUP_MS);
    const exitCode = await send.exited;
    clearTimeout(killer);
    await unlessInterrupted();
    const senderRun: SenderRun = { ok: exitCode === 0, exitCode, stdout: Buffer.concat(send.chunks).toString(), stderr: send.stderr, ms: Date.now() - startedMs };
    await new Promise((r) => setTimeout(r, limits.settleMs));
    await unlessInterrupted();
    await stopAll();
    const runs = running.slice(0, captures.length).map((l, i): CaptureRun => {
      const pcap = Buffer.concat(l.chunks);
      if (ready[i]) return { ok: true, pcap };
      return { ok: false, pcap, error: firstLine(l.stderr) || `tcpdump did not start listening within ${limits.listenMs} ms` };
    });
    return { captures: runs, sender: senderRun, startedMs };
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
