// `flanctl probe` (the built CLI) on a real namespace flannel VXLAN cluster: the kernel forwards the probe, and
// the expectations come from how the lab was built (devices, node IPs, VtepMACs) and from the fault injected.
// After every probe no capture or sender may be left in the lab's namespaces.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { cliEntry, expectOneLineError, runCli as cli, type CliResult } from '../collect/cli.js';
import { buildFlannelCluster, nodesJson, programPeers, type LabCluster, type LabNode, type LabPod } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { leftovers as leftoversOf } from '../netns/pids.js';

/** Captures, pings and senders (the CLI started again: `node`) of ours still running inside a namespace. */
const leftovers = (ns: string): string[] => leftoversOf(ns, ['tcpdump', 'timeout', 'ping', 'node']);

interface Hop {
  node: string;
  device: string;
  role: string;
  seen: boolean | null;
  direction?: string;
  outer?: Record<string, unknown>;
}

describeNetns('probe on a namespace VXLAN cluster', () => {
  const lab = new Lab('prb');
  let cluster: LabCluster;
  let n1: LabNode;
  let n2: LabNode;
  let a: LabPod;
  let b: LabPod;
  let dir: string;
  let nodesFile: string;

  const probe = (from: LabPod, dst: string, extra: string[] = [], nodes = nodesFile): CliResult =>
    cli(['probe', dst, '--from', from.netns, '--netns', n1.netns, '--nodes', nodes, '--json', ...extra]);
  const devices = (r: CliResult): string[] => r.json.hops.map((h: Hop) => h.device);
  const seen = (r: CliResult): Record<string, boolean | null> => Object.fromEntries(r.json.hops.map((h: Hop) => [h.device, h.seen]));
  const restore = (node: LabNode): void => programPeers(lab, node, cluster.nodes);

  beforeAll(() => {
    cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 2 });
    [n1, n2] = cluster.nodes;
    [a] = n1.pods;
    [b] = n2.pods;
    dir = mkdtempSync(join(tmpdir(), 'flanctl-probe-'));
    nodesFile = join(dir, 'nodes.json');
    writeFileSync(nodesFile, nodesJson(cluster));
  });
  afterEach(() => {
    for (const ns of [n1, n2, ...n1.pods, ...n2.pods].map((x) => x.netns)) expect(leftovers(ns), ns).toEqual([]);
  });
  afterAll(() => {
    lab.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('healthy: seen on the pod veth, cni0, flannel.1 and eth0, answered, exit 0', () => {
    const r = probe(a, b.ip);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ destination: b.ip, ok: true, delivered: true, replied: true, sent: 3, received: 3, lostAfter: null });
    expect(devices(r)).toEqual([a.hostVeth, 'cni0', 'flannel.1', 'eth0']);
    for (const h of r.json.hops as Hop[]) expect(h, h.device).toMatchObject({ node: n1.netns, seen: true, direction: 'both' });
    // the outer header on the underlay: this node to node2, VNI 1, inner frame between the two VtepMACs
    const underlay = r.json.hops.find((h: Hop) => h.device === 'eth0');
    expect(underlay.outer).toEqual({ encap: 'vxlan', vni: 1, src: n1.ip, dst: n2.ip, innerSrcMac: n1.vtepMac, innerDstMac: n2.vtepMac });
  });

  it('a pod on the same node: seen on both pod veths (bridged port to port, cni0\'s own interface never sees it)', () => {
    const r = probe(a, n1.pods[1].ip);
    expect(r.status, r.stderr).toBe(0);
    expect(devices(r)).toEqual([a.hostVeth, n1.pods[1].hostVeth]);
    expect(Object.values(seen(r))).toEqual([true, true]);
  });

  it('route deleted: seen on cni0, not on flannel.1; ROUTE_MISSING, as trace names it; never left the node', () => {
    lab.ip(n1.netns, ['route', 'del', n2.subnet]);
    try {
      const r = probe(a, b.ip);
      expect(r.status, r.stderr).toBe(1);
      expect(seen(r)).toEqual({ [a.hostVeth]: true, cni0: true, 'flannel.1': false, eth0: false });
      expect(r.json).toMatchObject({ ok: false, replied: false, delivered: false, code: 'ROUTE_MISSING', lostAfter: { node: n1.netns, device: 'cni0', direction: 'request' } });
      // the node said so itself: ICMP net unreachable (type 3 code 0) from the pod gateway
      expect(r.json.hops[0].errors).toEqual([{ from: '10.244.1.1', type: 3, code: 0 }]);
    } finally {
      restore(n1);
    }
  });

  it('fdb entry deleted: lost after flannel.1 (not on eth0); FDB_MISSING', () => {
    lab.exec(n1.netns, ['bridge', 'fdb', 'del', n2.vtepMac, 'dev', 'flannel.1', 'dst', n2.ip, 'self']);
    try {
      const r = probe(a, b.ip);
      expect(r.status, r.stderr).toBe(1);
      expect(seen(r)).toEqual({ [a.hostVeth]: true, cni0: true, 'flannel.1': true, eth0: false });
      expect(r.json).toMatchObject({ ok: false, delivered: false, code: 'FDB_MISSING', lostAfter: { device: 'flannel.1', direction: 'request' } });
    } finally {
      restore(n1);
    }
  });

  it('stale VtepMAC: leaves eth0 toward node2, no answer, pointed at node2 and its VtepMAC', () => {
    const fresh = '02:5e:1a:7e:00:02';
    lab.ip(n2.netns, ['link', 'set', 'flannel.1', 'address', fresh]);
    const file = join(dir, 'nodes-new.json');
    writeFileSync(file, nodesJson({ ...cluster, nodes: cluster.nodes.map((n) => (n === n2 ? { ...n, vtepMac: fresh } : n)) }));
    try {
      const r = probe(a, b.ip, [], file);
      expect(r.status, r.stderr).toBe(1);
      expect(seen(r)).toEqual({ [a.hostVeth]: true, cni0: true, 'flannel.1': true, eth0: true });
      expect(r.json).toMatchObject({ ok: false, replied: false, delivered: null, code: 'VTEP_MAC_MISMATCH', lostAfter: { device: 'eth0' } });
      // on the wire: to node2's IP, but to the MAC it had before
      expect(r.json.hops[3].outer).toMatchObject({ dst: n2.ip, innerDstMac: n2.vtepMac });
      expect(r.json.problem).toContain('node2');
      expect(r.json.problem).toContain(fresh);
    } finally {
      lab.ip(n2.netns, ['link', 'set', 'flannel.1', 'address', n2.vtepMac]);
      // a MAC change flushes the device's neighbours, permanent ones too: node2 needs its peers back
      restore(n2);
    }
  });

  it('MTU: a route mtu 1300 toward node2 and a 1400-byte probe with DF — the node answers ICMP frag-needed; lost after cni0, PROBE_MTU_EXCEEDED', () => {
    lab.ip(n1.netns, ['route', 'replace', n2.subnet, 'via', `${n2.subnet.split('.').slice(0, 3).join('.')}.0`, 'dev', 'flannel.1', 'onlink', 'mtu', '1300']);
    const out = join(dir, 'pcap-mtu');
    try {
      const r = probe(a, b.ip, ['--size', '1400', '--write-pcap', out]);
      expect(r.status, r.stderr).toBe(1);
      expect(seen(r)).toEqual({ [a.hostVeth]: true, cni0: true, 'flannel.1': false, eth0: false });
      expect(r.json).toMatchObject({ ok: false, code: 'PROBE_MTU_EXCEEDED', lostAfter: { device: 'cni0', direction: 'request' } });
      // tshark's reading of the cni0 capture: the gateway's frag-needed, with the route's MTU
      const cni0 = join(out, readdirSync(out).find((f) => f.endsWith('-cni0.pcap'))!);
      const t = spawnSync('tshark', ['-r', cni0, '-Y', 'icmp.type == 3 && icmp.code == 4', '-T', 'fields', '-E', 'occurrence=f', '-e', 'ip.src', '-e', 'icmp.mtu'], { encoding: 'utf8' });
      const [from, mtu] = t.stdout.trim().split('\n')[0].split('\t');
      expect([from, mtu]).toEqual(['10.244.1.1', '1300']);
      const hop = r.json.hops.find((h: Hop) => h.device === 'cni0');
      expect(hop.errors).toEqual([{ from, type: 3, code: 4, mtu: Number(mtu) }]);
      expect(hop.anomalies.map((x: { kind: string }) => x.kind)).toContain('icmp-frag-needed');
      expect(r.json.problem).toContain('next-hop MTU 1300');
    } finally {
      restore(n1);
      // the pod and the node remember the path MTU they learnt: forget it for the next test
      for (const ns of [a.netns, n1.netns]) lab.ip(ns, ['route', 'flush', 'cache']);
    }
  });

  it('MTU: node1\'s underlay lowered to 1400 — a 1400-byte probe no longer fits once encapsulated: seen on flannel.1, not on eth0; MTU_MISMATCH as trace names it', () => {
    lab.ip(n1.netns, ['link', 'set', 'eth0', 'mtu', '1400']);
    try {
      const r = probe(a, b.ip, ['--size', '1400']);
      expect(r.status, r.stderr).toBe(1);
      expect(seen(r)).toEqual({ [a.hostVeth]: true, cni0: true, 'flannel.1': true, eth0: false });
      expect(r.json).toMatchObject({ ok: false, code: 'MTU_MISMATCH', lostAfter: { device: 'flannel.1', direction: 'request' } });
      // the kernel's own account: the VXLAN driver dropped it and lowered the path MTU to the underlay's minus its 50 bytes
      expect(lab.ip(n1.netns, ['route', 'get', b.ip])).toMatch(/ mtu 1350\b/);
    } finally {
      lab.ip(n1.netns, ['link', 'set', 'eth0', 'mtu', '1500']);
      for (const ns of [a.netns, n1.netns]) lab.ip(ns, ['route', 'flush', 'cache']);
    }
  });

  it('checksum: node1 rewrites a byte of the IPv4 header on its way into flannel.1 without fixing the checksum — the decoder flags it first on flannel.1; node2 drops it', () => {
    const table = `${lab.prefix.replace(/-$/, '')}csum`;
    lab.exec(n1.netns, ['nft', `add table ip ${table}`]);
    lab.exec(n1.netns, ['nft', `add chain ip ${table} post { type filter hook postrouting priority 0 ; }`]);
    // a raw payload write (the TOS byte): nft fixes no checksum for it
    lab.exec(n1.netns, ['nft', `add rule ip ${table} post oifname "flannel.1" ip protocol icmp @nh,8,8 set 0x04`]);
    const hdrErrors = (): number => {
      const lines = lab.exec(n2.netns, ['cat', '/proc/net/snmp']).split('\n').filter((l) => l.startsWith('Ip:'));
      const [names, values] = lines.map((l) => l.split(/\s+/));
      return Number(values[names.indexOf('InHdrErrors')]);
    };
    const before = hdrErrors();
    const out = join(dir, 'pcap-csum');
    try {
      const r = probe(a, b.ip, ['--write-pcap', out]);
      expect(r.status, r.stderr).toBe(1);
      expect(seen(r)).toEqual({ [a.hostVeth]: true, cni0: true, 'flannel.1': true, eth0: true });
      const kinds = (d: string): string[] => (r.json.hops.find((h: Hop) => h.device === d).anomalies ?? []).map((x: { kind: string }) => x.kind);
      expect([kinds(a.hostVeth), kinds('cni0'), kinds('flannel.1'), kinds('eth0')]).toEqual([[], [], ['bad-ip-checksum'], ['bad-ip-checksum']]);
      expect(r.json).toMatchObject({ ok: false, replied: false, code: 'PROBE_BAD_CHECKSUM', lostAfter: { device: 'eth0' } });
      expect(r.json.problem).toContain('first on flannel.1');
      const summary = (d: string): string => r.json.hops.find((h: Hop) => h.device === d).anomalies[0].summary;
      expect([summary('flannel.1'), summary('eth0')]).toEqual([`IPv4 header checksum wrong: ${a.ip} → ${b.ip}`, `inner IPv4 header checksum wrong: ${a.ip} → ${b.ip}`]);
      // tshark's verdict on the same packets (ip.checksum.status: 0 bad, 1 good), and node2's kernel counting the drops
      const status = (suffix: string): string[] => {
        const file = join(out, readdirSync(out).find((f) => f.endsWith(suffix))!);
        const t = spawnSync('tshark', ['-r', file, '-o', 'ip.check_checksum:TRUE', '-d', 'udp.port==8472,vxlan', '-Y', 'icmp.type == 8', '-T', 'fields', '-e', 'ip.checksum.status'], { encoding: 'utf8' });
        return t.stdout.trim().split('\n');
      };
      expect(status('-cni0.pcap')).toEqual(['1', '1', '1']);
      expect(status('-flannel.1.pcap')).toEqual(['0', '0', '0']);
      // underlay: the outer header is sound, the inner one is not
      expect(status('-eth0.pcap')).toEqual(['1,0', '1,0', '1,0']);
      expect(hdrErrors() - before).toBe(3);
    } finally {
      lab.exec(n1.netns, ['nft', `delete table ip ${table}`]);
    }
  });

  it('UDP to a port nobody listens on: the destination answers ICMP port unreachable; TCP: a reset', () => {
    const u = probe(a, b.ip, ['--proto', 'udp', '--port', '5353']);
    expect(u.status, u.stderr).toBe(0);
    expect(u.json).toMatchObject({ proto: 'udp', ok: true, sent: 3, received: 3 });
    expect(u.json.tag.port).toBe(5353);
    expect(u.json.hops[3].errors).toEqual([{ from: b.ip, type: 3, code: 3 }]);
    const t = probe(a, b.ip, ['--proto', 'tcp', '--port', '80', '--count', '2']);
    expect(t.status, t.stderr).toBe(0);
    expect(t.json).toMatchObject({ proto: 'tcp', ok: true, sent: 2, received: 2 });
    expect(Object.values(seen(t))).toEqual([true, true, true, true]);
  });

  it('--write-pcap keeps each hop\'s capture; tshark reads the three echo requests in the underlay one', () => {
    const out = join(dir, 'pcap');
    const r = probe(a, b.ip, ['--write-pcap', out]);
    expect(r.status, r.stderr).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(4);
    const underlay = join(out, files.find((f) => f.endsWith('-eth0.pcap'))!);
    const t = spawnSync('tshark', ['-r', underlay, '-d', 'udp.port==8472,vxlan', '-Y', `icmp.type == 8 && icmp.ident == ${r.json.tag.id}`, '-T', 'fields', '-e', 'vxlan.vni'], { encoding: 'utf8' });
    expect(t.stdout.trim().split('\n')).toEqual(['1', '1', '1']);
  });

  it('bad input exits 2, an unknown pod or no root exits 3, each with one line and nothing started', () => {
    const bad = cli(['probe', 'fd00::1::2', '--from', a.netns, '--netns', n1.netns]);
    expect(bad.status).toBe(2);
    expect(expectOneLineError(bad)).toMatch(/^flanctl: not an IPv4 or IPv6 address/);
    // this lab is IPv4 only: the pod has no IPv6 address to send an IPv6 probe from
    const v6 = cli(['probe', 'fd00::5', '--from', a.netns, '--netns', n1.netns]);
    expect(v6.status).toBe(3);
    expect(expectOneLineError(v6)).toMatch(/has no global IPv6 address/);
    expect(cli(['probe', b.ip, '--from', a.netns, '--proto', 'udp']).status).toBe(2);
    expect(cli(['probe', b.ip, '--from', a.netns, '--count', '500']).status).toBe(2);
    expect(expectOneLineError(cli(['probe', b.ip, '--from', a.netns, '--size', '20']))).toMatch(/--size must be 64-9000 bytes/);
    expect(expectOneLineError(cli(['probe', b.ip, '--from', a.netns, '--proto', 'udp', '--port', '53', '--size', '1400']))).toMatch(/--size goes with --proto icmp/);
    const nopod = cli(['probe', b.ip, '--from', 'no-such-pod', '--netns', n1.netns]);
    expect(nopod.status).toBe(3);
    expect(expectOneLineError(nopod)).toMatch(/no pod "no-such-pod"/);
    // HOME: oclif reads its data dir there; root's is not readable for nobody (a warning, not our error)
    const user = cli(['probe', b.ip, '--from', a.netns], { prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'], env: { ...process.env, HOME: '/nonexistent' } });
    expect(user.status).toBe(3);
    expect(expectOneLineError(user)).toMatch(/needs root/);
  });

  it('Ctrl-C while listening: every capture and the sender are stopped', async () => {
    lab.exec(n1.netns, ['bridge', 'fdb', 'del', n2.vtepMac, 'dev', 'flannel.1', 'dst', n2.ip, 'self']);
    try {
      const [node, entry] = cliEntry();
      const child = spawn(node, [entry, 'probe', b.ip, '--from', a.netns, '--netns', n1.netns, '--timeout', '20', '--json'], { stdio: 'ignore' });
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      // wait (bounded) until the sender runs in the pod: every capture is listening by then
      for (let i = 0; i < 100 && !leftovers(a.netns).includes('ping'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(leftovers(a.netns)).toContain('ping');
      expect(leftovers(n1.netns)).toContain('tcpdump');
      child.kill('SIGINT');
      expect(await exited).toEqual({ code: null, signal: 'SIGINT' });
    } finally {
      restore(n1);
    }
  });
});
