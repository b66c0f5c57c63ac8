// Fan-out at 20 nodes, a benchmark (≈ 1 min, so only with FLANCTL_BENCH=1): the same 20 sshd nodes collected
// one at a time (each node's own time) and all at once. Figures go to BENCHMARKS.md "cluster".
// All 20 simulated nodes share this machine's cores (their sshd and commands too), so the parallel run is
// CPU-bound here; the test checks every node is collected both ways, the figures (not an assertion: timing is
// bench's) say how close to the slowest node the parallel run gets.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlannelCluster, type LabCluster } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { SshLab } from './sshd.js';

const root = join(import.meta.dirname, '../..');
const NODES = 20;

interface Collected {
  wallMs: number;
  nodes: { name: string; ok: boolean; ms: number }[];
}

(process.env.FLANCTL_BENCH === '1' ? describeNetns : describe.skip)(`fan-out over ${NODES} namespace nodes (real sshd)`, () => {
  const lab = new Lab('fan');
  let ssh: SshLab;
  let cluster: LabCluster;
  let hosts: string;

  function collect(out: string, parallel: number): Collected {
    const flags = { output: join(ssh.dir, out), 'ssh-hosts': hosts, 'ssh-identity': ssh.key, 'ssh-config': '/dev/null', 'ssh-option': ['StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'LogLevel=ERROR'], parallel, timeout: 60 };
    const r = spawnSync('ip', ['netns', 'exec', ssh.clientNs, process.execPath, '--import', 'tsx', join(root, 'test/cluster/driver.ts'), JSON.stringify({ cmd: 'collect', flags })], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    if (!r.stdout) throw new Error(`driver failed (status ${r.status}, signal ${r.signal}): ${r.stderr}`);
    return JSON.parse(r.stdout) as Collected;
  }

  beforeAll(async () => {
    ssh = new SshLab(lab);
    cluster = buildFlannelCluster(lab, { nodes: NODES, podsPerNode: 0 });
    ssh.addClient(cluster);
    await Promise.all(cluster.nodes.map((n) => ssh.start(n.netns, n.ip, n.name)));
    hosts = join(ssh.dir, 'hosts');
    writeFileSync(hosts, cluster.nodes.map((n) => `root@${n.ip}`).join('\n') + '\n');
  }, 180_000);

  afterAll(() => {
    ssh?.stop();
    lab.teardown();
  });

  it('all nodes are collected one at a time and all at once; the figures are logged', () => {
    const oneByOne = collect('seq', 1);
    const parallel = collect('par', NODES);
    expect(oneByOne.nodes.every((n) => n.ok)).toBe(true);
    expect(parallel.nodes.every((n) => n.ok)).toBe(true);
    const slowest = Math.max(...oneByOne.nodes.map((n) => n.ms));
    const figures = { nodes: NODES, sequentialWallMs: oneByOne.wallMs, slowestSingleMs: slowest, medianSingleMs: oneByOne.nodes.map((n) => n.ms).sort((a, b) => a - b)[NODES / 2], parallelWallMs: parallel.wallMs, parallelOverSlowest: +(parallel.wallMs / slowest).toFixed(2), load: readFileSync('/proc/loadavg', 'utf8').split(' ')[0] };
    console.log(`fan-out figures: ${JSON.stringify(figures)}`);
  }, 120_000);
});
