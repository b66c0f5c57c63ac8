// probe in cluster mode: the source node is a namespace (--netns), the target node is reached over real ssh
// (an sshd in its namespace) and listened on too, so the probe is followed down to the destination pod's veth.
// Faults and expectations come from the lab: which node drops, which devices it has.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { cliEntry, runCli } from '../collect/cli.js';
import { addPod, buildFlannelCluster, nodesJson, programPeers, type LabCluster, type LabNode, type LabPod } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { leftovers, processesIn as ours } from '../netns/pids.js';
import { SshLab } from './sshd.js';

const captureDirs = (): string[] => readdirSync('/tmp').filter((f) => f.startsWith('flanctl-probe-capture-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Hop {
  node: string;
  device: string;
  side: string;
  seen: boolean | null;
}

describeNetns('probe across nodes: the target node listened on over ssh', () => {
  const lab = new Lab('prc');
  let ssh: SshLab;
  let cluster: LabCluster;
  let n1: LabNode;
  let n2: LabNode;
  let a: LabPod;
  let b: LabPod;
  let hosts: string;
  let nodes: string;

  const probe = () =>
    runCli(['probe', b.ip, '--from', a.netns, '--netns', n1.netns, '--nodes', nodes, '--ssh-hosts', hosts, ...ssh.flanctlSshFlags(), '--json'], { prefix: ['ip', 'netns', 'exec', ssh.clientNs] });
  const seen = (hops: Hop[]): string[] => hops.map((h) => `${h.node}/${h.device}=${h.seen}`);

  beforeAll(async () => {
    ssh = new SshLab(lab);
    cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 1 });
    [n1, n2] = cluster.nodes;
    [a] = n1.pods;
    [b] = n2.pods;
    ssh.addClient(cluster);
    await ssh.start(n2.netns, n2.ip, n2.name);
    hosts = join(ssh.dir, 'inventory.ini');
    writeFileSync(hosts, ['[k8s]', `${n2.name} ansible_host=${n2.ip} ansible_user=root`, ''].join('\n'));
    nodes = join(ssh.dir, 'nodes.json');
    writeFileSync(nodes, nodesJson(cluster));
    // traffic first, so node2's cni0 has learnt the destination pod's MAC and its fdb names the pod's veth (the ssh
    // collection does not enter the pods' namespaces); the 'nothing has talked to yet' test covers the other way
    expect([0, 1, 2].some(() => lab.ping(a.netns, b.ip))).toBe(true);
  });
  afterEach(() => {
    for (const ns of [n1.netns, n2.netns, a.netns, b.netns]) expect(leftovers(ns), ns).toEqual([]);
    // the target's capture directory is removed by the stop step
    expect(captureDirs()).toEqual([]);
  });
  afterAll(() => {
    ssh?.stop();
    lab.teardown();
  });

  it('healthy: seen on the four hops of each node, down to the destination pod\'s veth; delivered and answered', () => {
    const r = probe();
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, delivered: true, replied: true, lostAfter: null });
    expect(seen(r.json.hops)).toEqual([
      `${n1.netns}/${a.hostVeth}=true`,
      `${n1.netns}/cni0=true`,
      `${n1.netns}/flannel.1=true`,
      `${n1.netns}/eth0=true`,
      'node2/eth0=true',
      'node2/flannel.1=true',
      'node2/cni0=true',
      `node2/${b.hostVeth}=true`,
    ]);
    expect(r.json.hops.filter((h: Hop) => h.side === 'target')).toHaveLength(4);
  });

  it('a pod nothing has talked to yet: its veth is not in the target\'s state, so every veth on cni0 is listened on and the one that heard it stands for it', () => {
    const fresh = addPod(lab, n2.netns, 'node2', '10.244.2', 9);
    const r = runCli(['probe', fresh.ip, '--from', a.netns, '--netns', n1.netns, '--nodes', nodes, '--ssh-hosts', hosts, ...ssh.flanctlSshFlags(), '--json'], { prefix: ['ip', 'netns', 'exec', ssh.clientNs] });
    expect(r.status, r.stderr).toBe(0);
    const target = r.json.hops.filter((h: Hop) => h.side === 'target');
    expect(seen(target)).toEqual(['node2/eth0=true', 'node2/flannel.1=true', 'node2/cni0=true', `node2/${fresh.hostVeth}=true`]);
  });

  it('FORWARD policy DROP on the target: seen on its flannel.1, not on its cni0; named with doctor\'s code', () => {
    lab.exec(n2.netns, ['iptables', '-P', 'FORWARD', 'DROP']);
    try {
      const r = probe();
      expect(r.status, r.stderr).toBe(1);
      const target = Object.fromEntries(r.json.hops.filter((h: Hop) => h.side === 'target').map((h: Hop) => [h.device, h.seen]));
      // (the pod's veth, named by the fdb or found among the bridge's veths, did not see it either)
      expect(target).toMatchObject({ eth0: true, 'flannel.1': true, cni0: false });
      expect(r.json).toMatchObject({ ok: false, replied: false, lostAfter: { node: 'node2', device: 'flannel.1', direction: 'request' }, code: 'FORWARD_DROP_NO_FLANNEL_FWD' });
      expect(r.json.problem).toContain('doctor on node2');
    } finally {
      lab.exec(n2.netns, ['iptables', '-P', 'FORWARD', 'ACCEPT']);
    }
  });

  it('stale VtepMAC: seen on the target\'s flannel.1 (a packet socket sees frames for another MAC), not on its cni0: its flannel.1 does not take them up', () => {
    const fresh = '02:5e:1a:7e:00:03';
    lab.ip(n2.netns, ['link', 'set', 'flannel.1', 'address', fresh]);
    const file = join(ssh.dir, 'nodes-new.json');
    writeFileSync(file, nodesJson({ ...cluster, nodes: cluster.nodes.map((n) => (n === n2 ? { ...n, vtepMac: fresh } : n)) }));
    try {
      const r = runCli(['probe', b.ip, '--from', a.netns, '--netns', n1.netns, '--nodes', file, '--ssh-hosts', hosts, ...ssh.flanctlSshFlags(), '--json'], { prefix: ['ip', 'netns', 'exec', ssh.clientNs] });
      expect(r.status, r.stderr).toBe(1);
      const target = Object.fromEntries(r.json.hops.filter((h: Hop) => h.side === 'target').map((h: Hop) => [h.device, h.seen]));
      expect(target).toMatchObject({ eth0: true, 'flannel.1': true, cni0: false });
      expect(r.json).toMatchObject({ lostAfter: { node: 'node2', device: 'flannel.1' }, code: 'VTEP_MAC_MISMATCH' });
      // the frame's destination is the MAC node2's flannel.1 had before; its own is the fresh one
      expect(r.json.hops.find((h: Hop) => h.side === 'target' && h.device === 'flannel.1').ethDst).toBe(n2.vtepMac);
      expect(r.json.problem).toContain(fresh);
    } finally {
      lab.ip(n2.netns, ['link', 'set', 'flannel.1', 'address', n2.vtepMac]);
      // a MAC change flushes the device's neighbours, permanent ones too: node2 needs its peers back
      programPeers(lab, n2, cluster.nodes);
    }
  });

  it('SIGKILL while listening on both nodes: the target sees its stdin close and stops its captures and removes their directory by itself', async () => {
    const [node, entry] = cliEntry();
    // healthy and --count 20: the sender runs for 4 s, the window to kill flanctl in; the capture bound is ~40 s
    const argv = ['ip', 'netns', 'exec', ssh.clientNs, node, entry, 'probe', b.ip, '--from', a.netns, '--netns', n1.netns, '--nodes', nodes, '--ssh-hosts', hosts, ...ssh.flanctlSshFlags(), '--count', '20', '--json'];
    const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    for (let i = 0; i < 200 && !leftovers(a.netns).includes('ping'); i++) await sleep(100);
    expect(leftovers(n2.netns)).toContain('tcpdump');
    expect(captureDirs()).toHaveLength(1);
    child.kill('SIGKILL');
    expect(await exited).toEqual({ code: null, signal: 'SIGKILL' });
    // well within the capture bound: no tcpdump, no directory on the target, and the orphaned ssh client is gone too
    for (let i = 0; i < 100 && (leftovers(n2.netns).length || captureDirs().length || leftovers(ssh.clientNs, ['ssh']).length); i++) await sleep(100);
    expect(leftovers(n2.netns)).toEqual([]);
    expect(captureDirs()).toEqual([]);
    expect(leftovers(ssh.clientNs, ['ssh'])).toEqual([]);
    // the local captures and the sender end by their own `timeout` (bounded, not instantly: a SIGKILL leaves
    // flanctl no time to stop them); this test stops them now, by pid, for the next one
    for (const ns of [n1.netns, a.netns]) for (const p of ours(ns)) process.kill(Number(p.pid), 'SIGKILL');
    for (let i = 0; i < 50 && [n1.netns, a.netns].some((ns) => leftovers(ns).length); i++) await sleep(100);
  });

  it('a capture directory left by an earlier run whose script is gone is removed by the next run; a live one is kept', () => {
    // a pid that just ended, as the script of a probe killed with its node would be; and this test's own, alive
    const dead = spawnSync('true').pid;
    const stale = join('/tmp', `flanctl-probe-capture-${dead}-0123456789ab`);
    const live = join('/tmp', `flanctl-probe-capture-${process.pid}-0123456789ab`);
    mkdirSync(stale);
    mkdirSync(live);
    try {
      const r = probe();
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      rmSync(stale, { recursive: true, force: true });
      rmSync(live, { recursive: true, force: true });
    }
  });

  it('Ctrl-C while listening on both nodes: the local and the remote captures are stopped, the remote directory removed', async () => {
    lab.exec(n2.netns, ['iptables', '-P', 'FORWARD', 'DROP']);
    try {
      const [node, entry] = cliEntry();
      const argv = ['ip', 'netns', 'exec', ssh.clientNs, node, entry, 'probe', b.ip, '--from', a.netns, '--netns', n1.netns, '--nodes', nodes, '--ssh-hosts', hosts, ...ssh.flanctlSshFlags(), '--timeout', '20', '--json'];
      const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      // bounded wait until the sender runs: by then both nodes' captures listen
      for (let i = 0; i < 200 && !leftovers(a.netns).includes('ping'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(leftovers(n2.netns)).toContain('tcpdump');
      expect(leftovers(n1.netns)).toContain('tcpdump');
      // `ip netns exec` execs the CLI in place: the child's pid is flanctl's
      child.kill('SIGINT');
      expect(await exited).toEqual({ code: null, signal: 'SIGINT' });
    } finally {
      lab.exec(n2.netns, ['iptables', '-P', 'FORWARD', 'ACCEPT']);
    }
  });
});
