// Runs the built CLI (bin/run.js) the way a user does, for the trace / whohas / pod-veth integration tests.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface CliResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  stdout: string;
  stderr: string;
}

export function cli(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { encoding: 'utf8', timeout: 30_000 });
  const json = args.includes('--json') && r.stdout ? JSON.parse(r.stdout) : undefined;
  return { status: r.status ?? -1, json, stdout: r.stdout, stderr: r.stderr };
}
