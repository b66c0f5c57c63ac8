// `flanctl probe <IPv6 pod IP>` (the built CLI) on the dual-stack namespace cluster (flannel.1 and flannel-v6.1 as
// flanneld programs them): the kernel forwards the ICMPv6 probe; expectations come from how the lab was built
// (devices, node IPv6 addresses, VtepMACs of flannel-v6.1) and from the fault injected. After every probe no
// capture or sender may be left in the lab's namespaces.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { runCli as cli, type CliResult } from '../collect/cli.js';
import { buildDualStackCluster, type DualCluster, type DualNode, dualNodeObject, programPeers6 } from '../netns/flannel-cluster-v6.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { leftovers as leftoversOf } from '../netns/pids.js';

/** Captures, pings and senders (the CLI started again: `node`) of ours still running inside a namespace. */
const leftovers = (ns: string): string[] => leftoversOf(ns, ['tcpdump', 'timeout', 'ping', 'node']);

interface Hop {
  node: string;
  device: string;
  seen: boolean | null;
  direction?: string;
  outer?: Record<string, unknown>;
}

describeNetns('probe <IPv6 pod IP> on the dual-stack namespace cluster', () => {
  const lab = new Lab('pr6');
  let cluster: DualCluster;
  let n1: DualNode;
  let n2: DualNode;
  let dir: string;
  let nodesFile: string;

  const a = (): DualNode['pods'][number] => n1.pods[0];
  const b = (): DualNode['pods'][number] => n2.pods[0];
  const probe = (extra: string[] = []): CliResult => cli(['probe', b().ip6, '--from', a().netns, '--netns', n1.netns, '--nodes', nodesFile, '--json', ...extra]);
  const seen = (r: CliResult): Record<string, boolean | null> => Object.fromEntries(r.json.hops.map((h: Hop) => [h.device, h.seen]));

  beforeAll(() => {
    cluster = buildDualStackCluster(lab, { nodes: 2, podsPerNode: 1 });
    [n1, n2] = cluster.nodes;
    dir = mkdtempSync(join(tmpdir(), 'flanctl-probe6-'));
    nodesFile = join(dir, 'nodes.json');
    writeFileSync(nodesFile, JSON.stringify({ kind: 'List', items: cluster.nodes.map(dualNodeObject) }));
  });
  afterEach(() => {
    for (const ns of [n1, n2, ...n1.pods, ...n2.pods].map((x) => x.netns)) expect(leftovers(ns), ns).toEqual([]);
  });
  afterAll(() => {
    lab.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('healthy: ICMPv6 echo seen on the pod veth, cni0, flannel-v6.1 and eth0, answered, exit 0', () => {
    const r = probe();
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.json).toMatchObject({ destination: b().ip6, source: { ip: a().ip6 }, ok: true, delivered: true, replied: true, sent: 3, received: 3, lostAfter: null });
    expect(r.json.hops.map((h: Hop) => h.device)).toEqual([a().hostVeth, 'cni0', 'flannel-v6.1', 'eth0']);
    for (const h of r.json.hops as Hop[]) expect(h, h.device).toMatchObject({ node: n1.netns, seen: true, direction: 'both' });
    // the outer header on the underlay: node1's public-ipv6 to node2's, VNI 1, inner frame between the flannel-v6.1 VtepMACs
    const underlay = r.json.hops.find((h: Hop) => h.device === 'eth0');
    expect(underlay.outer).toEqual({ encap: 'vxlan', vni: 1, src: n1.ip6, dst: n2.ip6, innerSrcMac: n1.vtepMac6, innerDstMac: n2.vtepMac6 });
  });

  it('the same pod named by its IPv6 address, and a non-canonical destination spelling', () => {
    const spelled = b().ip6.replace('fd00', 'FD00').replace('::', ':0:0:0:'); // 8 groups, upper case
    const r = cli(['probe', spelled, '--from', a().ip6, '--netns', n1.netns, '--nodes', nodesFile, '--json', '--count', '1']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.json).toMatchObject({ destination: b().ip6, ok: true, received: 1 });
    // the human view names the protocol and draws the v6 path through flannel-v6.1
    const h = cli(['probe', b().ip6, '--from', a().netns, '--netns', n1.netns, '--nodes', nodesFile, '--count', '1']);
    expect(h.status, h.stderr).toBe(0);
    expect(h.stdout).toContain('probe: ICMPv6 echo id ');
    expect(h.stdout).toContain(`path: pod ${a().ip6} → ${a().hostVeth} ✓ → cni0 ✓ → flannel-v6.1 ✓ → eth0 ✓ → ${b().ip6}`);
  });

  it('UDP over IPv6 to a port nobody listens on: ICMPv6 port unreachable (type 1 code 4, RFC 4443); TCP: a reset', () => {
    const u = probe(['--proto', 'udp', '--port', '5353']);
    expect(u.status, u.stdout + u.stderr).toBe(0);
    expect(u.json).toMatchObject({ proto: 'udp', ok: true, sent: 3, received: 3 });
    expect(u.json.hops[3].errors).toEqual([{ from: b().ip6, type: 1, code: 4 }]);
    const t = probe(['--proto', 'tcp', '--port', '80', '--count', '2']);
    expect(t.status, t.stdout + t.stderr).toBe(0);
    expect(t.json).toMatchObject({ proto: 'tcp', ok: true, sent: 2, received: 2 });
    expect(Object.values(seen(t))).toEqual([true, true, true, true]);
  });

  it('MTU: a v6 route mtu 1300 toward node2 and a 1400-byte probe — node1 answers ICMPv6 packet too big; lost after cni0, PROBE_MTU_EXCEEDED', () => {
    lab.ip(n1.netns, ['-6', 'route', 'replace', n2.subnet6, 'via', n2.subnet6.split('/')[0], 'dev', 'flannel-v6.1', 'onlink', 'mtu', '1300']);
    const out = join(dir, 'pcap-mtu');
    try {
      const r = probe(['--size', '1400', '--write-pcap', out]);
      expect(r.status, r.stdout + r.stderr).toBe(1);
      expect(seen(r)).toEqual({ [a().hostVeth]: true, cni0: true, 'flannel-v6.1': false, eth0: false });
      expect(r.json).toMatchObject({ ok: false, code: 'PROBE_MTU_EXCEEDED', lostAfter: { device: 'cni0', direction: 'request' } });
      // tshark's reading of the cni0 capture: the packet too big, with the route's MTU
      const cni0 = join(out, readdirSync(out).find((f) => f.endsWith('-cni0.pcap'))!);
      const t = spawnSync('tshark', ['-r', cni0, '-Y', 'icmpv6.type == 2', '-T', 'fields', '-E', 'occurrence=f', '-e', 'ipv6.src', '-e', 'icmpv6.mtu'], { encoding: 'utf8' });
      const [from, mtu] = t.stdout.trim().split('\n')[0].split('\t');
      expect(mtu).toBe('1300');
      const hop = r.json.hops.find((h: Hop) => h.device === 'cni0');
      expect(hop.errors).toEqual([{ from, type: 2, code: 0, mtu: 1300 }]);
    } finally {
      programPeers6(lab, n1, cluster.nodes);
      // the pod and the node remember the path MTU they learnt: forget it for the next test
      for (const ns of [a().netns, n1.netns]) lab.ip(ns, ['-6', 'route', 'flush', 'cache']);
    }
  });

  it('v6 fdb entry deleted: lost after flannel-v6.1 (not on eth0); FDB_MISSING as trace gives', () => {
    lab.exec(n1.netns, ['bridge', 'fdb', 'del', n2.vtepMac6, 'dev', 'flannel-v6.1', 'dst', n2.ip6, 'self']);
    try {
      const r = probe();
      expect(r.status, r.stdout + r.stderr).toBe(1);
      expect(seen(r)).toEqual({ [a().hostVeth]: true, cni0: true, 'flannel-v6.1': true, eth0: false });
      expect(r.json).toMatchObject({ ok: false, delivered: false, code: 'FDB_MISSING', lostAfter: { device: 'flannel-v6.1', direction: 'request' } });
      const t = cli(['trace', b().ip6, '--netns', n1.netns, '--nodes', nodesFile, '--json']);
      expect(JSON.stringify(t.json.hops)).toContain('FDB_MISSING');
    } finally {
      programPeers6(lab, n1, cluster.nodes);
    }
  });
});
