// Where live collect's time goes on a node (issue 15 item 3), a flannel node with 20 pods (BENCH_PODS) in a namespace, flanctl run
// inside it as on a node. Three parts, each beside the others in one run:
// 1. each program the launcher starts, alone (hyperfine inside the namespace): what one costs;
// 2. the timeline of whole runs (`perf trace` of the scheduler's exec/exit events and the snapshot's rename: no
//    syscall is stopped, so the run keeps its speed), medians from the binary's exec: the launcher's sh starts, its
//    first program, the last program ends, the snapshot is renamed into place, the process exits;
// 3. CPU: `--version`, collect of a snapshot file (the same command without a live read), the launcher script
//    alone fed its requests, the live collect.
// [BENCH_PODS=N] node --import tsx bench/collect-phases.ts BIN [BIN_B] [ROUNDS] (root, perf, hyperfine; BIN_B: a second binary,
// alternating with BIN run by run). Writes bench/out/collect-phases.md. Nothing outside the lab's namespaces changes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAUNCHER_SCRIPT } from '../src/collect/launcher.js';
import { buildFlannelCluster } from '../test/netns/flannel-cluster.js';
import { newLab } from './netns-node.js';
import { OUT, exec, hyperfine, q } from './lib.js';

const [BIN, BIN_B] = process.argv.slice(2, 4);
const ROUNDS = Number(process.argv[4] ?? 20);
if (!BIN) throw new Error('usage: bench/collect-phases.ts BIN [BIN_B] [ROUNDS]');

interface Cmd {
  name: string;
  argv?: string[];
  batch?: string[];
  ok: boolean;
}

/** Milestones of one run, ms from the binary's exec. */
interface Run {
  launcher: number;
  firstProgram: number;
  lastProgram: number;
  renamed: number;
  exit: number;
  programs: number;
  /** the programs' exec-to-exit time, summed */
  busy: number;
}

// `perf trace` lines: `  12.345 ( 0.5 ms): comm/PID event(…)`; the duration only on syscalls
const LINE = /^\s*([\d.]+)\s+(?:\(.*?\):\s*)?\S+?\/(\d+)\s+(.*)$/;

function timeline(argv: string[], file: string): Run {
  const r = exec(['perf', 'trace', '-o', file, '-e', 'rename', '-e', 'sched:sched_process_exec,sched:sched_process_exit', '--', ...argv]);
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
  const execs = new Map<string, { at: number; file: string; exit?: number }>();
  let renamed = NaN;
  // perf trace ends with the traced process: its last thread's exit is the last exit seen
  let last = NaN;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, at, pid, rest] = m;
    if (rest.startsWith('sched:sched_process_exec')) execs.set(pid, { at: Number(at), file: /filename: "([^"]*)"/.exec(rest)![1] });
    else if (rest.startsWith('sched:sched_process_exit')) {
      last = Number(at);
      if (rest.includes('group_dead: 1') && execs.has(pid)) execs.get(pid)!.exit = last;
    }
    else if (rest.startsWith('rename(')) renamed = Number(at);
  }
  const all = [...execs.values()];
  const bin = all.find((e) => e.file === argv[argv.indexOf('exec') + 2])!;
  const sh = all.find((e) => e.file.endsWith('/sh') && e.at > bin.at)!;
  const programs = all.filter((e) => e.at > sh.at && !e.file.endsWith('/sh'));
  const from = (t: number): number => t - bin.at;
  return {
    launcher: from(sh.at),
    firstProgram: from(Math.min(...programs.map((p) => p.at))),
    lastProgram: from(Math.max(...programs.map((p) => p.exit ?? NaN))),
    renamed: from(renamed),
    exit: from(last),
    programs: programs.length,
    busy: programs.reduce((n, p) => n + (p.exit ?? NaN) - p.at, 0),
  };
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];
const f1 = (n: number): string => n.toFixed(1);

function main(): void {
  mkdirSync(OUT, { recursive: true });
  const lab = newLab();
  try {
    const cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: Number(process.env.BENCH_PODS ?? 20) });
    const ns = cluster.nodes[0].netns;
    // flannel's forward rules, as on a node (bench/collect-pods.ts)
    lab.exec(ns, ['iptables', '-N', 'FLANNEL-FWD']);
    lab.exec(ns, ['iptables', '-A', 'FORWARD', '-m', 'comment', '--comment', 'flanneld forward', '-j', 'FLANNEL-FWD']);
    lab.exec(ns, ['iptables', '-A', 'FLANNEL-FWD', '-s', '10.244.0.0/16', '-m', 'comment', '--comment', 'flanneld forward', '-j', 'ACCEPT']);
    const snapFile = join(OUT, 'collect-phases.json');
    const first = exec(['ip', 'netns', 'exec', ns, BIN, 'collect', '-o', snapFile]);
    if (first.status !== 0) throw new Error(`collect failed: ${first.stderr.trim()}`);
    const cmds = (JSON.parse(readFileSync(snapFile, 'utf8')) as { commands: Cmd[] }).commands;

    // 1. each program alone; a batch with its lines on stdin through sh (the row `sh -c true` is that sh)
    // the launcher's own `ip netns list-id` (the names of the pods it reads unasked) is in no command record
    const alone: Record<string, string> = { 'sh -c true': 'sh -c true', 'ip netns list-id': 'ip netns list-id' };
    const batches = new Map<string, string[]>();
    for (const c of cmds.filter((x) => x.argv)) {
      // a batch line is the step's argv without the program and the batch's options (bench/collect-pods.ts)
      if (c.batch) batches.set(c.batch.join(' '), [...(batches.get(c.batch.join(' ')) ?? []), c.argv!.slice(c.batch.indexOf('-force')).join(' ')]);
      else if (c.name !== 'pod-ip-addr') alone[c.argv!.join(' ')] = c.argv!.map(q).join(' ');
    }
    const pod = cmds.find((c) => c.name === 'pod-ip-addr');
    if (pod) alone[`one pod: ${pod.argv!.join(' ')}`] = pod.argv!.map(q).join(' ');
    for (const [argv, lines] of batches) {
      const input = join(OUT, `collect-phases-${argv.split(' ')[0]}.in`);
      writeFileSync(input, lines.map((l) => `${l}\n`).join(''));
      alone[`${argv} (${lines.join('; ')}), through sh`] = `sh -c ${q(`${argv} < ${input}`)}`;
    }
    const each = hyperfine('collect-phases-each', alone, { warmup: 3, runs: 40, shell: false, prefix: ['ip', 'netns', 'exec', ns] });
    const pods = cmds.filter((c) => c.name === 'pod-ip-addr').length;

    // 2. timelines, alternating the binaries
    const bins = BIN_B ? [BIN, BIN_B] : [BIN];
    const runs = new Map<string, Run[]>(bins.map((b) => [b, []]));
    for (let i = 0; i < ROUNDS; i++) {
      for (const b of i % 2 ? [...bins].reverse() : bins) runs.get(b)!.push(timeline(['ip', 'netns', 'exec', ns, b, 'collect', '-o', join(OUT, 'collect-phases-t.json')], join(OUT, 'collect-phases.perf')));
    }

    // 3. CPU, one hyperfine run
    writeFileSync(join(OUT, 'collect-phases-launcher.sh'), LAUNCHER_SCRIPT);
    writeFileSync(join(OUT, 'collect-phases-launcher.in'), `${cmds.some((c) => c.name === 'ethtool-k') ? 'ethtool-k\n' : ''}go\n`);
    const fds = '4>/dev/null 5>/dev/null 6>/dev/null 7>/dev/null 8>/dev/null';
    const cpu = hyperfine('collect-phases-cpu', {
      'node -e 0': 'node -e 0',
      ...Object.fromEntries(bins.flatMap((b, i) => [
        [`${i ? 'B' : 'A'} --version`, `${q(b)} --version`],
        [`${i ? 'B' : 'A'} collect --snapshot (no live read)`, `ip netns exec ${q(ns)} ${q(b)} collect --snapshot ${q(snapFile)} -o ${q(join(OUT, 'collect-phases-s.json'))}`],
        [`${i ? 'B' : 'A'} collect, as on a node`, `ip netns exec ${q(ns)} ${q(b)} collect -o ${q(join(OUT, 'collect-phases-t.json'))}`],
      ])),
      "the launcher script alone, fed collect's requests": `ip netns exec ${q(ns)} sh -c ${q(`sh ${join(OUT, 'collect-phases-launcher.sh')} 0123456789abcdef node ip-n < ${join(OUT, 'collect-phases-launcher.in')} ${fds} >/dev/null`)}`,
    }, { warmup: 3, runs: 30 });

    const md = [
      `\`${process.env.BENCH_PODS ? `BENCH_PODS=${process.env.BENCH_PODS} ` : ''}node --import tsx bench/collect-phases.ts BIN${BIN_B ? ' BIN_B' : ''} ${ROUNDS}\` (root): the test lab's flannel node with ${pods} pods and flannel's FORWARD rules; flanctl run inside the namespace, as on a node. Load average ${each['sh -c true'].load.toFixed(1)} at the start.`,
      '',
      'Each program the launcher starts, alone (hyperfine -N, 40 runs each, inside the namespace; a batch through `sh -c` with its lines on stdin, beside `sh -c true`):',
      '',
      '| program | wall ms | CPU ms |',
      '| --- | ---: | ---: |',
      ...Object.entries(each).map(([k, t]) => `| \`${k}\` | ${f1(t.mean * 1000)} | ${f1(t.cpu * 1000)} |`),
      '',
      `Timeline of ${ROUNDS} runs${BIN_B ? ' of each binary, alternating' : ''} (\`perf trace\` of exec/exit and the rename; medians, ms from the binary's exec):`,
      '',
      '| binary | launcher sh starts | first program | last program ends | snapshot renamed | exit | programs | programs exec→exit, summed |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...bins.map((b, i) => {
        const r = runs.get(b)!;
        const m = (k: keyof Run): string => f1(median(r.map((x) => x[k])));
        return `| ${i ? 'B' : 'A'} \`${b}\` | ${m('launcher')} | ${m('firstProgram')} | ${m('lastProgram')} | ${m('renamed')} | ${m('exit')} | ${m('programs')} | ${m('busy')} |`;
      }),
      '',
      'Wall and CPU (hyperfine, 30 runs each, one run; CPU = user + system, children included):',
      '',
      '| command | wall ms | ± ms | CPU ms |',
      '| --- | ---: | ---: | ---: |',
      ...Object.entries(cpu).map(([k, t]) => `| ${k} | ${f1(t.mean * 1000)} | ${f1(t.stddev * 1000)} | ${f1(t.cpu * 1000)} |`),
    ];
    writeFileSync(join(OUT, 'collect-phases.md'), md.join('\n') + '\n');
    console.log(`\n${md.join('\n')}`);
  } finally {
    lab.teardown();
  }
}

main();
