// A program that hangs is started once. The launcher has one time limit for all it runs; when it is hit, the
// program it was running (nft here, and one pod's `ip -n` among those it reads unasked) is recorded as timed out, in
// run()'s words, and not started again; what never began (ip -6 route, queued behind nft in the same lane; the pod
// behind the hung one) runs alone from flanctl. Real processes: fakes on a PATH of their own that log each start to a file, and
// a short limit passed to collectLive. The expectations are the fakes' own text and the issue's words, and the
// same collection with no launcher at all (every program from flanctl, as where there is no sh).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Collection, collectLive } from '../../src/collect/live.js';
import type { CommandResult } from '../../src/model/index.js';
import { isRoot } from '../netns/lab.js';
import { describeNeeding } from '../netns/needs.js';
import { nodeLinks, podAddr } from './fake-node.js';

const LIMIT = 2000;
// found before PATH holds only the fakes
const SLEEP = spawnSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).stdout.trim();
const dir = mkdtempSync(join(tmpdir(), 'fct-hung-'));
const STARTS = join(dir, 'starts');
const fake = (name: string, lines: string[]): void => {
  writeFileSync(join(dir, name), ['#!/bin/sh', `echo "${name} $*" >> ${STARTS}`, ...lines, ''].join('\n'));
  chmodSync(join(dir, name), 0o755);
};

// the node: lo, an uplink, and three pods' host veths (link_netnsid 0, 1, 2), as `ip -j -d link show` prints them
const LINKS = nodeLinks([
  [5, 'vethaaaa', 0],
  [6, 'vethbbbb', 1],
  [7, 'vethcccc', 2],
]);
const NETNS_IDS = [
  { nsid: 0, name: 'fct-pa' },
  { nsid: 1, name: 'fct-hung' },
  { nsid: 2, name: 'fct-pc' },
];
const ROUTE6 = [{ dst: 'fd00:10:244:3::/64', gateway: 'fd00:56::13', dev: 'ens3', metric: 1024, flags: [], pref: 'medium' }];

fake('ip', [
  'case "$*" in',
  `  "-j -d link show") echo '${JSON.stringify(LINKS)}' ;;`,
  // addr, route, neigh: none; netns list-id: the pods' names
  `  "-j -force -batch -") while IFS= read -r l; do case $l in "netns list-id") echo '${JSON.stringify(NETNS_IDS)}' ;; *) echo '[]' ;; esac; done ;;`,
  `  "-6 -j route show table main") echo '${JSON.stringify(ROUTE6)}' ;;`,
  // the names the launcher reads unasked: the hung pod, a namespace that is no pod, then fct-pc (every other one in
  // each of two slices: fct-pc waits behind the hung read); fct-pa is not named, collect asks for it
  `  "netns list-id") printf '%s\\n' 'nsid 1 (iproute2 netns name: fct-hung)' 'nsid 3 (iproute2 netns name: fct-other)' 'nsid 2 (iproute2 netns name: fct-pc)' ;;`,
  `  "-n fct-pa -j addr show") echo '${podAddr(5, '10.244.0.5')}' ;;`,
  // a namespace whose `ip -n` never answers
  `  "-n fct-hung -j addr show") exec ${SLEEP} 60 ;;`,
  `  "-n fct-pc -j addr show") echo '${podAddr(7, '10.244.0.7')}' ;;`,
  '  *) exit 9 ;;',
  'esac',
]);
// `bridge -j -force -batch -` (fdb, link): hangs in the second case
fake('bridge', [`[ ! -e ${dir}/hang-bridge ] || exec ${SLEEP} 60`, 'while IFS= read -r l; do echo "[]"; done']);
fake('iptables-save', [`printf '*filter\\n:INPUT ACCEPT [0:0]\\nCOMMIT\\n'`]);
// nft stuck on a wedged netlink socket (the first case), else an nft without its tables
fake('nft', [`[ ! -e ${dir}/hang-nft ] || exec ${SLEEP} 60`, 'echo "netlink: Error: cache initialization failed" >&2', 'exit 1']);
symlinkSync('/bin/sh', join(dir, 'sh'));

/** The programs started, one line each (`PROGRAM ARGS`), since the last call; the log starts over. */
function started(): string[] {
  const lines = readFileSync(STARTS, 'utf8').split('\n').filter(Boolean);
  writeFileSync(STARTS, '');
  return lines;
}
const count = (lines: string[], start: string): number => lines.filter((l) => l === start).length;

const savedPath = process.env.PATH;

/** The same collection with the launcher and without, with `hang` (nft, bridge) hanging: each snapshot and its starts. */
async function collectBoth(hang: string): Promise<{ via: Collection; alone: Collection; startsVia: string[]; startsAlone: string[] }> {
  writeFileSync(STARTS, '');
  writeFileSync(join(dir, `hang-${hang}`), '');
  process.env.PATH = dir;
  try {
    const via = await collectLive({ timeoutMs: LIMIT });
    const startsVia = started();
    const alone = await collectLive({ timeoutMs: LIMIT, launcher: false });
    return { via, alone, startsVia, startsAlone: started() };
  } finally {
    process.env.PATH = savedPath;
    rmSync(join(dir, `hang-${hang}`));
  }
}

const entry = (c: Collection, name: string, argv?: string[]): CommandResult | undefined =>
  c.snapshot.commands.find((r) => r.name === name && (argv === undefined || r.argv?.join(' ') === argv.join(' ')));
const withoutMs = (r: CommandResult | undefined): CommandResult | undefined => r && { ...r, ms: undefined };
const HUNG_POD = ['ip', '-n', 'fct-hung', '-j', 'addr', 'show'];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeNeeding(isRoot(), 'root (a live collect)')('a hung program: started once, recorded as timed out', () => {
  let viaLauncher: Collection;
  let alone: Collection;
  let startsVia: string[];
  let startsAlone: string[];
  beforeAll(async () => void ({ via: viaLauncher, alone, startsVia, startsAlone } = await collectBoth('nft')), 30_000);

  it('(a) the hung programs are started exactly once, with the launcher and without', () => {
    for (const starts of [startsVia, startsAlone]) {
      expect(count(starts, 'nft -j list ruleset')).toBe(1);
      // nor nft's other form: it would wait on the same wedged socket
      expect(count(starts, 'nft list ruleset')).toBe(0);
      expect(count(starts, 'ip -n fct-hung -j addr show')).toBe(1);
    }
  });

  it('(b) one limit, not two: each hung step is one timeout, in the words run() uses', () => {
    for (const c of [viaLauncher, alone]) {
      expect(withoutMs(entry(c, 'nft'))).toEqual({ name: 'nft', argv: ['nft', '-j', 'list', 'ruleset'], ok: false, timedOut: true, error: `nft timed out after ${LIMIT} ms` });
      expect(withoutMs(entry(c, 'pod-ip-addr', HUNG_POD))).toEqual({ name: 'pod-ip-addr', argv: HUNG_POD, ok: false, form: 'json', timedOut: true, error: `ip timed out after ${LIMIT} ms` });
    }
    // one timeout each (started twice, the error would say so twice), and nothing else timed out
    expect(viaLauncher.snapshot.commands.filter((r) => r.timedOut).map((r) => r.argv?.join(' ')).sort()).toEqual([HUNG_POD.join(' '), 'nft -j list ruleset']);
  });

  it('(c) what never began in the launcher runs alone: ip -6 route behind nft, the pod behind the hung one; the pod asked for is read once', () => {
    expect(count(startsVia, 'ip -6 -j route show table main')).toBe(1);
    expect(entry(viaLauncher, 'ip-route6')).toMatchObject({ ok: true, form: 'json' });
    expect(viaLauncher.snapshot.routes.map((r) => r.dst)).toEqual(['fd00:10:244:3::/64']);
    expect(count(startsVia, 'ip -n fct-pc -j addr show')).toBe(1);
    expect(count(startsVia, 'ip -n fct-pa -j addr show')).toBe(1);
    expect(count(startsVia, 'ip -n fct-other -j addr show')).toBe(1);
    expect(viaLauncher.snapshot.pods.map((p) => [p.netns, p.ip]).sort()).toEqual([
      ['fct-pa', '10.244.0.5'],
      ['fct-pc', '10.244.0.7'],
    ]);
  });

  it('(d) the hung steps are recorded as the no-launcher path records them (ms aside), and the rest of the snapshot agrees', () => {
    expect(withoutMs(entry(viaLauncher, 'nft'))).toEqual(withoutMs(entry(alone, 'nft')));
    expect(withoutMs(entry(viaLauncher, 'pod-ip-addr', HUNG_POD))).toEqual(withoutMs(entry(alone, 'pod-ip-addr', HUNG_POD)));
    expect(viaLauncher.snapshot.pods).toEqual(alone.snapshot.pods);
    expect(viaLauncher.snapshot.routes).toEqual(alone.snapshot.routes);
  });
});

describeNeeding(isRoot(), 'root (a live collect)')('a hung batch: each of its steps timed out with it, none started again', () => {
  const BRIDGE = ['bridge', '-j', '-force', '-batch', '-'];
  let both: Awaited<ReturnType<typeof collectBoth>>;
  beforeAll(async () => void (both = await collectBoth('bridge')), 30_000);

  it('the batch is started once; its steps are not run alone; what was queued behind it in its lane still ran', () => {
    for (const starts of [both.startsVia, both.startsAlone]) {
      expect(count(starts, 'bridge -j -force -batch -')).toBe(1);
      expect(starts.filter((l) => l.startsWith('bridge ')).length).toBe(1);
      expect(count(starts, 'iptables-save ')).toBe(1);
    }
    expect(entry(both.via, 'iptables-save')).toMatchObject({ ok: true, form: 'text' });
    expect(both.via.snapshot.iptables?.tables.map((t) => t.name)).toEqual(['filter']);
  });

  it('fdb and link: the batch timeout, in run() words, the same with and without the launcher', () => {
    for (const [name, argv] of [
      ['bridge-fdb', ['bridge', '-j', 'fdb', 'show']],
      ['bridge-link', ['bridge', '-j', 'link', 'show']],
    ] as const) {
      const want = { name, argv, batch: BRIDGE, ok: false, timedOut: true, error: `bridge timed out after ${LIMIT} ms` };
      expect(withoutMs(entry(both.via, name))).toEqual(want);
      expect(withoutMs(entry(both.alone, name))).toEqual(want);
    }
  });
});
