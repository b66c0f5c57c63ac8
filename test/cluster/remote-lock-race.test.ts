// Issue 16 item 6, on the node side: `repair --cluster --apply` takes the repair lock on each node with the shell
// steps of REPAIR_HEAD (cluster/repair.ts), not with repair/lock.ts. Here 12 copies of the node-side script run
// at once inside one namespace node (`sh -s`, as sshd or kubectl exec start it), on a lock left by a dead process
// (every other trial) or on none, 20 trials. The script is REPAIR_HEAD verbatim — everything up to and including
// taking the lock — preceded by a barrier that releases all 12 together and followed, instead of the plan's batches,
// by a line that reports the lock taken and keeps it until every contender has answered. Exactly one may hold it;
// the others answer, in one line, that another repair runs.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPAIR_HEAD } from '../../src/cluster/repair.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';

const TRIALS = 20;
const CONTENDERS = 12;

describeNetns('the node-side repair lock (REPAIR_HEAD under sh): one holder', () => {
  const lab = new Lab('rlr');
  const tmp = mkdtempSync(join(tmpdir(), 'fct-remote-lock-'));
  let node: string;
  beforeAll(() => {
    node = lab.addNs('node1');
  });
  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** What the contender prints under its marker: the first line it says. */
  function answer(p: ChildProcessWithoutNullStreams, nonce: string): Promise<string> {
    return new Promise((resolve) => {
      let buf = '';
      const on = (d: Buffer): void => {
        buf += d.toString();
        const line = buf.split('\n').find((l) => l.startsWith(`@@flanctl-${nonce} `));
        if (line === undefined || !buf.includes('\n', buf.indexOf(line))) return;
        p.stdout.off('data', on);
        resolve(line.slice(`@@flanctl-${nonce} `.length));
      };
      p.stdout.on('data', on);
      // 'close', not 'exit': stdout may still hold the answer when the process has exited
      p.once('close', (code) => resolve(`exit ${code} before answering: ${buf}`));
    });
  }

  it(`${CONTENDERS} node-side scripts released at once, ${TRIALS} trials (a stale lock of a dead pid, or none): exactly one holder each time`, async () => {
    const holders: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = join(tmp, `t${trial}`);
      const go = join(tmp, `go${trial}`);
      const release = join(tmp, `release${trial}`);
      if (trial % 2 === 0) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        // pid_max on Linux is at most 2^22: this pid cannot exist
        writeFileSync(join(dir, 'repair.lock'), '4194305 0123456789abcdef\n');
      }
      const script = [`until [ -e ${go} ]; do sleep 0.01; done`, REPAIR_HEAD, `say got`, `until [ -e ${release} ]; do sleep 0.01; done`, ''].join('\n');
      const nonces = Array.from({ length: CONTENDERS }, (_, i) => `${trial.toString(16).padStart(8, '0')}${i.toString(16).padStart(8, '0')}`);
      const procs = nonces.map((m) => {
        const p = spawn('ip', ['netns', 'exec', node, 'sh', '-s', '--', m, dir, `race-${trial}`]);
        p.stdin.end(script);
        return p;
      });
      const answers = procs.map((p, i) => answer(p, nonces[i]));
      const exited = procs.map((p) => new Promise((r) => p.once('close', r)));
      writeFileSync(go, '');
      const said = await Promise.all(answers);
      holders.push(said.filter((s) => s === 'got').length);
      for (const s of said.filter((x) => x !== 'got')) expect(s).toMatch(/^error another flanctl repair is running \(pid \d+, lock /);
      writeFileSync(release, '');
      await Promise.all(exited);
      // the holder's exit trap removed its lock and nobody left a breaker or a temporary file behind
      expect(existsSync(join(dir, 'repair.lock'))).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    }
    expect(holders).toEqual(Array(TRIALS).fill(1));
  }, 300_000);
});
