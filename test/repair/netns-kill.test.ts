// Issue 16 item 7: `kill -9` during `repair --apply`. Before, the orphaned `bridge -batch -` child ran a
// half-written last line (`dst 172.16.1` for `172.16.11.81`) that `--undo` could not remove. Now the batch is a
// complete file: whatever moment flanctl dies, every entry in the kernel is one the plan (and so the journal)
// lists, and `--undo` of the interrupted journal puts the node back exactly.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliEntry } from '../collect/cli.js';
import { buildFlannelCluster, flannelNodeObject, type LabCluster, nodesJson } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { cli, flannelState } from './netns-helpers.js';

const PEERS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes whose command line names `path` (the orphaned ip/bridge children reading a batch file there). */
function usersOf(path: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path)) out.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const hasJournal = (dir: string): boolean => {
  try {
    return readdirSync(dir).some((f) => f.endsWith('.json'));
  } catch {
    return false;
  }
};

describeNetns('kill -9 during repair --apply (netns node, 3,000 peers)', () => {
  const lab = new Lab('kil');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-kill-'));
  let cluster: LabCluster;
  let ns: string;
  // what the plan writes for each synthetic peer: MAC -> dst
  const planned = new Map<string, string>();

  beforeAll(() => {
    cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 0 });
    ns = cluster.nodes[0].netns;
    const doc = JSON.parse(nodesJson(cluster));
    for (let i = 0; i < PEERS; i++) {
      const mac = `0a:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:00:00:01`;
      // dsts of varying length (172.16.1.8 … 172.16.11.81): a cut line would still parse as an address
      const dst = `172.16.${(i % 97) + 1}.${(i % 89) + 1}`;
      planned.set(mac, dst);
      doc.items.push(flannelNodeObject({ name: `peer${i}`, ip: dst, subnet: `10.${100 + (i >> 8)}.${i & 255}.0/24`, vtepMac: mac }));
    }
    writeFileSync(join(tmp, 'big.json'), JSON.stringify(doc));
  });
  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('at three different moments: only whole planned entries in the kernel; --undo restores the node exactly', async () => {
    const before = flannelState(lab, ns);
    for (const [trial, delay] of [0, 15, 40].entries()) {
      const journalDir = join(tmp, `journal-${trial}`);
      const [node, bin] = cliEntry();
      const child = spawn(node, [bin, 'repair', '--netns', ns, '--nodes', join(tmp, 'big.json'), '--apply', '--yes', '--json'], { env: { ...process.env, FLANCTL_JOURNAL_DIR: journalDir }, stdio: 'ignore' });
      const exited = new Promise((r) => child.once('exit', r));
      // the journal (written before the first batch) is the moment repair starts changing the node
      while (!hasJournal(journalDir)) await sleep(5);
      await sleep(delay);
      child.kill('SIGKILL');
      await exited;
      while (usersOf(journalDir).length) await sleep(20);

      const fdb = JSON.parse(lab.exec(ns, ['bridge', '-j', 'fdb', 'show', 'dev', 'flannel.1'])) as { mac: string; dst?: string }[];
      const peers = new Set(cluster.nodes.map((n) => n.vtepMac));
      for (const f of fdb.filter((e) => e.dst && !peers.has(e.mac))) expect(planned.get(f.mac), `${f.mac} dst ${f.dst}`).toBe(f.dst);

      const id = readdirSync(journalDir).find((f) => f.endsWith('.json'))!.slice(0, -'.json'.length);
      const undo = cli(['repair', '--undo', id, '--json'], { journalDir });
      expect(undo.status, undo.stderr).toBe(0);
      expect(flannelState(lab, ns), `trial ${trial}`).toBe(before);
    }
  });
});
