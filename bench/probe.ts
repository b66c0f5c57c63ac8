// Benchmark: what a probe costs on top of the ping it sends. A 2-node namespace VXLAN cluster (the test lab);
// in the same hyperfine run: a plain `ping -c 3` from the pod (default 1 s interval), the same three pings at the
// probe's own 0.2 s interval, and `flanctl probe` from start to verdict (collect the node, trace, four tcpdumps
// listening, three tagged pings, decode, verdict). Healthy path, so every command ends with its answers.
//   node --import tsx bench/probe.ts        (root; writes bench/out/probe.md and results.json "probe")
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFlannelCluster, nodesJson } from '../test/netns/flannel-cluster.js';
import { Lab } from '../test/netns/lab.js';
import { OUT, QUICK, exec, flanctl, FLANCTL, hyperfine, ms, q, ratio, record } from './lib.js';

const lab = new Lab('bprobe');
const cleanup = (): void => {
  lab.teardown();
  process.exit(130);
};
process.once('SIGINT', cleanup);
process.once('SIGTERM', cleanup);

try {
  const cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 1 });
  const [n1, n2] = cluster.nodes;
  const [a] = n1.pods;
  const [b] = n2.pods;
  mkdirSync(OUT, { recursive: true });
  const nodes = join(OUT, 'probe-nodes.json');
  writeFileSync(nodes, nodesJson(cluster));
  const probeArgs = ['probe', b.ip, '--from', a.netns, '--netns', n1.netns, '--nodes', nodes];

  // one checked run: the probe must see all four hops and the answers, or the timing means nothing
  const check = exec([process.execPath, FLANCTL, ...probeArgs, '--json']);
  const doc = JSON.parse(check.stdout) as { ok: boolean; received: number; hops: { device: string; seen: boolean }[] };
  if (check.status !== 0 || !doc.ok) throw new Error(`probe check run failed (exit ${check.status}): ${check.stderr}`);
  const checkText = `ok, ${doc.received} answers, seen on ${doc.hops.filter((h) => h.seen).map((h) => h.device).join(', ')}`;
  console.log(`check run: ${checkText}`);

  const inPod = (argv: string[]): string => ['ip', 'netns', 'exec', a.netns, ...argv].map(q).join(' ');
  const t = hyperfine(
    'probe',
    {
      'ping -c 3 (1 s interval)': inPod(['ping', '-n', '-q', '-c', '3', b.ip]),
      'ping -c 3 -i 0.2 (the probe\'s interval)': inPod(['ping', '-n', '-q', '-c', '3', '-i', '0.2', b.ip]),
      'flanctl probe (start to verdict)': flanctl(...probeArgs),
    },
    { warmup: 1, runs: QUICK ? 3 : 10 },
  );
  const base = t['ping -c 3 (1 s interval)'].mean;
  const same = t["ping -c 3 -i 0.2 (the probe's interval)"].mean;
  const rows = Object.entries(t).map(([label, x]) => `| ${label} | ${ms(x.mean)} | ${ms(x.stddev)} | ${ms(x.cpu)} | ${x.runs} | ${ratio(x.mean, base)} | ${ms(x.mean - same)} |`);
  const md = [
    `| command | wall | ± | CPU | runs | vs ping -c 3 | added over the same pings |`,
    `|---|---:|---:|---:|---:|---:|---:|`,
    ...rows,
    '',
    `Check run: ${checkText}. Load average at start: ${t['flanctl probe (start to verdict)'].load.toFixed(1)}.`,
  ].join('\n');
  writeFileSync(join(OUT, 'probe.md'), md + '\n');
  console.log(`\n${md}`);
  record('probe', 'vxlan-2-nodes', { check: checkText, timings: t });
} finally {
  lab.teardown();
}
