// Ctrl-C or SIGTERM while collect runs stops every program it started. The launcher runs in a process group of its
// own (its time limit stops the programs it started), which a terminal's Ctrl-C does not reach; a program run from
// flanctl itself is its child and a SIGTERM sent to flanctl alone does not reach it. Real processes: the CLI as a
// child, an `nft` that writes its pid and hangs, the signal sent once it runs; the kernel says whether that pid lives.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { isRoot } from '../netns/lab.js';
import { describeNeeding } from '../netns/needs.js';
import { cliEntry, ROOT } from './cli.js';

const real = (program: string): string => spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim();
const [SLEEP, SH] = [real('sleep'), real('sh')];
const dir = mkdtempSync(join(tmpdir(), 'fct-signal-'));

/** A PATH of fakes: `ip` that lists no links, `nft` that writes its pid to PIDFILE and hangs; `sh` as given. */
function fakes(name: string, sh: string): { path: string; pidFile: string } {
  const bin = join(dir, name);
  const pidFile = join(bin, 'nft.pid');
  spawnSync('mkdir', ['-p', bin]);
  const write = (file: string, body: string): void => {
    writeFileSync(join(bin, file), `#!${SH}\n${body}\n`);
    chmodSync(join(bin, file), 0o755);
  };
  write('ip', `echo '[]'`);
  write('nft', `echo $$ > ${pidFile}\nexec ${SLEEP} 60`);
  write('sh', sh);
  return { path: bin, pidFile };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Resolves once `test()` holds, checking every 20 ms for at most `ms` (then false): waiting, not timing. */
async function until(test: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (test()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return test();
}

const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

/** flanctl collect on the fakes; once the hung nft runs, `signal` to flanctl alone; the nft's pid and flanctl's end. */
async function interrupted(path: string, pidFile: string, signal: NodeJS.Signals): Promise<{ nft: number; end: { code: number | null; signal: NodeJS.Signals | null } }> {
  const [node, ...args] = cliEntry();
  const child = spawn(node, [...args, 'collect', '-o', join(dir, 'out.json')], { cwd: ROOT, env: { ...process.env, PATH: path }, stdio: 'ignore' });
  const end = exited(child);
  expect(await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 20_000)).toBe(true);
  const nft = Number(readFileSync(pidFile, 'utf8'));
  expect(alive(nft)).toBe(true);
  child.kill(signal);
  return { nft, end: await end };
}

describeNeeding(isRoot(), 'root (collect reads a live node)')('a signal to collect stops the programs it started', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['SIGINT', 'SIGTERM'] as const)('%s while the launcher runs a hung program: flanctl dies of it, the program is gone', async (signal) => {
    const { path, pidFile } = fakes(`launcher-${signal}`, `exec ${SH} "$@"`);
    const { nft, end } = await interrupted(path, pidFile, signal);
    expect(end).toEqual({ code: null, signal });
    expect(await until(() => !alive(nft), 5000)).toBe(true);
  });

  it('SIGTERM while flanctl runs the program itself (no launcher: an sh that fails): the program is gone', async () => {
    const { path, pidFile } = fakes('alone', 'echo "sh: broken" >&2; exit 2');
    const { nft, end } = await interrupted(path, pidFile, 'SIGTERM');
    expect(end).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await until(() => !alive(nft), 5000)).toBe(true);
  });
});
