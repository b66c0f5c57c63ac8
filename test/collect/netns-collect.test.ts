// collect --netns against a real flannel node built in namespaces: the snapshot must say exactly what was created.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Snapshot } from '../../src/model/index.js';
import { buildFlannelCluster, type LabCluster } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns, itNeeding } from '../netns/needs.js';
import { cliEntry, expectOneLineError, runCli } from './cli.js';

describeNetns('collect --netns (real namespaces)', () => {
  const lab = new Lab('col');
  let cluster: LabCluster;
  let snap: Snapshot;
  const tmp = mkdtempSync(join(tmpdir(), 'fct-collect-'));

  beforeAll(() => {
    cliEntry();
    try {
      cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 2 });
      const ns = cluster.nodes[0].netns;
      // flannel's forward rules, inside the node namespace only
      lab.exec(ns, ['iptables', '-N', 'FLANNEL-FWD']);
      lab.exec(ns, ['iptables', '-A', 'FORWARD', '-m', 'comment', '--comment', 'flanneld forward', '-j', 'FLANNEL-FWD']);
      lab.exec(ns, ['iptables', '-A', 'FLANNEL-FWD', '-s', '10.244.0.0/16', '-m', 'comment', '--comment', 'flanneld forward', '-j', 'ACCEPT']);
      lab.exec(ns, ['iptables', '-A', 'FLANNEL-FWD', '-d', '10.244.0.0/16', '-m', 'comment', '--comment', 'flanneld forward', '-j', 'ACCEPT']);
    } catch (error) {
      lab.teardown();
      throw error;
    }
    const r = runCli(['collect', '--netns', cluster.nodes[0].netns, '--json']);
    if (r.status !== 0) throw new Error(`collect failed (${r.status}): ${r.stderr}`);
    snap = JSON.parse(r.stdout) as Snapshot;
  });

  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('is a valid snapshot as collected (the schema changes nothing in it)', () => {
    expect(Snapshot.parse(snap)).toEqual(snap);
  });

  it('names the node after the namespace and records every step', () => {
    expect(snap.schemaVersion).toBe(1);
    expect(snap.source).toEqual({ kind: 'netns', name: cluster.nodes[0].netns });
    expect(snap.host).toBe(cluster.nodes[0].netns);
    const byName = new Map(snap.commands.map((c) => [c.name, c]));
    for (const name of ['ip-link', 'ip-addr', 'ip-route', 'ip-neigh', 'bridge-fdb', 'bridge-link', 'brctl-show', 'iptables-save', 'iflink', 'sysctl', 'kernel']) {
      expect(byName.get(name), name).toMatchObject({ ok: true });
    }
    expect(byName.get('ip-route')).toMatchObject({ form: 'json', argv: ['ip', '-j', 'route', 'show', 'table', 'main'] });
    expect(snap.sysctls['net.ipv4.ip_forward']).toBe('1');
    expect(byName.get('ethtool-k')).toMatchObject({ ok: true, argv: ['ethtool', '-k', 'flannel.1'] });
    expect(Object.keys(snap.features['flannel.1']).length).toBeGreaterThan(10);
  });

  it('reads flannel.1 as the vxlan device flannel created', () => {
    const node = cluster.nodes[0];
    const vx = snap.links.find((l) => l.name === 'flannel.1');
    expect(vx).toMatchObject({ kind: 'vxlan', vni: 1, port: 8472, learning: false, local: node.ip, dev: 'eth0', mtu: 1450, mac: node.vtepMac });
    expect(snap.links.find((l) => l.name === 'cni0')).toMatchObject({ kind: 'bridge', mtu: 1450 });
    expect(snap.links.find((l) => l.name === 'eth0')).toMatchObject({ kind: 'veth' });
    expect(snap.addresses).toContainEqual(expect.objectContaining({ dev: 'flannel.1', family: 'inet', local: '10.244.1.0', prefixlen: 32 }));
    for (const pod of node.pods) expect(snap.links.find((l) => l.name === pod.hostVeth)).toMatchObject({ kind: 'veth', master: 'cni0' });
  });

  it("reads the peer's neigh, fdb and onlink route exactly", () => {
    const peer = cluster.nodes[1];
    const gw = '10.244.2.0';
    const neigh = snap.neigh.filter((n) => n.dev === 'flannel.1');
    expect(neigh).toEqual([expect.objectContaining({ dst: gw, lladdr: peer.vtepMac, state: ['PERMANENT'] })]);
    const fdb = snap.fdb.filter((f) => f.dev === 'flannel.1' && f.mac === peer.vtepMac);
    expect(fdb).toEqual([expect.objectContaining({ dst: peer.ip, self: true, state: 'permanent' })]);
    const route = snap.routes.find((r) => r.dst === peer.subnet);
    expect(route).toMatchObject({ gateway: gw, dev: 'flannel.1', onlink: true, table: 'main' });
  });

  it('reads the iptables chain and its rules', () => {
    const filter = snap.iptables?.tables.find((t) => t.name === 'filter');
    expect(filter?.chains.map((c) => c.name)).toContain('FLANNEL-FWD');
    const rules = filter!.rules.filter((r) => r.chain === 'FLANNEL-FWD' || r.target === 'FLANNEL-FWD');
    expect(rules.map((r) => [r.chain, r.target, r.comment])).toEqual([
      ['FORWARD', 'FLANNEL-FWD', 'flanneld forward'],
      ['FLANNEL-FWD', 'ACCEPT', 'flanneld forward'],
      ['FLANNEL-FWD', 'ACCEPT', 'flanneld forward'],
    ]);
    expect(rules[1].spec).toContain('-s 10.244.0.0/16');
  });

  it('finds the pods behind the veths, their iflink == the host veth ifindex', () => {
    const node = cluster.nodes[0];
    expect(snap.pods.map((p) => p.netns).sort()).toEqual(node.pods.map((p) => p.netns).sort());
    for (const pod of node.pods) {
      const got = snap.pods.find((p) => p.netns === pod.netns)!;
      const hostVeth = snap.links.find((l) => l.name === pod.hostVeth)!;
      expect(got).toMatchObject({ ifname: 'eth0', ip: pod.ip, mac: pod.mac, mtu: 1450, iflink: hostVeth.ifindex });
      expect(hostVeth.linkIndex).toBe(got.ifindex);
      expect(snap.iflinks.find((i) => i.name === pod.hostVeth)).toEqual({ name: pod.hostVeth, ifindex: hostVeth.ifindex, iflink: got.ifindex });
    }
    const cni0 = snap.bridges.find((b) => b.name === 'cni0');
    expect(cni0?.interfaces.slice().sort()).toEqual(node.pods.map((p) => p.hostVeth).sort());
  });

  it('round-trips: collect --raw-dir d, then --from-dir d reads the same state', () => {
    const raw = join(tmp, 'raw');
    const out = join(tmp, 'node.json');
    const r = runCli(['collect', '--netns', cluster.nodes[0].netns, '-o', out, '--raw-dir', raw]);
    expect(r.status, r.stderr).toBe(0);
    const live = JSON.parse(runCli(['collect', '--snapshot', out, '--json']).stdout) as Snapshot;
    const back = runCli(['collect', '--from-dir', raw, '--json']);
    expect(back.status, back.stderr).toBe(0);
    const dir = JSON.parse(back.stdout) as Snapshot;
    expect(dir.source).toEqual({ kind: 'dir', name: raw });
    expect(dir.host).toBe(live.host);
    for (const key of ['links', 'addresses', 'routes', 'neigh', 'fdb', 'bridges', 'bridgePorts', 'iptables', 'iflinks', 'sysctls', 'features', 'kernel'] as const) {
      expect(dir[key], key).toEqual(live[key]);
    }
    const podView = (s: Snapshot) => s.pods.map((p) => ({ ip: p.ip, mac: p.mac, ifindex: p.ifindex, iflink: p.iflink, ifname: p.ifname, mtu: p.mtu })).sort((a, b) => (a.ip ?? '').localeCompare(b.ip ?? ''));
    expect(podView(dir)).toEqual(podView(live));
    // the directory names the pod by its directory; live knows its namespace
    expect(dir.pods.map((p) => p.pod).sort()).toEqual(live.pods.map((p) => p.netns).sort());
  });

  it('show prints the tables from the same namespace', () => {
    const r = runCli(['show', 'routes', '--netns', cluster.nodes[0].netns]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/10\.244\.2\.0\/24\s+.*10\.244\.2\.0\s+.*flannel\.1\s+.*onlink/);
    const j = JSON.parse(runCli(['show', 'fdb', '--netns', cluster.nodes[0].netns, '--json']).stdout);
    expect(j.subject).toBe('fdb');
    expect(j.nodes[0].items).toContainEqual(expect.objectContaining({ mac: cluster.nodes[1].vtepMac, dst: cluster.nodes[1].ip }));
  });

  it('records a missing brctl as a fallback to ip link, not a failure', () => {
    // a PATH holding every tool collect uses except brctl
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    for (const tool of ['ip', 'bridge', 'iptables-save', 'iptables-nft-save', 'sysctl', 'uname', 'grep', 'ethtool', 'hostname']) {
      const path = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { encoding: 'utf8', env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' } }).stdout.trim();
      if (path) symlinkSync(path, join(bin, tool));
    }
    const r = runCli(['collect', '--netns', cluster.nodes[0].netns, '--json'], { env: { ...process.env, PATH: bin } });
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Snapshot;
    expect(s.commands.find((c) => c.name === 'brctl-show')).toMatchObject({ ok: true, form: 'fallback', error: expect.stringContaining('brctl not installed') });
    expect(s.bridges.find((b) => b.name === 'cni0')?.interfaces.slice().sort()).toEqual(cluster.nodes[0].pods.map((p) => p.hostVeth).sort());
  });

  itNeeding(existsSync('/usr/sbin/iptables-legacy'), '/usr/sbin/iptables-legacy')('uses iptables-legacy-save when flannel wrote through the legacy backend', () => {
    const ns = cluster.nodes[1].netns;
    lab.exec(ns, ['iptables-legacy', '-N', 'FLANNEL-FWD']);
    lab.exec(ns, ['iptables-legacy', '-A', 'FLANNEL-FWD', '-s', '10.244.0.0/16', '-m', 'comment', '--comment', 'flanneld forward', '-j', 'ACCEPT']);
    const r = runCli(['collect', '--netns', ns, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Snapshot;
    expect(s.iptables?.variant).toBe('legacy');
    expect(s.iptables?.tables.find((t) => t.name === 'filter')?.rules).toEqual([expect.objectContaining({ chain: 'FLANNEL-FWD', target: 'ACCEPT', comment: 'flanneld forward' })]);
    expect(s.commands.find((c) => c.name === 'iptables-legacy-save')).toMatchObject({ ok: true });
  });

  itNeeding(existsSync('/usr/sbin/iptables-legacy'), '/usr/sbin/iptables-legacy')('keeps the nft saver\'s stderr warning when both backends hold rules, and doctor names it', () => {
    // node 1 (rules in nf_tables, see beforeAll) gets a legacy chain too
    const ns = cluster.nodes[0].netns;
    lab.exec(ns, ['iptables-legacy', '-N', 'KUBE-LEGACY']);
    try {
      const r = runCli(['collect', '--netns', ns, '--json']);
      expect(r.status, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout) as Snapshot;
      expect(s.iptables?.variant).toBe('nf_tables');
      expect(s.iptables?.warnings).toEqual(['Warning: iptables-legacy tables present, use iptables-legacy-save to see them']);
      const d = runCli(['doctor', '--netns', ns, '--json']);
      expect(JSON.parse(d.stdout).findings.map((f: { code: string }) => f.code)).toContain('IPTABLES_LEGACY_AND_NFT');
    } finally {
      lab.exec(ns, ['iptables-legacy', '-X', 'KUBE-LEGACY']);
    }
  });

  it('unknown namespace: one line, exit 3', () => {
    const r = runCli(['collect', '--netns', `${lab.prefix}nosuch`]);
    expect(r.status).toBe(3);
    expect(expectOneLineError(r)).toBe(`flanctl: no network namespace named ${lab.prefix}nosuch (see \`ip netns list\`)`);
  });
});
