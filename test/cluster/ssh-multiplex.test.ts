// Many SREs have `ControlMaster auto` + `ControlPersist 10m` in ~/.ssh/config. The first ssh then forks a master
// into the background, and a process that waits until every holder of ssh's output pipes closed them would wait for
// the master too if it kept ssh's stderr (OpenSSH bug 1988; puppetlabs/r10k#169, k0sproject/rig#405). Real sshd per
// namespace node, the built CLI in the client namespace, multiplexing given through --ssh-option: the collection
// returns once the nodes answered, while the masters still run (ControlPersist=60 is longer than the --timeout given:
// a run that waited for a master would report its node as timed out, or not return), and the next run goes through
// the same masters. Afterwards the masters are told to exit (`ssh -O exit`) and no ssh process is left. The same
// from an ssh config file with a ProxyJump bastion (the `ssh -W` under the master). This machine's OpenSSH (9.2)
// points the master's stdin, stdout and stderr at /dev/null when it detaches (the kernel's /proc says so), so it is
// the last case that shows flanctl would not wait either for an ssh that does leave a process holding its stderr.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../collect/cli.js';
import { buildFlannelCluster, type LabCluster } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { leftovers, processesIn } from '../netns/pids.js';
import { SshLab } from './sshd.js';

/** Resolves once `test()` holds, checking every 20 ms for at most 5 s (then false): waiting, not timing. */
async function settled(test: () => boolean): Promise<boolean> {
  for (let waited = 0; waited < 5000; waited += 20) {
    if (test()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return test();
}

describeNetns('collect --all over ssh with ControlMaster/ControlPersist (real sshd)', () => {
  const lab = new Lab('mux');
  let ssh: SshLab;
  let cluster: LabCluster;
  let hosts: string;
  let controlPath: string;

  const muxOptions = (): string[] => ['--ssh-option', 'ControlMaster=auto', '--ssh-option', `ControlPath=${controlPath}`, '--ssh-option', 'ControlPersist=60'];
  const inClient = (argv: string[]) => spawnSync('ip', ['netns', 'exec', ssh.clientNs, ...argv], { encoding: 'utf8', timeout: 10_000 });
  /** `ssh -O CMD` to node `ip`'s master, with the options the runs used (`config`: the one the run was given). */
  const control = (cmd: string, ip: string, config?: string) =>
    inClient(['ssh', ...(config ? ['-F', config] : ['-F', '/dev/null', '-o', `ControlPath=${controlPath}`]), '-O', cmd, '-l', 'root', ip]);
  /** The pid of node `ip`'s master, as `ssh -O check` prints it ("Master running (pid=N)"). */
  const masterPid = (ip: string, config?: string): number | undefined => {
    const m = /Master running \(pid=(\d+)\)/.exec(control('check', ip, config).stderr);
    return m ? Number(m[1]) : undefined;
  };
  /** Where a process's stdin, stdout and stderr point. */
  const stdio = (pid: number): string[] => [0, 1, 2].map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`));
  /** Established TCP connections to the node's sshd, as the node's kernel counts them. */
  const sshConnections = (ns: string, ip: string): number => {
    const ss = spawnSync('ip', ['netns', 'exec', ns, 'ss', '-Htn', 'state', 'established', `src ${ip}:22`], { encoding: 'utf8' });
    return ss.stdout.split('\n').filter((l) => l.trim() !== '').length;
  };
  const collect = (out: string) =>
    runCli(['collect', '--all', '--ssh-hosts', hosts, ...ssh.flanctlSshFlags(), ...muxOptions(), '--timeout', '20', '-o', out, '--json'], { prefix: ['ip', 'netns', 'exec', ssh.clientNs], timeout: 15_000 });

  beforeAll(async () => {
    ssh = new SshLab(lab);
    cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 1 });
    ssh.addClient(cluster);
    await Promise.all(cluster.nodes.map((n) => ssh.start(n.netns, n.ip, n.name)));
    hosts = join(ssh.dir, 'inventory.ini');
    writeFileSync(hosts, ['[k8s]', ...cluster.nodes.map((n) => `${n.name} ansible_host=${n.ip} ansible_user=root`), ''].join('\n'));
    // %h: one master per node
    controlPath = join(ssh.dir, 'cm-%h');
  });

  afterAll(() => {
    if (ssh?.clientNs) {
      for (const n of cluster.nodes) control('exit', n.ip);
      // whatever did not go by itself (a failed case): by pid
      for (const p of processesIn(ssh.clientNs, ['ssh'])) process.kill(Number(p.pid), 'SIGKILL');
    }
    ssh?.stop();
    lab.teardown();
  });

  it('returns once the nodes answered while the masters run on, and the next run uses them again', { timeout: 40_000 }, () => {
    const first = collect(join(ssh.dir, 'c1'));
    expect(first.status, first.stderr).toBe(0);
    expect(first.json.nodes.map((n: { name: string; ok: boolean; timedOut?: boolean }) => [n.name, n.ok, n.timedOut])).toEqual(cluster.nodes.map((n) => [n.name, true, undefined]));
    // the masters outlived the run: it did not wait for them
    const masters = cluster.nodes.map((n) => masterPid(n.ip));
    for (const pid of masters) expect(pid).toBeGreaterThan(0);
    // why: this OpenSSH detaches its master onto /dev/null (older ones kept ssh's stderr: the last case)
    for (const pid of masters) expect(stdio(pid!)).toEqual(['/dev/null', '/dev/null', '/dev/null']);
    expect(cluster.nodes.map((n) => sshConnections(n.netns, n.ip))).toEqual([1, 1]);

    const second = collect(join(ssh.dir, 'c2'));
    expect(second.status, second.stderr).toBe(0);
    expect(second.json.nodes.every((n: { ok: boolean }) => n.ok)).toBe(true);
    // the same masters, still one connection per node: the second run went through them
    expect(cluster.nodes.map((n) => masterPid(n.ip))).toEqual(masters);
    expect(cluster.nodes.map((n) => sshConnections(n.netns, n.ip))).toEqual([1, 1]);
  });

  it('the masters exit when told, and no ssh process is left behind', async () => {
    for (const n of cluster.nodes) expect(control('exit', n.ip).status).toBe(0);
    for (const n of cluster.nodes) expect(masterPid(n.ip)).toBeUndefined();
    expect(await settled(() => leftovers(ssh.clientNs, ['ssh']).length === 0)).toBe(true);
  });

  it('multiplexing from the ssh config, through a ProxyJump bastion: returns, the master and its jump run on until told', { timeout: 40_000 }, async () => {
    // as in an SRE's ~/.ssh/config (given with --ssh-config: -F reaches the jump's ssh too); node1 is node2's bastion
    const [bastion, node] = cluster.nodes;
    const config = join(ssh.dir, 'jump_config');
    writeFileSync(
      config,
      ['Host *', `  IdentityFile ${ssh.key}`, '  StrictHostKeyChecking no', '  UserKnownHostsFile /dev/null', '  LogLevel ERROR', '  ControlMaster auto', `  ControlPath ${join(ssh.dir, 'cmj-%h')}`, '  ControlPersist 60', ''].join('\n'),
    );
    const oneHost = join(ssh.dir, 'node2.ini');
    writeFileSync(oneHost, `${node.name} ansible_host=${node.ip} ansible_user=root\n`);
    const r = runCli(['collect', '--all', '--ssh-hosts', oneHost, '--ssh-config', config, '--ssh-option', `ProxyJump=root@${bastion.ip}`, '--timeout', '20', '-o', join(ssh.dir, 'c-jump'), '--json'], {
      prefix: ['ip', 'netns', 'exec', ssh.clientNs],
      timeout: 15_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.nodes.map((n: { name: string; ok: boolean; timedOut?: boolean }) => [n.name, n.ok, n.timedOut])).toEqual([[node.name, true, undefined]]);
    // the master to node2 outlived the run, its connection carried by an `ssh -W` to the bastion; none holds flanctl's pipes
    const master = masterPid(node.ip, config);
    expect(master).toBeGreaterThan(0);
    const held = processesIn(ssh.clientNs, ['ssh']).map((p) => Number(p.pid));
    expect(held).toContain(master);
    expect(held.length).toBeGreaterThan(1);
    for (const pid of held) expect(stdio(pid).filter((f) => f.startsWith('socket:'))).toEqual([]);
    expect(control('exit', node.ip, config).status).toBe(0);
    control('exit', bastion.ip, config);
    expect(await settled(() => leftovers(ssh.clientNs, ['ssh']).length === 0)).toBe(true);
  });

  it('an ssh that leaves a process holding its stderr (as older OpenSSH masters did, its bug 1988): returns all the same', { timeout: 40_000 }, async () => {
    // a wrapper first on PATH: starts the holder (setsid, stderr inherited), records its pid, then is the real ssh
    const bin = join(ssh.dir, 'bin');
    const pids = join(ssh.dir, 'holders');
    mkdirSync(bin, { recursive: true });
    const realSsh = spawnSync('sh', ['-c', 'command -v ssh'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(bin, 'ssh'), ['#!/bin/sh', 'setsid sleep 60 </dev/null >/dev/null &', `echo $! >> ${pids}`, `exec ${realSsh} "$@"`, ''].join('\n'));
    chmodSync(join(bin, 'ssh'), 0o755);
    const r = runCli(['collect', '--all', '--ssh-hosts', hosts, ...ssh.flanctlSshFlags(), '--timeout', '20', '-o', join(ssh.dir, 'c3'), '--json'], {
      prefix: ['ip', 'netns', 'exec', ssh.clientNs],
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      timeout: 15_000,
    });
    const holders = readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number);
    try {
      expect(r.status, r.stderr).toBe(0);
      expect(r.json.nodes.map((n: { name: string; ok: boolean; timedOut?: boolean }) => [n.name, n.ok, n.timedOut])).toEqual(cluster.nodes.map((n) => [n.name, true, undefined]));
      // one holder per node, each still running with ssh's stderr (a socket of flanctl's) when the run had returned
      expect(holders).toHaveLength(cluster.nodes.length);
      for (const pid of holders) expect(readlinkSync(`/proc/${pid}/fd/2`)).toMatch(/^socket:/);
    } finally {
      for (const pid of holders) process.kill(pid, 'SIGKILL');
    }
    expect(await settled(() => leftovers(ssh.clientNs, ['ssh', 'sleep']).length === 0)).toBe(true);
  });
});
