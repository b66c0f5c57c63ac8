// Paired A/B of two binaries (issue 15 item 3; used for the early launcher, BENCHMARKS.md): alternating rounds of `--version`, collect as on a
// node (inside the namespace) and `collect --netns`, on a flannel node with 20 pods. Medians of wall and CPU.
// node --import tsx bench/collect-ab.ts A_BIN B_BIN [ROUNDS] (needs root and python3; scratch files in a temporary directory)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFlannelCluster } from '../test/netns/flannel-cluster.js';
import { newLab } from './netns-node.js';

const [A, B] = process.argv.slice(2, 4);
const ROUNDS = Number(process.argv[4] ?? 40);
const quantile = (v: number[], q: number): number => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) * q)];
const median = (v: number[]): number => quantile(v, 0.5);
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

// wall and CPU (user+system of the whole tree, wait4's rusage) of one run, in ms: python's os.wait4, resident
const RUNNER = `
import os, sys, time, json
for line in sys.stdin:
    argv = json.loads(line)
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open('/dev/null', os.O_RDWR)
        os.dup2(fd, 0); os.dup2(fd, 1)
        os.execvp(argv[0], argv)
    _, status, ru = os.wait4(pid, 0)
    wall = (time.perf_counter() - t0) * 1000
    print(json.dumps([wall, (ru.ru_utime + ru.ru_stime) * 1000, status]), flush=True)
`;
const TMP = mkdtempSync(join(tmpdir(), 'collect-ab-'));
const lab = newLab();
try {
  const cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 20 });
  const ns = cluster.nodes[0].netns;
  const cases: Record<string, (bin: string) => string[]> = {
    version: (bin) => [bin, '--version'],
    'as on a node': (bin) => ['ip', 'netns', 'exec', ns, bin, 'collect', '-o', join(TMP, 'node.json')],
    '--netns': (bin) => [bin, 'collect', '--netns', ns, '-o', join(TMP, 'netns.json')],
  };
  const res: Record<string, Record<string, [number[], number[]]>> = {};
  const runs: string[][] = [];
  for (const bin of [A, B]) for (const c of Object.values(cases)) runs.push(c(bin));
  const keys: [string, string][] = [];
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, c] of Object.entries(cases)) {
      for (const [label, bin] of (i % 2 ? [['B', B], ['A', A]] : [['A', A], ['B', B]]) as [string, string][]) {
        runs.push(c(bin));
        keys.push([name, label]);
      }
    }
  }
  const r = spawnSync('python3', ['-c', RUNNER], { input: runs.map((a) => JSON.stringify(a)).join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 26 });
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as [number, number, number]);
  lines.slice(-keys.length).forEach(([w, cpu, status], i) => {
    if (status !== 0) throw new Error(`${runs[i + 6].join(' ')}: status ${status}`);
    const [name, label] = keys[i];
    res[name] ??= {};
    res[name][label] ??= [[], []];
    res[name][label][0].push(w);
    res[name][label][1].push(cpu);
  });
  for (const [name, r] of Object.entries(res)) {
    const f = (l: string): string => `wall ${median(r[l][0]).toFixed(1)} CPU ${median(r[l][1]).toFixed(1)}`;
    const dw = r.B[0].map((w, i) => w - r.A[0][i]);
    const dc = r.B[1].map((w, i) => w - r.A[1][i]);
    console.log(`${name}: A ${f('A')} | B ${f('B')} | paired B−A median wall ${median(dw).toFixed(1)} (IQR ${quantile(dw, 0.25).toFixed(1)}…${quantile(dw, 0.75).toFixed(1)}, mean ${mean(dw).toFixed(1)}) CPU ${median(dc).toFixed(1)} (IQR ${quantile(dc, 0.25).toFixed(1)}…${quantile(dc, 0.75).toFixed(1)}, mean ${mean(dc).toFixed(1)})`);
  }
  // the same in hyperfine (not alternating: each command's runs in a row), for its own mean and CPU
  const hf = spawnSync('hyperfine', ['-N', '--style', 'basic', '--warmup', '3', '--runs', String(ROUNDS), '--export-json', join(TMP, 'hf.json'),
    ...[A, B].flatMap((bin) => [`${bin} --version`, `ip netns exec ${ns} ${bin} collect -o ${join(TMP, 'node.json')}`, `${bin} collect --netns ${ns} -o ${join(TMP, 'netns.json')}`])], { encoding: 'utf8' });
  if (hf.status !== 0) throw new Error(hf.stderr);
  const hj = JSON.parse(readFileSync(join(TMP, 'hf.json'), 'utf8')) as { results: { command: string; mean: number; stddev: number; user: number; system: number }[] };
  for (const h of hj.results) console.log(`hyperfine ${h.command.replace(ns, 'NS')}: wall ${(h.mean * 1000).toFixed(1)} ± ${(h.stddev * 1000).toFixed(1)} CPU ${((h.user + h.system) * 1000).toFixed(1)}`);
} finally {
  lab.teardown();
  rmSync(TMP, { recursive: true, force: true });
}
