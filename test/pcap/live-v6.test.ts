// VXLAN over an IPv6 underlay carrying IPv6 pods (flannel-v6.1 on the dual-stack lab), captured now inside a
// node namespace, decoded by flanctl and compared field by field with tshark's decode of the same file. The
// addresses, VNI and ICMPv6 sequence must also be the ones the lab built and the ping sent.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeCapture } from '../../src/pcap/index.js';
import { buildDualStackCluster, type DualCluster } from '../netns/flannel-cluster-v6.js';
import { canUseNetns, Lab } from '../netns/lab.js';
import { describeNeeding } from '../netns/needs.js';

const has = (cmd: string, arg: string): boolean => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
const ready = canUseNetns() && has('tcpdump', '--version') && has('tshark', '--version');

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** tshark's fields (8472 decoded as VXLAN only when told), one frame a line, occurrences (outer then inner) split on ','. */
function tsharkFields(file: string, fields: string[]): string[][][] {
  const out = execFileSync('tshark', ['-r', file, '-n', '-d', 'udp.port==8472,vxlan', '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out.trimEnd().split('\n').map((line) => line.split('\t').map((v) => (v === '' ? [] : v.split(','))));
}

describeNeeding(ready, 'root, network namespaces, tcpdump and tshark')('decode VXLAN over an IPv6 underlay (flannel-v6.1)', () => {
  const lab = new Lab('pc6');
  const dir = mkdtempSync(join(tmpdir(), 'flanctl-live6-'));
  let cluster: DualCluster;
  beforeAll(() => {
    cluster = buildDualStackCluster(lab, { nodes: 2, podsPerNode: 1 });
  });
  afterAll(() => {
    lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('node1 eth0: outer IPv6 node to node, VNI 1, inner ICMPv6 echo pod to pod, as tshark reads it', async () => {
    const [n1, n2] = cluster.nodes;
    const [a] = n1.pods;
    const [b] = n2.pods;
    // neighbours warm (the first tries can time out while NDP resolves), and late replies to them past
    expect([0, 1, 2].some(() => lab.ping(a.netns, b.ip6))).toBe(true);
    await new Promise((r) => setTimeout(r, 2000));
    const file = join(dir, 'node1-v6.pcap');
    const dump = spawn('ip', ['netns', 'exec', n1.netns, 'tcpdump', '-U', '-n', '-i', 'eth0', '-c', '6', '-w', file, 'ip6 and udp port 8472'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1000));
    lab.tryExec(a.netns, ['ping', '-6', '-c', '3', '-i', '0.2', '-W', '1', b.ip6]);
    const exited = await Promise.race([new Promise((r) => dump.once('exit', () => r(true))), new Promise((r) => setTimeout(() => r(false), 5000))]);
    if (!exited) dump.kill('SIGINT');

    const got = await decodeCapture({ file, mode: 'summary', records: true });
    const records = got.records as Rec[];
    // what the lab built and the ping sent
    expect(records.length).toBe(6);
    const tunnels = got.tunnels.vxlan.map((t) => `${t.src}>${t.dst} vni ${t.vni}: ${t.packets}`).sort();
    expect(tunnels).toEqual([`${n1.ip6}>${n2.ip6} vni 1: 3`, `${n2.ip6}>${n1.ip6} vni 1: 3`].sort());
    expect(records.map((r) => `${r.inner.src}>${r.inner.dst} ${r.inner.icmp.type}/${r.inner.icmp.seq}`)).toEqual([
      `${a.ip6}>${b.ip6} 128/1`, `${b.ip6}>${a.ip6} 129/1`, `${a.ip6}>${b.ip6} 128/2`,
      `${b.ip6}>${a.ip6} 129/2`, `${a.ip6}>${b.ip6} 128/3`, `${b.ip6}>${a.ip6} 129/3`,
    ]);
    expect(got.anomalies.filter((x) => x.severity !== 'info')).toEqual([]);

    // the same file as tshark decodes it
    const fields = ['ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'ipv6.plen', 'udp.srcport', 'udp.dstport', 'vxlan.vni', 'icmpv6.type', 'icmpv6.echo.sequence_number', 'udp.checksum.status'];
    const ts = tsharkFields(file, fields);
    expect(ts.length).toBe(records.length);
    ts.forEach(([src, dst, hlim, plen, sport, dport, vni, type, seq, csum], i) => {
      const r = records[i];
      const at = `frame ${i + 1}`;
      expect([r.outer.version, r.inner.version], at).toEqual([6, 6]);
      expect([r.outer.src, r.inner.src], at).toEqual(src);
      expect([r.outer.dst, r.inner.dst], at).toEqual(dst);
      expect([r.outer.ttl, r.inner.ttl].map(String), at).toEqual(hlim);
      expect([r.outer.length - 40, r.inner.length - 40].map(String), at).toEqual(plen);
      expect([String(r.outer.srcPort)], at).toEqual(sport);
      expect([String(r.outer.dstPort)], at).toEqual(dport);
      expect(r.tunnel, at).toMatchObject({ type: 'vxlan', vni: Number(vni[0]) });
      expect(String(r.inner.icmp.type), at).toBe(type[0]);
      expect(String(r.inner.icmp.seq), at).toBe(seq[0]);
      // over IPv6 the outer UDP checksum is mandatory (RFC 8200 §8.1): tshark checks it when told; it says
      // bad (0) for one the NIC was to fill in, which ours tells apart as offloaded
      expect(csum.length, at).toBe(1);
      expect(csum[0] === '1' ? ['ok'] : ['bad', 'offloaded'], at).toContain(r.outer.udpChecksum);
    });
  });
});
