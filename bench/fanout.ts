// Benchmark (issue 15 item 5, fan-out): `collect --all --ssh-hosts` from a client namespace over 50 namespace
// nodes, each with a real sshd whose ForceCommand wrapper sleeps 300 ms before running the command — the node-side
// delay a real cluster has (round trips, a busy node) and a 2-core lab cannot show, since here every simulated
// node's sshd and commands share the client's cores. In one hyperfine run: the binary's `--version` in the client
// namespace, then collect --all of 1, 5, 20 and 50 nodes (all at once, --parallel N), and 20 nodes one at a time.
// Reported: client-side CPU (flanctl and its ssh children; hyperfine's user + system) per node above start-up, and
// the wall time of 20 nodes at --parallel 20 against one node (target ≤ 2×). Writes bench/out/fanout.md. Root.
// Peers are not programmed (every node is a bare flannel node): it keeps the 50-node lab quick to build.
// Then the CPU-bound floor: every sshd runs in a cgroup v2 of ours (`nodes`), each client run in another (`client`);
// per run, the CPU both used (cpu.stat) divided by the cores, plus the delay, is the wall time no scheduling can beat
// when every node shares the client's cores. The same for the raw reference: plain `ssh … sh -s` of the same script.
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { REMOTE_SCRIPT } from '../src/cluster/remote-script.js';
import { CpuGroup } from './cgroup.js';
import { buildFlannelCluster } from '../test/netns/flannel-cluster.js';
import { SshLab } from '../test/cluster/sshd.js';
import { newLab } from './netns-node.js';
import { OUT, QUICK, ROOT, exec, hyperfine, q, record } from './lib.js';

const BIN = join(ROOT, 'dist/flanctl-linux-x64');
const SIZES = [1, 5, 20, 50];
const DELAY_S = Number(process.env.BENCH_NODE_DELAY ?? 0.3);
const KEX = 'KexAlgorithms=curve25519-sha256';

const ms = (s: number): string => (s * 1000).toFixed(0);

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const lab = newLab();
  let ssh: SshLab | undefined;
  let groups: CpuGroup[] = [];
  try {
    ssh = new SshLab(lab);
    // newLab tears the namespaces down on Ctrl-C by exiting; the sshd processes go with them
    process.once('exit', () => {
      ssh?.stop();
      for (const g of groups) g.remove();
    });
    const cluster = buildFlannelCluster(lab, { nodes: Math.max(...SIZES), podsPerNode: 0, programPeers: false });
    const client = ssh.addClient(cluster);
    const made = exec(['ip', 'netns', 'list']).stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(lab.prefix));
    writeFileSync(join(OUT, 'netns.list'), made.map((n) => `${n}\n`).join(''), { flag: 'a' });
    const wrapper = join(ssh.dir, 'delay.sh');
    // sshd runs ForceCommand with the user's shell; stdin (the collect script) passes through to the real command
    writeFileSync(wrapper, `sleep ${DELAY_S}\nexec /bin/sh -c "$SSH_ORIGINAL_COMMAND"\n`);
    for (const n of cluster.nodes) await ssh.start(n.netns, n.ip, n.name, [`ForceCommand /bin/sh ${wrapper}`]);
    groups = [new CpuGroup('nodes'), new CpuGroup('client')];
    const nodesCpu = groups[0];
    // every sshd (pid file), and so every connection it forks and the commands they run, counts as node CPU
    for (const n of cluster.nodes) nodesCpu.add(Number(readFileSync(join(ssh.dir, `sshd_${n.name}.pid`), 'utf8').trim()));

    const inClient = (argv: string[]): string => ['ip', 'netns', 'exec', client, ...argv].map(q).join(' ');
    const collectAll = (nodes: number, parallel: number, extra: string[] = []): string => {
      const hosts = join(ssh!.dir, `hosts-${nodes}`);
      writeFileSync(hosts, cluster.nodes.slice(0, nodes).map((n) => `root@${n.ip}`).join('\n') + '\n');
      return inClient([BIN, 'collect', '--all', '--ssh-hosts', hosts, '-o', join(ssh!.dir, `out-${nodes}-${parallel}`), '--parallel', String(parallel), '--timeout', '120', ...ssh!.flanctlSshFlags(), ...extra]);
    };
    // one checked run: every node answered
    const check = exec(['sh', '-c', collectAll(50, 50)]);
    if (check.status !== 0) throw new Error(`collect --all of 50 nodes failed (exit ${check.status}): ${check.stderr.trim().slice(-500)}`);
    const manifest = JSON.parse(exec(['cat', join(ssh.dir, 'out-50-50', 'cluster.json')]).stdout) as { nodes: { ok: boolean }[] };
    const okNodes = manifest.nodes.filter((n) => n.ok).length;
    if (okNodes !== 50) throw new Error(`${50 - okNodes} of 50 nodes failed in the check run`);

    const cmds: Record<string, string> = { 'binary --version (client netns)': inClient([BIN, '--version']) };
    for (const n of SIZES) cmds[`collect --all, ${n} node${n > 1 ? 's' : ''}, --parallel ${n}`] = collectAll(n, n);
    cmds['collect --all, 20 nodes, --parallel 1'] = collectAll(20, 1);
    // the raw reference: the same script over plain ssh to each node at once, output thrown away (no flanctl)
    const scriptFile = join(ssh.dir, 'collect.sh');
    writeFileSync(scriptFile, REMOTE_SCRIPT);
    const sshArgs = ['-F', '/dev/null', '-i', ssh.key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes'];
    const rawSsh = (nodes: number): string =>
      inClient(['sh', '-c', `for h in ${cluster.nodes.slice(0, nodes).map((n) => n.ip).join(' ')}; do ssh ${sshArgs.map(q).join(' ')} root@$h sh -s -- 0123456789abcdef < ${q(scriptFile)} > /dev/null & done; wait`]);
    cmds['raw: ssh … sh -s of the collect script, 1 node'] = rawSsh(1);
    cmds['raw: ssh … sh -s of the collect script, 20 nodes at once'] = rawSsh(20);
    // the lever measured beside the default: OpenSSH 9's default key exchange (sntrup761x25519) makes ssh itself
    // most of the client's CPU per node; curve25519 alone drops its post-quantum half (the user's choice, not ours)
    cmds[`collect --all, 20 nodes, --parallel 20, ${KEX}`] = collectAll(20, 20, ['--ssh-option', KEX]);
    const t = hyperfine('fanout', cmds, { warmup: 1, runs: QUICK ? 2 : 5 });
    record('fanout', 'run', { delaySeconds: DELAY_S, timings: t });

    const version = t['binary --version (client netns)'];
    const one = t['collect --all, 1 node, --parallel 1'];
    const twenty = t['collect --all, 20 nodes, --parallel 20'];
    const perNode = (n: number): number => (t[`collect --all, ${n} node${n > 1 ? 's' : ''}, --parallel ${n}`].cpu - version.cpu) / n;
    const md = [
      '`node --import tsx bench/fanout.ts` (root; after `npm run build:binary`): 50 namespace nodes (`buildFlannelCluster`, no',
      `peers programmed), each with a real sshd whose ForceCommand sleeps ${DELAY_S * 1000} ms before the command; the binary runs in a client`,
      `namespace on the same underlay; hyperfine, 1 warm-up and ${one.runs} timed runs each, all in one run. CPU = user + system of`,
      'flanctl and its ssh children (the client side; the nodes\' sshd and commands are not in it).',
      '',
      '| command | wall ms | ± ms | client CPU ms | client CPU µs per node above start-up | wall vs 1 node |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...Object.entries(t).map(([label, v]) => {
        const n = /, (\d+) nodes?,/.exec(label)?.[1];
        return `| ${label} | ${ms(v.mean)} | ${ms(v.stddev)} | ${ms(v.cpu)} | ${n ? ((v.cpu - version.cpu) / Number(n) * 1e6).toFixed(0) : ''} | ${n ? `${(v.mean / one.mean).toFixed(2)}×` : ''} |`;
      }),
      '',
      `Check run: 50 of 50 nodes collected at --parallel 50. 1-min load average ${version.load.toFixed(1)} when the run started.`,
      '',
      `- client CPU per node above start-up: ${SIZES.filter((n) => n > 1).map((n) => `${(perNode(n) * 1e6).toFixed(0)} µs (${n} nodes)`).join(', ')} — ` +
        `${perNode(50) <= 1.5 * perNode(5) ? 'flat' : 'NOT flat'} (50 nodes ${(perNode(50) / perNode(5)).toFixed(2)}× the 5-node figure)`,
      `- 20 nodes at --parallel 20: ${ms(twenty.mean)} ms = ${(twenty.mean / one.mean).toFixed(2)}× one node (${ms(one.mean)} ms) — ` +
        `${twenty.mean <= 2 * one.mean ? 'MET' : 'MISSED'} (target ≤ 2×); one at a time: ${ms(t['collect --all, 20 nodes, --parallel 1'].mean)} ms`,
    ];
    md.push('', ...floorTable(groups, { one: collectAll(1, 1), twenty: collectAll(20, 20), rawOne: rawSsh(1), rawTwenty: rawSsh(20) }));
    writeFileSync(join(OUT, 'fanout.md'), md.join('\n') + '\n');
    console.log(`\n${md.join('\n')}`);
  } finally {
    ssh?.stop();
    lab.teardown();
    for (const g of groups) g.remove();
  }
}

/**
 * Paired runs (alternating) of one node and 20 nodes at once, flanctl and the raw ssh reference: wall, client CPU
 * (the run's cgroup: flanctl and its ssh children, or sh and its ssh), node CPU (every sshd's cgroup: the
 * connections, the delay's sleep, the script and its programs) and the floor = (client + node CPU) / cores + delay.
 */
function floorTable([nodesCpu, clientCpu]: CpuGroup[], cmd: { one: string; twenty: string; rawOne: string; rawTwenty: string }): string[] {
  const cores = availableParallelism();
  const runs = QUICK ? 2 : 5;
  const rows = { 'flanctl, 1 node': cmd.one, 'flanctl, 20 nodes at --parallel 20': cmd.twenty, 'raw ssh, 1 node': cmd.rawOne, 'raw ssh, 20 nodes at once': cmd.rawTwenty };
  const got = new Map<string, { wall: number; client: number; node: number }[]>();
  for (let i = 0; i < runs; i++) {
    for (const [label, line] of i % 2 ? Object.entries(rows).reverse() : Object.entries(rows)) {
      const node0 = nodesCpu.usageUs();
      const client0 = clientCpu.usageUs();
      const started = performance.now();
      // the shell puts itself into the client cgroup before it becomes the command: everything it starts counts
      const r = exec(['sh', '-c', `echo $$ > ${q(clientCpu.procs)} && exec ${line}`]);
      const wall = performance.now() - started;
      if (r.status !== 0) throw new Error(`${label} failed (exit ${r.status}): ${r.stderr.trim().slice(-300)}`);
      got.set(label, [...(got.get(label) ?? []), { wall, client: (clientCpu.usageUs() - client0) / 1000, node: (nodesCpu.usageUs() - node0) / 1000 }]);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const stats = new Map([...got].map(([label, xs]) => {
    const client = mean(xs.map((x) => x.client));
    const node = mean(xs.map((x) => x.node));
    return [label, { wall: median(xs.map((x) => x.wall)), client, node, floor: (client + node) / cores + DELAY_S * 1000 }] as const;
  }));
  const one = stats.get('flanctl, 1 node')!;
  const twenty = stats.get('flanctl, 20 nodes at --parallel 20')!;
  const raw20 = stats.get('raw ssh, 20 nodes at once')!;
  const nodes = (label: string): number => (label.includes('20 nodes') ? 20 : 1);
  record('fanout', 'floor', { cores, runs, delaySeconds: DELAY_S, rows: Object.fromEntries(stats) });
  return [
    `CPU-bound floor (${runs} alternating runs each, cgroup v2 \`cpu.stat\`; ${cores} cores; node CPU = every sshd, its connections, the`,
    `${DELAY_S * 1000} ms sleep, the script and its programs; floor = (client + node CPU) / ${cores} cores + ${DELAY_S * 1000} ms):`,
    '',
    '| run | wall ms (median) | client CPU ms | node CPU ms | client + node CPU per node, ms | floor ms | wall / floor |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...[...stats].map(([label, v]) => `| ${label} | ${v.wall.toFixed(0)} | ${v.client.toFixed(0)} | ${v.node.toFixed(0)} | ${((v.client + v.node) / nodes(label)).toFixed(1)} | ${v.floor.toFixed(0)} | ${(v.wall / v.floor).toFixed(2)} |`),
    '',
    `- 20 nodes at --parallel 20: ${twenty.wall.toFixed(0)} ms = ${(twenty.wall / one.wall).toFixed(2)}× one node (${one.wall.toFixed(0)} ms) — ` +
      `${twenty.wall <= 2 * one.wall ? 'MET' : 'MISSED'} (target ≤ 2×); ${(twenty.wall / twenty.floor).toFixed(2)}× its CPU-bound floor (${twenty.floor.toFixed(0)} ms); ` +
      `the floor alone is ${(twenty.floor / one.wall).toFixed(2)}× one node`,
    `- what flanctl adds over plain ssh at 20 nodes: ${(twenty.client - raw20.client).toFixed(0)} ms client CPU, ${(twenty.node - raw20.node).toFixed(0)} ms node CPU, ` +
      `${(twenty.wall - raw20.wall).toFixed(0)} ms wall`,
  ];
}

await main();
