// The IPv6 probe's BPF filter and its decoder side, checked against libpcap itself, as filter.test.ts does for
// IPv4: IPv6 packets are built byte by byte (plain, and inside VXLAN over an IPv6 underlay as flannel-v6.1 sends
// them), each with what it is by construction. tcpdump (`-r - --count FILTER`) must keep exactly the packets the
// filter is specified to keep, and the decoder must name exactly the probe's own packets.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { type Encap, probeFilter, type ProbeTag } from '../../src/analyze/probe-filter.js';
import { parseIPv6 } from '../../src/model/ipv6.js';
import { probeSightings } from '../../src/pcap/sightings.js';
import { describeNeeding } from '../netns/needs.js';
import { ethernet, pcapFile, tcp, udp, vxlan } from '../pcap/craft.js';

type Kind = 'request' | 'reply' | 'icmp-error' | undefined;

interface Case {
  ip: Buffer;
  kept: boolean;
  kind: Kind;
}

const M1 = '02:00:00:00:00:01';
const M2 = '02:00:00:00:00:02';
const NODE_A = 'fd00:56::11';
const NODE_B = 'fd00:56::12';
const ROUTER = 'fd00:10:244:1::1';

/** An IPv6 header (RFC 8200 §3: version 6, payload length, next header, hop limit 64) and its payload. */
function ipv6(src: string, dst: string, next: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload.length, 4);
  h[6] = next;
  h[7] = 64;
  parseIPv6(src)!.forEach((g, i) => h.writeUInt16BE(g, 8 + 2 * i));
  parseIPv6(dst)!.forEach((g, i) => h.writeUInt16BE(g, 24 + 2 * i));
  return Buffer.concat([h, payload]);
}

/** ICMPv6 echo (RFC 4443 §4: 128 request, 129 reply; id, seq, data). */
function echo6(type: 128 | 129, id: number, seq: number): Buffer {
  const b = Buffer.alloc(8 + 56);
  b[0] = type;
  b.writeUInt16BE(id, 4);
  b.writeUInt16BE(seq, 6);
  return b;
}

/** An ICMPv6 error (RFC 4443 §3: 1 unreachable, 2 packet too big with its MTU, 3 time exceeded) quoting a packet. */
function error6(type: 1 | 2 | 3, code: number, quoted: Buffer, mtu = 0): Buffer {
  const b = Buffer.alloc(8);
  b[0] = type;
  b[1] = code;
  b.writeUInt32BE(mtu, 4);
  return Buffer.concat([b, quoted]);
}

function frame(ip: Buffer, encap: Encap): Buffer {
  if (encap.kind === 'none') return ethernet(M2, M1, 0x86dd, ip);
  if (encap.kind !== 'vxlan') throw new Error('no IPv6 IPIP');
  return ethernet(M2, M1, 0x86dd, ipv6(NODE_A, NODE_B, 17, udp('0.0.0.0', '0.0.0.0', 43981, encap.port, vxlan(1, ethernet('5e:00:00:00:00:02', '86:00:00:00:00:01', 0x86dd, ip)))));
}

function cases(tag: ProbeTag, s: string, d: string, other: string): Case[] {
  if (tag.proto === 'icmp') {
    const req = ipv6(s, d, 58, echo6(128, tag.id, 1));
    return [
      { ip: req, kept: true, kind: 'request' },
      { ip: ipv6(d, s, 58, echo6(129, tag.id, 1)), kept: true, kind: 'reply' },
      { ip: ipv6(s, d, 58, echo6(128, tag.id ^ 0x5a5a, 1)), kept: false, kind: undefined },
      { ip: ipv6(s, other, 58, echo6(128, tag.id, 1)), kept: false, kind: undefined },
      { ip: ipv6(d, s, 58, echo6(128, tag.id, 2)), kept: true, kind: undefined }, // the destination pinging back with the same id
      { ip: ipv6(ROUTER, s, 58, error6(1, 0, req)), kept: true, kind: 'icmp-error' },
      { ip: ipv6(ROUTER, s, 58, error6(2, 0, req, 1280)), kept: true, kind: 'icmp-error' },
      { ip: ipv6(ROUTER, s, 58, error6(3, 0, req)), kept: true, kind: 'icmp-error' },
      { ip: ipv6(ROUTER, s, 58, error6(1, 3, ipv6(s, other, 58, echo6(128, tag.id, 1)))), kept: true, kind: undefined },
      { ip: ipv6(ROUTER, other, 58, error6(1, 3, req)), kept: false, kind: undefined },
      // the IPv4 probe's ICMP (1) is not ICMPv6 (58)
      { ip: ipv6(s, d, 1, echo6(128, tag.id, 1)), kept: false, kind: undefined },
    ];
  }
  const proto = tag.proto === 'udp' ? 17 : 6;
  const l4 = (sport: number, dport: number, flags: number): Buffer => (proto === 17 ? udp('0.0.0.0', '0.0.0.0', sport, dport, Buffer.from('flanctl-probe')) : tcp(sport, dport, flags));
  const p = tag.id;
  const dp = tag.port!;
  const req = ipv6(s, d, proto, l4(p, dp, 0x02));
  return [
    { ip: req, kept: true, kind: 'request' },
    { ip: ipv6(d, s, proto, l4(dp, p, 0x12)), kept: true, kind: 'reply' },
    { ip: ipv6(d, s, proto, l4(dp, p, 0x14)), kept: true, kind: 'reply' },
    { ip: ipv6(s, d, proto, l4(p === 65535 ? 1 : p + 1, dp === 1 ? 2 : dp - 1, 0x02)), kept: false, kind: undefined },
    { ip: ipv6(s, other, proto, l4(p, dp, 0x02)), kept: false, kind: undefined },
    { ip: ipv6(s, d, proto === 17 ? 6 : 17, proto === 17 ? tcp(p, dp, 2) : udp('0.0.0.0', '0.0.0.0', p, dp, Buffer.alloc(4))), kept: false, kind: undefined },
    { ip: ipv6(d, s, 58, error6(1, 4, req)), kept: true, kind: 'icmp-error' },
    { ip: ipv6(ROUTER, s, 58, error6(1, 0, req)), kept: true, kind: 'icmp-error' },
  ];
}

function capture(encap: Encap, cs: Case[]): Buffer {
  return pcapFile(1, cs.map((c, i) => ({ data: frame(c.ip, encap), sec: 1_700_000_000, usec: i })));
}

/** libpcap's answer: how many packets of the capture the filter keeps. */
function tcpdumpCount(pcap: Buffer, filter: string): number {
  const r = spawnSync('tcpdump', ['-r', '-', '--count', filter], { input: pcap, encoding: 'utf8' });
  const m = /^(\d+) packets?/m.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`tcpdump failed: ${r.stderr}`);
  return Number(m[1]);
}

const hasTcpdump = spawnSync('tcpdump', ['--version']).status === 0;
const ENCAPS: Encap[] = [{ kind: 'none' }, { kind: 'vxlan', port: 8472 }, { kind: 'vxlan', port: 4789 }];
const S = 'fd00:10:244:1::2';
const D = 'fd00:10:244:2::2';

describeNeeding(hasTcpdump, 'tcpdump')('IPv6 probe filter and sightings against libpcap', () => {
  it('keeps exactly the specified packets, plain and inside VXLAN over IPv6, for each protocol', async () => {
    const tags: ProbeTag[] = [{ proto: 'icmp', id: 4660 }, { proto: 'udp', id: 24001, port: 53 }, { proto: 'tcp', id: 25002, port: 80 }];
    for (const tag of tags) {
      for (const encap of ENCAPS) {
        const cs = cases(tag, S, D, 'fd00:10:244:3::9');
        const pcap = capture(encap, cs);
        expect(tcpdumpCount(pcap, probeFilter(tag, S, D, encap)), `${tag.proto} ${encap.kind}`).toBe(cs.filter((c) => c.kept).length);
        const seen = await probeSightings(pcap, { ...tag, src: S, dst: D }, { vxlanPorts: encap.kind === 'vxlan' ? [encap.port] : [] });
        expect(seen.sightings.map((s) => s.kind), `${tag.proto} ${encap.kind}`).toEqual(cs.filter((c) => c.kind).map((c) => c.kind));
      }
    }
  });

  it('reads the outer IPv6 header of a VXLAN probe and the packet-too-big MTU', async () => {
    const tag: ProbeTag = { proto: 'icmp', id: 7 };
    const all = cases(tag, S, D, 'fd00:10:244:3::9');
    const pcap = capture({ kind: 'vxlan', port: 8472 }, [all[0], all[6]]);
    const [req, tooBig] = (await probeSightings(pcap, { ...tag, src: S, dst: D })).sightings;
    expect(req.outer).toEqual({ encap: 'vxlan', src: NODE_A, dst: NODE_B, vni: 1, innerSrcMac: '86:00:00:00:00:01', innerDstMac: '5e:00:00:00:00:02' });
    expect(req.seq).toBe(1);
    expect(tooBig.error).toEqual({ from: ROUTER, type: 2, code: 0, mtu: 1280 });
  });

  it('an inner packet over what fits a 1500-byte IPv6 underlay (1500 − 70, VXLAN6_HEADROOM in the kernel) is flagged', async () => {
    const tag: ProbeTag = { proto: 'icmp', id: 9 };
    const sized = (total: number): Buffer => {
      const e = echo6(128, tag.id, 1);
      return ipv6(S, D, 58, Buffer.concat([e, Buffer.alloc(total - 40 - e.length)]));
    };
    const pcap = capture({ kind: 'vxlan', port: 8472 }, [{ ip: sized(1430), kept: true, kind: 'request' }, { ip: sized(1431), kept: true, kind: 'request' }]);
    const seen = await probeSightings(pcap, { ...tag, src: S, dst: D }, { vxlanPorts: [8472], mtu: 1500 });
    expect(seen.sightings).toHaveLength(2);
    // only the second record: 1431 bytes
    expect(seen.anomalies.filter((x) => x.kind === 'inner-exceeds-mtu').map((x) => [x.count, x.firstPacket])).toEqual([[1, 2]]);
  });

  it('property: any tag, any addresses, any encapsulation: libpcap and the decoder agree with the construction', async () => {
    const group = fc.integer({ min: 1, max: 0xffff }).map((g) => g.toString(16));
    const addr = fc.tuple(group, group, group).map(([a, b, c]) => `fd00:${a}::${b}:${c}`);
    const arb = fc.record({
      proto: fc.constantFrom('icmp', 'udp', 'tcp') as fc.Arbitrary<ProbeTag['proto']>,
      id: fc.integer({ min: 1, max: 65535 }),
      port: fc.integer({ min: 1, max: 65535 }),
      ips: fc.uniqueArray(addr, { minLength: 3, maxLength: 3 }).filter((a) => !a.includes(ROUTER)),
      encap: fc.constantFrom(...ENCAPS),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ proto, id, port, ips: [s, d, other], encap }) => {
        fc.pre(proto === 'icmp' || (port !== id && port !== id + 1 && port - 1 !== id));
        const tag: ProbeTag = proto === 'icmp' ? { proto, id } : { proto, id, port };
        const cs = cases(tag, s, d, other);
        const pcap = capture(encap, cs);
        expect(tcpdumpCount(pcap, probeFilter(tag, s, d, encap))).toBe(cs.filter((c) => c.kept).length);
        const seen = await probeSightings(pcap, { ...tag, src: s, dst: d }, { vxlanPorts: encap.kind === 'vxlan' ? [encap.port] : [] });
        expect(seen.sightings.map((x) => x.kind)).toEqual(cs.filter((c) => c.kind).map((c) => c.kind));
      }),
      { numRuns: 40 },
    );
  });

  it('refuses values that are not addresses before they reach a command line, and IPv6 inside IPIP', () => {
    expect(() => probeFilter({ proto: 'icmp', id: 1 }, 'fd00::1 or 1=1', 'fd00::2', { kind: 'none' })).toThrow(/not an IPv6/);
    expect(() => probeFilter({ proto: 'icmp', id: 1 }, 'fd00::1', 'fd00::2', { kind: 'ipip' })).toThrow(/IPIP/);
  });
});
