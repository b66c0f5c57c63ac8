// How cluster mode reaches a node: run a constant sh script there (stdin) and get its stdout back.
// ssh.ts and kube.ts are the two transports; both run programs with argv arrays only.
import { execa } from 'execa';
import { EnvironmentError } from '../errors.js';

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
}

export async function runProgram(argv: string[], input: string, signal: AbortSignal): Promise<ScriptResult> {
  const r = await execa(argv[0], argv.slice(1), { input, reject: false, cancelSignal: signal, stripFinalNewline: false, maxBuffer: 256 * 1024 * 1024 });
  if (r.isCanceled) throw new Error('cancelled');
  const code = (r as { code?: string }).code;
  if (code === 'ENOENT') throw new EnvironmentError(`${argv[0]} is not installed (or not on PATH)`);
  return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? -1 };
}
