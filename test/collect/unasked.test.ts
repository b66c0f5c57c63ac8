// The launcher reads, unasked, every namespace `ip netns list-id` names; one of them may be no pod (a namespace an
// admin made, with a veth of the node's). When that read hangs, collect does not wait for it: once every output it
// needs is in, what the launcher still runs is stopped. Real processes: fakes on a PATH of their own (the pods'
// reads print what a pod's `ip -n NS -j addr show` prints); the launcher's limit is set far beyond the test's own
// timeout, so only the stop can end the collect in time.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { collectLive } from '../../src/collect/live.js';
import { isRoot } from '../netns/lab.js';
import { describeNeeding } from '../netns/needs.js';
import { nodeLinks, podAddr } from './fake-node.js';

// found before PATH holds only the fakes
const SLEEP = spawnSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).stdout.trim();
const dir = mkdtempSync(join(tmpdir(), 'fct-unasked-'));
const WEDGED_PID = join(dir, 'wedged.pid');

// the node: lo, an uplink, two pods' host veths (link_netnsid 0 and 2; nsid 1 is the namespace that is no pod)
const LINKS = nodeLinks([
  [5, 'vethaaaa', 0],
  [7, 'vethcccc', 2],
]);
const NETNS_IDS = [
  { nsid: 0, name: 'fct-pa' },
  { nsid: 1, name: 'fct-wedged' },
  { nsid: 2, name: 'fct-pc' },
];

writeFileSync(
  join(dir, 'ip'),
  [
    '#!/bin/sh',
    'case "$*" in',
    `  "-j -d link show") echo '${JSON.stringify(LINKS)}' ;;`,
    `  "-j -force -batch -") while IFS= read -r l; do case $l in "netns list-id") echo '${JSON.stringify(NETNS_IDS)}' ;; *) echo '[]' ;; esac; done ;;`,
    `  "-6 -j route show table main") echo '[]' ;;`,
    `  "netns list-id") printf '%s\\n' 'nsid 0 (iproute2 netns name: fct-pa)' 'nsid 1 (iproute2 netns name: fct-wedged)' 'nsid 2 (iproute2 netns name: fct-pc)' ;;`,
    `  "-n fct-pa -j addr show") echo '${podAddr(5, '10.244.0.5')}' ;;`,
    `  "-n fct-pc -j addr show") echo '${podAddr(7, '10.244.0.7')}' ;;`,
    // the namespace that is no pod: its read never answers
    `  "-n fct-wedged -j addr show") echo $$ > ${WEDGED_PID}; exec ${SLEEP} 600 ;;`,
    '  *) exit 9 ;;',
    'esac',
    '',
  ].join('\n'),
);
chmodSync(join(dir, 'ip'), 0o755);
for (const program of ['bridge', 'iptables-save', 'nft', 'brctl', 'ethtool']) {
  writeFileSync(join(dir, program), '#!/bin/sh\nwhile IFS= read -r l; do echo "[]"; done\n');
  chmodSync(join(dir, program), 0o755);
}
symlinkSync('/bin/sh', join(dir, 'sh'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Gone, or a zombie waiting for init: what a killed process is right after its group was killed. */
function ended(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return true;
  }
}

describeNeeding(isRoot(), 'root (a live collect)')('a namespace read unasked that is no pod, hung', () => {
  it('collect returns once the pods are in, with both pods and nothing timed out, and the hung read is stopped', async () => {
    const saved = process.env.PATH;
    process.env.PATH = dir;
    let c: Awaited<ReturnType<typeof collectLive>>;
    try {
      // the launcher's own limit (10 minutes) is not what ends this collect: the test's 20 s are
      c = await collectLive({ timeoutMs: 600_000 });
    } finally {
      process.env.PATH = saved;
    }
    expect(c.snapshot.pods.map((p) => [p.netns, p.ip]).sort()).toEqual([
      ['fct-pa', '10.244.0.5'],
      ['fct-pc', '10.244.0.7'],
    ]);
    expect(c.snapshot.commands.filter((r) => r.timedOut)).toEqual([]);
    // the launcher did start the read (the fake wrote its pid), and it does not outlive the collect
    expect(existsSync(WEDGED_PID)).toBe(true);
    const pid = Number(readFileSync(WEDGED_PID, 'utf8'));
    for (let i = 0; i < 50 && !ended(pid); i++) spawnSync(SLEEP, ['0.1']);
    expect(ended(pid)).toBe(true);
  }, 20_000);
});
