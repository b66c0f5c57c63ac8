// Pods read with `nsenter --net=/var/run/netns/POD ip -j addr show` on a node with many mounts (pods.ts podForm).
// The expectation is the kernel's answer through `ip -n POD -j addr show` run alone, and the mounts are counted by
// `wc -l /proc/self/mountinfo`. Extra mounts exist only in a private mount namespace (`unshare -m` after
// `mount --make-rprivate /`), never in the root namespace's; they go with it when the collect ends.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { podSection, startLauncher } from '../../src/collect/launcher.js';
import { NSENTER_ABOVE_MOUNTS } from '../../src/collect/pod-form.js';
import { podArgv } from '../../src/collect/pods.js';
import type { Snapshot } from '../../src/model/index.js';
import { buildFlannelCluster, type LabCluster } from '../netns/flannel-cluster.js';
import { canUseNetns, Lab } from '../netns/lab.js';
import { describeNeeding } from '../netns/needs.js';
import { cliEntry, runCli } from './cli.js';

const run = (argv: string[], env?: NodeJS.ProcessEnv): string => {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 20_000, env });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
};
const ipN = (pod: string): string => run(['ip', '-n', pod, '-j', 'addr', 'show']);

// sh DIR TARGET CMD…: tmpfs mounts under DIR until this mount namespace has TARGET, then CMD in it. Counted once it
// is private: a namespace another suite adds meanwhile (a bind mount in /run/netns) does not reach it
const WITH_MOUNTS = [
  'mount --make-rprivate / || exit 95',
  'd=$1; n=$(($2 - $(wc -l < /proc/self/mountinfo))); shift 2',
  '[ "$n" -ge 0 ] || { echo "more mounts than $2 already" >&2; exit 96; }',
  'i=0; while [ $i -lt $n ]; do mkdir "$d/$i" && mount -t tmpfs -o size=4k fct "$d/$i" || exit 97; i=$((i + 1)); done',
  'exec "$@"',
].join('\n');

const hasUtilLinux = ['nsenter', 'unshare'].every((p) => spawnSync('sh', ['-c', `command -v ${p}`]).status === 0);

describeNeeding(canUseNetns() && hasUtilLinux, 'root, network namespaces and util-linux nsenter and unshare')('pods read with nsenter above the mount threshold (real namespaces)', () => {
  const lab = new Lab('nse');
  let cluster: LabCluster;
  const tmp = mkdtempSync(join(tmpdir(), 'fct-nsenter-'));

  beforeAll(() => {
    cliEntry();
    try {
      cluster = buildFlannelCluster(lab, { nodes: 1, podsPerNode: 3 });
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

  const pods = (): string[] => cluster.nodes[0].pods.map((p) => p.netns);

  it('nsenter prints for each pod exactly what `ip -n` prints alone, and so does the launcher in the nsenter form', async () => {
    for (const p of pods()) {
      const argv = podArgv('nsenter', p);
      expect(argv).toEqual(['nsenter', `--net=/var/run/netns/${p}`, 'ip', '-j', 'addr', 'show']);
      const want = ipN(p);
      expect(JSON.parse(want).length).toBeGreaterThan(1);
      expect(run(argv)).toBe(want);
    }
    // the node's pods, read unasked (`ip netns list-id` names them) or asked for: each its own section
    const launcher = (await startLauncher(cluster.nodes[0].netns, 'nsenter'))!;
    launcher.send();
    for (const p of pods()) expect(await launcher.section(podSection(p))).toMatchObject({ exitCode: 0, text: ipN(p) });
  });

  /** collect --netns NODE --json inside a private mount namespace holding `mounts` mounts */
  const collectWith = (mounts: number, name: string, env?: NodeJS.ProcessEnv): Snapshot => {
    const dir = join(tmp, name);
    mkdirSync(dir);
    const r = runCli(['collect', '--netns', cluster.nodes[0].netns, '--json'], { prefix: ['unshare', '-m', '/bin/sh', '-c', WITH_MOUNTS, 'sh', dir, String(mounts)], ...(env ? { env } : {}) });
    expect(r.status, r.stderr).toBe(0);
    return r.json as Snapshot;
  };
  const mountCount = (): number => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length - 1;
  const podReads = (s: Snapshot) => s.commands.filter((c) => c.name === 'pod-ip-addr').sort((a, b) => String(a.argv).localeCompare(String(b.argv)));
  const ipNArgv = (p: string): string[] => ['ip', '-n', p, '-j', 'addr', 'show'];
  const nsenterArgv = (p: string): string[] => ['nsenter', `--net=/var/run/netns/${p}`, 'ip', '-j', 'addr', 'show'];

  it('collect reads the pods with `ip -n` at the threshold and with nsenter one mount above it; the same pods either way', () => {
    expect(mountCount()).toBeLessThan(NSENTER_ABOVE_MOUNTS);
    const at = collectWith(NSENTER_ABOVE_MOUNTS, 'at');
    const above = collectWith(NSENTER_ABOVE_MOUNTS + 1, 'above');
    const names = [...pods()].sort();
    expect(podReads(at).map((c) => c.argv)).toEqual(names.map(ipNArgv));
    expect(podReads(above).map((c) => c.argv)).toEqual(names.map(nsenterArgv));
    for (const c of [...podReads(at), ...podReads(above)]) expect(c.ok).toBe(true);
    const podsOf = (s: Snapshot) => [...s.pods].sort((a, b) => (a.netns ?? '').localeCompare(b.netns ?? ''));
    expect(podsOf(above)).toEqual(podsOf(at));
    expect(podsOf(above).map((p) => [p.netns, p.ip])).toEqual(cluster.nodes[0].pods.map((p) => [p.netns, p.ip]).sort());
  });

  it('above the threshold with no launcher (an sh that exits at once): each pod read alone from flanctl, with nsenter', () => {
    const bin = join(tmp, 'broken-sh');
    mkdirSync(bin);
    writeFileSync(join(bin, 'sh'), '#!/bin/sh\necho "sh: broken" >&2\nexit 2\n');
    chmodSync(join(bin, 'sh'), 0o755);
    const s = collectWith(NSENTER_ABOVE_MOUNTS + 1, 'alone', { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` });
    expect(podReads(s).map((c) => c.argv)).toEqual([...pods()].sort().map(nsenterArgv));
    for (const c of podReads(s)) expect(c.ok).toBe(true);
    expect(s.pods.map((p) => [p.netns, p.ip]).sort()).toEqual(cluster.nodes[0].pods.map((p) => [p.netns, p.ip]).sort());
    // it ran without the launcher: the iflink files were read by the program, not the launcher's shell
    expect(s.commands.find((c) => c.name === 'iflink')).toMatchObject({ ok: true, form: 'text' });
  });

  it('above the threshold with no nsenter on PATH: `ip -n`', () => {
    // each PATH directory that holds nsenter, replaced by one of links to all its other programs
    const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
    const path = dirs.map((dir, i) => {
      const entries = (() => {
        try {
          return readdirSync(dir);
        } catch {
          return [];
        }
      })();
      if (!entries.includes('nsenter')) return dir;
      const bin = join(tmp, `bin${i}`);
      mkdirSync(bin);
      for (const e of entries) if (e !== 'nsenter') symlinkSync(join(dir, e), join(bin, e));
      return bin;
    });
    const env = { ...process.env, PATH: path.join(delimiter) };
    expect(spawnSync('sh', ['-c', 'command -v nsenter'], { env }).status).not.toBe(0);
    const s = collectWith(NSENTER_ABOVE_MOUNTS + 1, 'no-nsenter', env);
    expect(podReads(s).map((c) => c.argv)).toEqual([...pods()].sort().map(ipNArgv));
    expect(s.pods).toHaveLength(pods().length);
  });
});
