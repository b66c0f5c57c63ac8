// How cluster mode reaches a node: run a constant sh script there (stdin) and get its stdout back.
// ssh.ts and kube.ts are the two transports; both run programs with argv arrays only, through runProgram.
// Also the one kubectl wrapper: the kube transport and `--kube` desired state (leases/index.ts) both use it.
import { execa } from 'execa';
import { releaseOnExit } from '../collect/runner.js';
import { EnvironmentError, UsageError } from '../errors.js';

export interface ScriptResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface Transport {
  kind: 'ssh' | 'kube';
  /** the node names this transport reaches */
  nodes(): Promise<string[]>;
  /** run `sh -s -- ...args` on the node with `script` on stdin; rejects when the node cannot be reached */
  runScript(node: string, script: string, args: string[], signal: AbortSignal): Promise<ScriptResult>;
  /** the same, with stdin left open after the script: the node reads our next line, or EOF once we close it or die */
  openScript(node: string, script: string, args: string[], signal: AbortSignal): ScriptSession;
}

/**
 * A script that waits on its stdin. When this process dies (even SIGKILL) its end of the pipe closes, ssh /
 * kubectl pass the EOF on, and the script on the node sees it: what it started there can be cleaned up by itself.
 */
export interface ScriptSession {
  /** stdout so far, once `ready(stdout)` holds, the script ended, or `ms` passed */
  until(ready: (stdout: string) => boolean, ms: number): Promise<string>;
  /** write `line` (when given), close stdin, and wait for the script to end */
  finish(line?: string): Promise<ScriptResult>;
}

/**
 * `argv` with `input` on its stdin. This and openProgram wait for ssh / kubectl, not for what it left running
 * (releaseOnExit): OpenSSH's ControlPersist master once kept ssh's stderr for minutes (its bug 1988; 9.2 detaches
 * onto /dev/null, test/cluster/ssh-multiplex.test.ts).
 */
export async function runProgram(argv: string[], input: string, signal: AbortSignal): Promise<ScriptResult> {
  const child = execa(argv[0], argv.slice(1), { input, reject: false, cancelSignal: signal, stripFinalNewline: false, maxBuffer: 256 * 1024 * 1024 });
  releaseOnExit(child);
  const r = await child;
  if (r.isCanceled) throw new Error('cancelled');
  const code = (r as { code?: string }).code;
  if (code === 'ENOENT') throw new EnvironmentError(`${argv[0]} is not installed (or not on PATH)`);
  return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? -1 };
}

/** `argv` with `script` on its stdin, left open: see ScriptSession. */
export function openProgram(argv: string[], script: string, signal: AbortSignal): ScriptSession {
  const child = execa(argv[0], argv.slice(1), { stdin: 'pipe', buffer: false, reject: false, cancelSignal: signal });
  releaseOnExit(child);
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (b: Buffer) => {
    stdout += b.toString();
    for (const w of waiters) w();
  });
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  // the node may end the script (or the connection) before we write again: a write then fails, and that is fine
  child.stdin?.on('error', () => undefined);
  child.stdin?.write(script);
  let done = false;
  const ended = child.then((r) => {
    done = true;
    for (const w of waiters) w();
    return r;
  });
  return {
    until: (ready, ms) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (!done && !ready(stdout)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(stdout);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(stdout);
        }, ms);
        waiters.add(check);
        check();
      }),
    async finish(line) {
      if (line !== undefined) child.stdin?.write(line);
      child.stdin?.end();
      const r = await ended;
      if (r.isCanceled) throw new Error('cancelled');
      if ((r as { code?: string }).code === 'ENOENT') throw new EnvironmentError(`${argv[0]} is not installed (or not on PATH)`);
      return { stdout, stderr, exitCode: r.exitCode ?? -1 };
    },
  };
}

export interface KubectlOptions {
  kubeconfig?: string;
  context?: string;
}

// kubeconfig paths and context names reach kubectl as separate argv elements; still refuse option-looking values
const SAFE_VALUE = /^[^-\s][^\s]*$/;

/** `kubectl [--kubeconfig F] [--context C]`, the values checked first. */
export function kubectlBase(o: KubectlOptions): string[] {
  if (o.kubeconfig !== undefined && !SAFE_VALUE.test(o.kubeconfig)) throw new UsageError(`not a kubeconfig path: ${JSON.stringify(o.kubeconfig)}`);
  if (o.context !== undefined && !SAFE_VALUE.test(o.context)) throw new UsageError(`not a kubeconfig context: ${JSON.stringify(o.context)}`);
  return ['kubectl', ...(o.kubeconfig ? ['--kubeconfig', o.kubeconfig] : []), ...(o.context ? ['--context', o.context] : [])];
}

/** `kubectl ARGS` -> its stdout; a failure is one EnvironmentError in kubectl's own last line. */
export async function kubectl(o: KubectlOptions, args: string[], signal: AbortSignal): Promise<string> {
  const r = await runProgram([...kubectlBase(o), ...args], '', signal);
  if (r.exitCode !== 0) throw new EnvironmentError(`kubectl ${args.join(' ')} failed: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`}`);
  return r.stdout;
}
