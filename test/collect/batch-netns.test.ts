// The batched iproute2 reads against real namespaces: a batch prints exactly what its commands print one by one
// (the kernel and iproute2 answer, not our splitter), and an iproute2 that refuses -batch gives the same snapshot.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planBatches } from '../../src/collect/batch.js';
import { STEPS } from '../../src/collect/commands.js';
import { podSection, startLauncher } from '../../src/collect/launcher.js';
import { NSENTER_ABOVE_MOUNTS } from '../../src/collect/pod-form.js';
import { NETNS_IDS_STEP } from '../../src/collect/pods.js';
import type { Snapshot } from '../../src/model/index.js';
import { addPod, buildFlannelCluster, type LabCluster } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { cliEntry, runCli } from './cli.js';

// the form collect reads the pods in here: `nsenter --net=…` when the host has more than NSENTER_ABOVE_MOUNTS mounts
// and nsenter is installed (pods.ts), else `ip -n` (this machine: ≈ 65 mounts)
const NSENTER = readFileSync('/proc/self/mountinfo', 'utf8').trimEnd().split('\n').length > NSENTER_ABOVE_MOUNTS && spawnSync('sh', ['-c', 'command -v nsenter']).status === 0;
const podRead = (ns: string): string[] => (NSENTER ? ['nsenter', `--net=/var/run/netns/${ns}`, 'ip', '-j', 'addr', 'show'] : ['ip', '-n', ns, '-j', 'addr', 'show']);

const run = (argv: string[], input?: string): string => {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', input, timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
};

/** What a snapshot says about the node, without the kernel's running timers (links' raw bridge/port timers). */
const stateOf = (s: Snapshot) => ({
  links: s.links.map(({ raw: _raw, ...l }) => l),
  addresses: s.addresses,
  routes: s.routes,
  neigh: s.neigh,
  fdb: s.fdb,
  bridges: s.bridges,
  bridgePorts: s.bridgePorts,
  iflinks: s.iflinks,
  pods: [...s.pods].sort((a, b) => (a.netns ?? '').localeCompare(b.netns ?? '')),
  kernel: s.kernel,
  sysctls: s.sysctls,
});

describeNetns('batched iproute2 reads (real namespaces)', () => {
  const lab = new Lab('bat');
  let cluster: LabCluster;
  const tmp = mkdtempSync(join(tmpdir(), 'fct-batch-'));

  beforeAll(() => {
    cliEntry();
    try {
      cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 3 });
      // node1 with 9 pods: more than one slice's worth (8), read in two slices side by side on two or more cores
      const node1 = cluster.nodes[0];
      const base = node1.subnet.replace(/\.0\/\d+$/, '');
      for (let host = 5; host < 11; host++) node1.pods.push(addPod(lab, node1.netns, node1.name, base, host));
      lab.settleDad();
    } catch (error) {
      lab.teardown();
      throw error;
    }
  });

  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('each batch prints exactly what its commands print one by one', () => {
    const ns = cluster.nodes[0].netns;
    const { batches } = planBatches([...STEPS, NETNS_IDS_STEP]);
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) {
      const together = run(['ip', 'netns', 'exec', ns, ...b.argv], b.lines.map((l) => `${l}\n`).join(''));
      const alone = b.steps.map((s) => run(['ip', 'netns', 'exec', ns, ...s.attempts[0].argv!])).join('');
      expect(together, b.argv.join(' ')).toBe(alone);
    }
  });

  it("the launcher reads each pod `ip netns list-id` names as `ip -n POD -j addr show` prints it, unasked", async () => {
    const pods = cluster.nodes[0].pods.map((p) => p.netns);
    const launcher = (await startLauncher(cluster.nodes[0].netns, 'ip-n'))!;
    launcher.send();
    for (const p of pods) expect(await launcher.section(podSection(p))).toMatchObject({ exitCode: 0, text: run(['ip', '-n', p, '-j', 'addr', 'show']) });
  });

  it("collect records the batch each step ran in, and the launcher's shell reads the pods, not one process each from flanctl", () => {
    // an ip (and an nsenter) that logs the program it was started by, then is the real one
    const bin = join(tmp, 'logging-ip');
    const log = join(tmp, 'ip.log');
    mkdirSync(bin);
    for (const program of ['ip', 'nsenter']) {
      const path = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim();
      if (path === '') continue;
      writeFileSync(join(bin, program), `#!/bin/sh\nprintf '%s ${program} %s\\n' "$(cat /proc/$PPID/comm)" "$*" >> ${log}\nexec ${path} "$@"\n`);
      chmodSync(join(bin, program), 0o755);
    }
    const r = runCli(['collect', '--netns', cluster.nodes[0].netns, '--json'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(r.status, r.stderr).toBe(0);
    const s = r.json as Snapshot;
    const byName = new Map(s.commands.map((c) => [c.name, c]));
    expect(byName.get('ip-route')).toMatchObject({ ok: true, argv: ['ip', '-j', 'route', 'show', 'table', 'main'], batch: ['ip', '-j', '-force', '-batch', '-'] });
    expect(byName.get('bridge-fdb')).toMatchObject({ ok: true, batch: ['bridge', '-j', '-force', '-batch', '-'] });
    const podReads = s.commands.filter((c) => c.name === 'pod-ip-addr');
    // every pod, each with its own address, whichever slice read it
    expect(s.pods.map((p) => [p.netns, p.ip]).sort()).toEqual(cluster.nodes[0].pods.map((p) => [p.netns, p.ip]).sort());
    expect(podReads.map((c) => c.argv).sort()).toEqual(cluster.nodes[0].pods.map((p) => podRead(p.netns)).sort());
    for (const c of podReads) expect(c).toMatchObject({ ok: true });
    // each namespace read (`ip -n NS …` or `nsenter --net=…/NS ip …`) was started by the launcher's sh, once: the
    // node's pods and the other namespaces the kernel lists for it (`ip netns list-id`: here the underlay's)
    const listed = [...run(['ip', '-n', cluster.nodes[0].netns, 'netns', 'list-id']).matchAll(/name: (\S+)\)/g)].map((m) => m[1]);
    expect(listed).toEqual(expect.arrayContaining(cluster.nodes[0].pods.map((p) => p.netns)));
    const started = readFileSync(log, 'utf8').trimEnd().split('\n').map((l) => l.split(' ')).filter(([, program, first]) => (program === 'ip' && first === '-n') || program === 'nsenter');
    expect(started.map(([, , ...argv]) => podRead(argv[NSENTER ? 0 : 1].replace('--net=/var/run/netns/', ''))).sort()).toEqual(listed.map(podRead).sort());
    for (const [parent] of started) expect(parent).toBe('sh');
  });

  it('run inside the node namespace (as on a node): sysctl and iflink read from /proc and /sys, the text the programs print there', () => {
    const ns = cluster.nodes[0].netns;
    const dir = join(tmp, 'on-node');
    const onNode = runCli(['collect', '--json', '--raw-dir', dir], { prefix: ['ip', 'netns', 'exec', ns] });
    const viaNetns = runCli(['collect', '--netns', ns, '--json']);
    expect(onNode.status, onNode.stderr).toBe(0);
    expect(viaNetns.status, viaNetns.stderr).toBe(0);
    const s = onNode.json as Snapshot;
    const byName = new Map(s.commands.map((c) => [c.name, c]));
    expect(byName.get('sysctl')).toMatchObject({ ok: true, form: 'file', file: '/proc/sys' });
    expect(byName.get('iflink')).toMatchObject({ ok: true, form: 'file', file: '/sys/class/net' });
    expect(byName.get('sysctl')?.argv).toBeUndefined();
    // the programs' own output in the same namespace is the expectation
    const sysctlArgv = STEPS.find((x) => x.name === 'sysctl')!.attempts[0].argv!;
    expect(readFileSync(join(dir, 'sysctl.txt'), 'utf8')).toBe(run(['ip', 'netns', 'exec', ns, ...sysctlArgv]));
    const names = s.links.map((l) => l.name);
    const paths = names.flatMap((n) => [`/sys/class/net/${n}/ifindex`, `/sys/class/net/${n}/iflink`]);
    expect(readFileSync(join(dir, 'iflink.txt'), 'utf8')).toBe(run(['ip', 'netns', 'exec', ns, 'grep', '-H', '.', ...paths]));
    // --netns reads the same namespace with the programs: the same node
    expect(stateOf(s)).toEqual(stateOf(viaNetns.json as Snapshot));
    expect(s.pods).toHaveLength(cluster.nodes[0].pods.length);
  });

  it('a launcher that fails (an sh that exits at once): every program runs from flanctl itself, the same snapshot and outcomes', () => {
    const bin = join(tmp, 'broken-sh');
    mkdirSync(bin);
    writeFileSync(join(bin, 'sh'), '#!/bin/sh\necho "sh: broken" >&2\nexit 2\n');
    chmodSync(join(bin, 'sh'), 0o755);
    const ns = cluster.nodes[0].netns;
    const launched = runCli(['collect', '--netns', ns, '--json']);
    const direct = runCli(['collect', '--netns', ns, '--json'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(launched.status, launched.stderr).toBe(0);
    expect(direct.status, direct.stderr).toBe(0);
    const [a, b] = [launched.json as Snapshot, direct.json as Snapshot];
    expect(stateOf(b)).toEqual(stateOf(a));
    expect(b.pods).toHaveLength(cluster.nodes[0].pods.length);
    // the same steps, the same outcomes, the same batches; the launcher's shell reads the iflink files inside the
    // namespace, and without it the program runs (`ip netns exec NS grep -H . …`)
    const outcome = (s: Snapshot) => s.commands.map((c) => [c.name, c.ok, c.error ?? '', ...(c.name === 'iflink' ? [] : [c.form, c.argv, c.batch])]).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    expect(outcome(b)).toEqual(outcome(a));
    expect(a.commands.find((c) => c.name === 'iflink')).toMatchObject({ ok: true, form: 'file' });
    expect(b.commands.find((c) => c.name === 'iflink')).toMatchObject({ ok: true, form: 'text', argv: expect.any(Array) });
  });

  it('an iproute2 that refuses -batch: every step runs alone, the snapshot is the same', () => {
    // ip and bridge that fail like an iproute2 without -batch; everything else is the real program
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    for (const prog of ['ip', 'bridge']) {
      const real = run(['sh', '-c', `command -v ${prog}`]).trim();
      writeFileSync(join(bin, prog), `#!/bin/sh\nfor a; do [ "$a" = -batch ] && { echo 'Option "-batch" is unknown, try "${prog} -help".' >&2; exit 255; }; done\nexec ${real} "$@"\n`);
      chmodSync(join(bin, prog), 0o755);
    }
    const ns = cluster.nodes[0].netns;
    const batched = runCli(['collect', '--netns', ns, '--json']);
    const alone = runCli(['collect', '--netns', ns, '--json'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(batched.status, batched.stderr).toBe(0);
    expect(alone.status, alone.stderr).toBe(0);
    const a = alone.json as Snapshot;
    expect(stateOf(a)).toEqual(stateOf(batched.json as Snapshot));
    expect(a.pods).toHaveLength(cluster.nodes[0].pods.length);
    const route = a.commands.find((c) => c.name === 'ip-route');
    expect(route).toMatchObject({ ok: true, form: 'json', argv: ['ip', '-j', 'route', 'show', 'table', 'main'], error: expect.stringContaining('Option "-batch" is unknown') });
    expect(route?.batch).toBeUndefined();
    const podReads = a.commands.filter((x) => x.name === 'pod-ip-addr');
    expect(podReads.map((c) => c.argv).sort()).toEqual(cluster.nodes[0].pods.map((p) => podRead(p.netns)).sort());
    for (const c of podReads) expect(c).toMatchObject({ ok: true });
  });
});
