// Benchmark (issue 15 item 3): live collection of a flannel node with 20 pods, in namespaces. In one hyperfine
// run: `node -e 0`, the binary's `--version` (the target's unit: collect ≤ 2× it), the binary's and bin/run.js's
// `collect --netns`, and the raw commands from one shell in the same run — the processes collect starts now
// (the batches fed their lines on stdin) and one process per command as before batching (14 + one per pod).
// Also flanctl run inside the node's namespace without --netns, as it runs on a node (its programs started directly,
// not each through `ip netns exec`), beside the same processes from one shell there.
// BENCH_COLLECT_BEFORE=BIN (and BENCH_COLLECT_BEFORE_REV=rev) adds an older binary's collect (both ways) to the same run.
// BENCH_MOUNTS=N adds a second run of the same node from a private mount namespace holding N more tmpfs mounts (as a
// Kubernetes node's pods add them; pods.ts then reads each pod with nsenter instead of `ip -n`): the binary's
// collect both ways, the older binary's beside it when given. The mounts never reach the root mount namespace.
// Writes bench/out/collect-pods.md (the BENCHMARKS.md section) and results.json. Needs root.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAUNCHER_SCRIPT } from '../src/collect/launcher.js';
import { buildFlannelCluster } from '../test/netns/flannel-cluster.js';
import { newLab } from './netns-node.js';
import { OUT, QUICK, ROOT, exec, hyperfine, q, record } from './lib.js';

const BIN = join(ROOT, 'dist/flanctl-linux-x64');
const PODS = Number(process.env.BENCH_PODS ?? 20);
const MOUNTS = Number(process.env.BENCH_MOUNTS ?? 0);

// sh DIR N CMD…: a tmpfs on each of DIR/0 … DIR/N-1 (made already), then CMD in this private mount namespace
const WITH_MOUNTS = [
  'mount --make-rprivate / || exit 95',
  'd=$1; n=$2; shift 2',
  'i=0; while [ $i -lt $n ]; do mount -t tmpfs -o size=4k fct "$d/$i" || exit 97; i=$((i + 1)); done',
  'exec "$@"',
].join('\n');

interface Cmd {
  name: string;
  argv?: string[];
  batch?: string[];
  file?: string;
  ok: boolean;
}

/** The shell lines that start what the snapshot says collect started: batches with their stdin, the rest as they are. */
function batchedScript(cmds: Cmd[], ns?: string): string[] {
  const inNs = (c: Cmd): string => (c.name === 'pod-ip-addr' || ns === undefined ? '' : `ip netns exec ${q(ns)} `);
  const batches = new Map<string, { prefix: string; lines: string[] }>();
  const out: string[] = [];
  for (const c of cmds.filter((x) => x.argv)) {
    if (!c.batch) {
      out.push(`${inNs(c)}${c.argv!.map(q).join(' ')} >/dev/null 2>&1`);
      continue;
    }
    // a batch line is the step's argv without the program and the batch's shared options
    const options = c.batch.indexOf('-force') - 1;
    const b = batches.get(c.batch.join(' ')) ?? { prefix: `${inNs(c)}${c.batch.map(q).join(' ')}`, lines: [] };
    b.lines.push(c.argv!.slice(1 + options).join(' '));
    batches.set(c.batch.join(' '), b);
  }
  for (const b of batches.values()) out.push(`printf '%s\\n' ${b.lines.map(q).join(' ')} | ${b.prefix} >/dev/null 2>&1`);
  return out;
}

/** The same reads one process per command, as collect ran them before batching: `ip -n POD -j addr show` per pod, uname -r. */
function singleScript(cmds: Cmd[], ns: string): string[] {
  return cmds.map((c) => {
    if (c.name === 'pod-ip-addr') return `${c.argv!.map(q).join(' ')} >/dev/null 2>&1`;
    const argv = c.name === 'kernel' ? ['uname', '-r'] : c.argv;
    return argv ? `ip netns exec ${q(ns)} ${argv.map(q).join(' ')} >/dev/null 2>&1` : '';
  }).filter(Boolean);
}

const ms = (s: number): string => (s * 1000).toFixed(1);
const x = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

function main(): void {
  mkdirSync(OUT, { recursive: true });
  const lab = newLab();
  try {
    const cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: PODS });
    const ns = cluster.nodes[0].netns;
    // bench/run.sh deletes these if this script dies
    const made = exec(['ip', 'netns', 'list']).stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(lab.prefix));
    writeFileSync(join(OUT, 'netns.list'), made.map((n) => `${n}\n`).join(''), { flag: 'a' });
    // flannel's forward rules, as on a node (iptables-save then has rules: no iptables-legacy-save)
    lab.exec(ns, ['iptables', '-N', 'FLANNEL-FWD']);
    lab.exec(ns, ['iptables', '-A', 'FORWARD', '-m', 'comment', '--comment', 'flanneld forward', '-j', 'FLANNEL-FWD']);
    lab.exec(ns, ['iptables', '-A', 'FLANNEL-FWD', '-s', '10.244.0.0/16', '-m', 'comment', '--comment', 'flanneld forward', '-j', 'ACCEPT']);

    // one checked run: every pod found, and what it started
    const snapFile = join(OUT, 'collect-pods.json');
    const r = exec([BIN, 'collect', '--netns', ns, '-o', snapFile]);
    if (r.status !== 0) throw new Error(`binary collect --netns failed (exit ${r.status}): ${r.stderr.trim()}`);
    const snap = JSON.parse(readFileSync(snapFile, 'utf8')) as { pods: unknown[]; routes: unknown[]; links: unknown[]; commands: Cmd[] };
    if (snap.pods.length !== PODS) throw new Error(`expected ${PODS} pods, the snapshot has ${snap.pods.length}`);
    const started = new Set(snap.commands.filter((c) => c.argv).map((c) => (c.batch ?? c.argv!).join(' ')));
    const failed = snap.commands.filter((c) => !c.ok).map((c) => c.name);
    const check = `${snap.pods.length} pods, ${snap.links.length} links, ${snap.routes.length} routes; collect started ${started.size} programs, through one sh (${failed.length ? `failed: ${failed.join(', ')}` : 'no step failed'})`;
    console.log(check);

    // the same node collected as on a node: flanctl itself runs inside the namespace, its programs directly
    const liveFile = join(OUT, 'collect-pods-live.json');
    const rl = exec(['ip', 'netns', 'exec', ns, BIN, 'collect', '-o', liveFile]);
    if (rl.status !== 0) throw new Error(`binary collect inside the namespace failed (exit ${rl.status}): ${rl.stderr.trim()}`);
    const live = JSON.parse(readFileSync(liveFile, 'utf8')) as { pods: unknown[]; commands: Cmd[] };
    if (live.pods.length !== PODS) throw new Error(`inside the namespace: expected ${PODS} pods, the snapshot has ${live.pods.length}`);
    const liveBatched = batchedScript(live.commands);
    writeFileSync(join(OUT, 'collect-pods-live.sh'), liveBatched.join('\n') + '\n');
    // collect's launcher itself (src/collect/launcher.ts) fed the requests collect sends it there: the programs as
    // collect runs them, in the same lanes, without flanctl (the pods: read unasked, as `ip netns list-id` names them)
    const podReads = live.commands.filter((c) => c.name === 'pod-ip-addr');
    // `ip -n NAME …` or, on a node with many mounts, `nsenter --net=/var/run/netns/NAME ip …`
    const form = podReads.some((c) => c.argv![0] === 'nsenter') ? 'nsenter' : 'ip-n';
    const requests = [...(live.commands.some((c) => c.name === 'ethtool-k') ? ['ethtool-k'] : []), 'go'];
    writeFileSync(join(OUT, 'collect-pods-launcher.sh'), LAUNCHER_SCRIPT);
    writeFileSync(join(OUT, 'collect-pods-launcher.in'), requests.map((l) => `${l}\n`).join(''));

    const batched = batchedScript(snap.commands, ns);
    const single = singleScript(snap.commands, ns);
    writeFileSync(join(OUT, 'collect-pods-batched.sh'), batched.join('\n') + '\n');
    writeFileSync(join(OUT, 'collect-pods-single.sh'), single.join('\n') + '\n');
    const cmds: Record<string, string> = {
      'node -e 0': 'node -e 0',
      'binary --version': `${q(BIN)} --version`,
      [`raw: the ${batched.length} processes collect starts, one shell`]: `sh ${q(join(OUT, 'collect-pods-batched.sh'))}`,
      [`raw: one process per command (${single.length}), one shell`]: `sh ${q(join(OUT, 'collect-pods-single.sh'))}`,
      'binary collect --netns': `${q(BIN)} collect --netns ${q(ns)} -o ${q(snapFile)}`,
      'bin/run.js collect --netns': `node ${q(join(ROOT, 'bin/run.js'))} collect --netns ${q(ns)} -o ${q(snapFile)}`,
      [`raw, inside the namespace: the ${liveBatched.length} processes collect starts there, one shell`]: `ip netns exec ${q(ns)} sh ${q(join(OUT, 'collect-pods-live.sh'))}`,
      'raw, inside the namespace: collect\'s launcher script fed its requests, one sh': `ip netns exec ${q(ns)} sh ${q(join(OUT, 'collect-pods-launcher.sh'))} 0123456789abcdef node ${form} < ${q(join(OUT, 'collect-pods-launcher.in'))} 4>/dev/null 5>/dev/null 6>/dev/null 7>/dev/null 8>/dev/null`,
      'binary collect, run inside the namespace (as on a node)': `ip netns exec ${q(ns)} ${q(BIN)} collect -o ${q(liveFile)}`,
    };
    const before = process.env.BENCH_COLLECT_BEFORE;
    const beforeRev = process.env.BENCH_COLLECT_BEFORE_REV ?? 'an older build';
    const beforeLabel = `binary collect --netns, ${beforeRev}`;
    const beforeOnNode = `binary collect run inside the namespace, ${beforeRev}`;
    if (before) {
      cmds[beforeLabel] = `${q(before)} collect --netns ${q(ns)} -o ${q(join(OUT, 'collect-pods-before.json'))}`;
      cmds[beforeOnNode] = `ip netns exec ${q(ns)} ${q(before)} collect -o ${q(join(OUT, 'collect-pods-before.json'))}`;
    }
    const t = hyperfine('collect-pods', cmds, { warmup: 2, runs: QUICK ? 5 : 20 });
    record('collectPods', 'run', { pods: PODS, check, started: [...started], batched, single, timings: t });

    const version = t['binary --version'];
    const collect = t['binary collect --netns'];
    const onNode = t['binary collect, run inside the namespace (as on a node)'];
    const md = [
      `\`node --import tsx bench/collect-pods.ts\` (root; after \`npm run build:binary\`): a 2-node namespace cluster (the test`,
      `lab, \`buildFlannelCluster\`) with ${PODS} pods on node1 and flannel's FORWARD rules; hyperfine, 2 warm-up and`,
      `${t['node -e 0'].runs} timed runs per command, all in one run; CPU = user + system, children included. The raw rows`,
      'are shell scripts of the same invocations (`bench/out/collect-pods-*.sh`), each program inside `ip netns exec`.',
      '',
      '| command | wall ms | ± ms | CPU ms | wall vs binary `--version` | CPU vs binary `--version` |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...Object.entries(t).map(([label, v]) => `| ${label} | ${ms(v.mean)} | ${ms(v.stddev)} | ${ms(v.cpu)} | ${x(v.mean, version.mean)} | ${x(v.cpu, version.cpu)} |`),
      '',
      `Check run: ${check}. 1-min load average ${t['node -e 0'].load.toFixed(1)} when the run started.`,
      '',
      `- binary collect --netns: ${x(collect.cpu, version.cpu)} the binary's \`--version\` in CPU, ${x(collect.mean, version.mean)} in wall time — ` +
        `${collect.cpu <= 2 * version.cpu ? 'MET' : 'MISSED'} by CPU, ${collect.mean <= 2 * version.mean ? 'met' : 'missed'} by wall time (target ≤ 2×)`,
      `- binary collect run inside the namespace (as on a node): ${x(onNode.cpu, version.cpu)} in CPU, ${x(onNode.mean, version.mean)} in wall time — ` +
        `${onNode.cpu <= 2 * version.cpu ? 'MET' : 'MISSED'} by CPU, ${onNode.mean <= 2 * version.mean ? 'met' : 'missed'} by wall time (target ≤ 2×)`,
      ...(before
        ? [
            `- ${beforeRev} (same run), inside the namespace: ${ms(t[beforeOnNode].mean)} ms wall, ${ms(t[beforeOnNode].cpu)} ms CPU; now ${ms(onNode.mean)} ms, ${ms(onNode.cpu)} ms`,
            `- ${beforeRev} (same run), --netns: ${ms(t[beforeLabel].mean)} ms wall, ${ms(t[beforeLabel].cpu)} ms CPU; now ${ms(collect.mean)} ms, ${ms(collect.cpu)} ms`,
          ]
        : []),
    ];
    if (MOUNTS > 0) md.push('', ...withMounts(ns, before, beforeRev));
    writeFileSync(join(OUT, 'collect-pods.md'), md.join('\n') + '\n');
    console.log(`\n${md.join('\n')}`);
  } finally {
    lab.teardown();
  }
}

/** The same node collected from a private mount namespace with MOUNTS more mounts; the section's lines. */
function withMounts(ns: string, before: string | undefined, beforeRev: string): string[] {
  const dir = mkdtempSync(join(OUT, 'mounts-'));
  try {
    for (let i = 0; i < MOUNTS; i++) mkdirSync(join(dir, String(i)));
    const prefix = ['unshare', '-m', 'sh', '-c', WITH_MOUNTS, 'sh', dir, String(MOUNTS)];
    // one checked run there: every pod found, and which form read them
    const file = join(OUT, 'collect-pods-mounts.json');
    const r = exec([...prefix, 'sh', '-c', `wc -l < /proc/self/mountinfo && exec ${q(BIN)} collect --netns ${q(ns)} -o ${q(file)}`]);
    if (r.status !== 0) throw new Error(`binary collect --netns with ${MOUNTS} mounts failed (exit ${r.status}): ${r.stderr.trim()}`);
    const snap = JSON.parse(readFileSync(file, 'utf8')) as { pods: unknown[]; commands: Cmd[] };
    if (snap.pods.length !== PODS) throw new Error(`with ${MOUNTS} mounts: expected ${PODS} pods, the snapshot has ${snap.pods.length}`);
    const forms = [...new Set(snap.commands.filter((c) => c.name === 'pod-ip-addr').map((c) => c.argv![0]))];
    const check = `${r.stdout.split('\n')[0]} lines in /proc/self/mountinfo; ${snap.pods.length} pods read with ${forms.join(', ')}`;
    console.log(check);
    const out = (name: string): string => q(join(OUT, `collect-pods-mounts-${name}.json`));
    const cmds: Record<string, string> = {
      'binary --version': `${q(BIN)} --version`,
      'binary collect --netns': `${q(BIN)} collect --netns ${q(ns)} -o ${out('now')}`,
      'binary collect, run inside the namespace (as on a node)': `ip netns exec ${q(ns)} ${q(BIN)} collect -o ${out('now')}`,
      ...(before
        ? {
            [`binary collect --netns, ${beforeRev}`]: `${q(before)} collect --netns ${q(ns)} -o ${out('before')}`,
            [`binary collect run inside the namespace, ${beforeRev}`]: `ip netns exec ${q(ns)} ${q(before)} collect -o ${out('before')}`,
          }
        : {}),
    };
    const t = hyperfine('collect-pods-mounts', cmds, { warmup: 2, runs: QUICK ? 5 : 20, prefix });
    record('collectPods', 'mounts', { mounts: MOUNTS, check, timings: t });
    return [
      `With ${MOUNTS} more mounts (\`BENCH_MOUNTS=${MOUNTS}\`: tmpfs mounts in a private mount namespace, hyperfine and`,
      `everything it runs inside it; ${check}), the same node, ${t['binary --version'].runs} timed runs each, load ${t['binary --version'].load.toFixed(1)}:`,
      '',
      '| command | wall ms | ± ms | median ms | CPU ms |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...Object.entries(t).map(([label, v]) => `| ${label} | ${ms(v.mean)} | ${ms(v.stddev)} | ${ms(v.median)} | ${ms(v.cpu)} |`),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
