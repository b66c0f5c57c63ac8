// The probe's BPF filter and its decoder side, checked against libpcap itself: packets are built byte by
// byte (plain, inside VXLAN, inside IPIP), each with what it is by construction — a probe request, an answer,
// an ICMP error about the probe, or a decoy. tcpdump (`-r - --count FILTER`) must keep exactly the packets the
// filter is specified to keep, and the decoder must name exactly the probe's own packets.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { type Encap, probeFilter, type ProbeTag } from '../../src/analyze/probe-filter.js';
import { probeSightings } from '../../src/pcap/sightings.js';
import { describeNeeding } from '../netns/needs.js';
import { ethernet, icmpEcho, icmpUnreach, ipv4, pcapFile, tcp, udp, vxlan } from '../pcap/craft.js';

type Kind = 'request' | 'reply' | 'icmp-error' | undefined;

interface Case {
  ip: Buffer;
  /** the filter is specified to keep it: the probe's packets, and any ICMP error sent to the source pod */
  kept: boolean;
  /** what the decoder must call it: only the probe's own packets */
  kind: Kind;
}

const M1 = '02:00:00:00:00:01';
const M2 = '02:00:00:00:00:02';
const NODE_A = '192.168.56.11';
const NODE_B = '192.168.56.12';
const ROUTER = '10.244.1.1';

function frame(ip: Buffer, encap: Encap): Buffer {
  if (encap.kind === 'none') return ethernet(M2, M1, 0x0800, ip);
  if (encap.kind === 'ipip') return ethernet(M2, M1, 0x0800, ipv4(NODE_A, NODE_B, 4, ip));
  return ethernet(M2, M1, 0x0800, ipv4(NODE_A, NODE_B, 17, udp(NODE_A, NODE_B, 43981, encap.port, vxlan(1, ethernet('5e:00:00:00:00:02', '86:00:00:00:00:01', 0x0800, ip)))));
}

/** Every kind of packet a capture may hear, with what it is. `other` is an address that is neither end. */
function cases(tag: ProbeTag, s: string, d: string, other: string): Case[] {
  if (tag.proto === 'icmp') {
    const req = ipv4(s, d, 1, icmpEcho(8, tag.id, 1));
    return [
      { ip: req, kept: true, kind: 'request' },
      { ip: ipv4(d, s, 1, icmpEcho(0, tag.id, 1)), kept: true, kind: 'reply' },
      { ip: ipv4(s, d, 1, icmpEcho(8, tag.id ^ 0x5a5a, 1)), kept: false, kind: undefined },
      { ip: ipv4(s, other, 1, icmpEcho(8, tag.id, 1)), kept: false, kind: undefined },
      { ip: ipv4(d, s, 1, icmpEcho(8, tag.id, 2)), kept: true, kind: undefined }, // the destination pinging back with the same id
      { ip: ipv4(ROUTER, s, 1, icmpUnreach(0, req)), kept: true, kind: 'icmp-error' },
      { ip: ipv4(ROUTER, s, 1, icmpUnreach(4, req, 1400)), kept: true, kind: 'icmp-error' },
      { ip: ipv4(ROUTER, s, 1, icmpUnreach(1, ipv4(s, other, 1, icmpEcho(8, tag.id, 1)))), kept: true, kind: undefined },
      { ip: ipv4(s, d, 1, icmpEcho(8, tag.id, 3), { fragOffset: 1480 }), kept: false, kind: undefined },
    ];
  }
  const proto = tag.proto === 'udp' ? 17 : 6;
  const l4 = (from: string, to: string, sport: number, dport: number, flags: number): Buffer => (proto === 17 ? udp(from, to, sport, dport, Buffer.from('flanctl-probe')) : tcp(sport, dport, flags));
  const p = tag.id;
  const dp = tag.port!;
  const req = ipv4(s, d, proto, l4(s, d, p, dp, 0x02));
  return [
    { ip: req, kept: true, kind: 'request' },
    { ip: ipv4(d, s, proto, l4(d, s, dp, p, 0x12)), kept: true, kind: 'reply' },
    { ip: ipv4(d, s, proto, l4(d, s, dp, p, 0x14)), kept: true, kind: 'reply' },
    { ip: ipv4(s, d, proto, l4(s, d, p === 65535 ? 1 : p + 1, dp === 1 ? 2 : dp - 1, 0x02)), kept: false, kind: undefined },
    { ip: ipv4(s, other, proto, l4(s, other, p, dp, 0x02)), kept: false, kind: undefined },
    { ip: ipv4(s, d, proto === 17 ? 6 : 17, proto === 17 ? tcp(p, dp, 2) : udp(s, d, p, dp, Buffer.alloc(4))), kept: false, kind: undefined },
    { ip: ipv4(d, s, 1, icmpUnreach(3, req)), kept: true, kind: 'icmp-error' },
    { ip: ipv4(ROUTER, s, 1, icmpUnreach(0, req)), kept: true, kind: 'icmp-error' },
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
const ENCAPS: Encap[] = [{ kind: 'none' }, { kind: 'vxlan', port: 8472 }, { kind: 'vxlan', port: 4789 }, { kind: 'ipip' }];

describeNeeding(hasTcpdump, 'tcpdump')('probe filter and sightings against libpcap', () => {
  it('keeps exactly the specified packets, plain and inside VXLAN / IPIP, for each protocol', async () => {
    const tags: ProbeTag[] = [{ proto: 'icmp', id: 4660 }, { proto: 'udp', id: 24001, port: 53 }, { proto: 'tcp', id: 25002, port: 80 }];
    for (const tag of tags) {
      for (const encap of ENCAPS) {
        const cs = cases(tag, '10.244.1.2', '10.244.2.2', '10.244.3.9');
        const pcap = capture(encap, cs);
        const filter = probeFilter(tag, '10.244.1.2', '10.244.2.2', encap);
        expect(tcpdumpCount(pcap, filter), `${tag.proto} ${encap.kind}`).toBe(cs.filter((c) => c.kept).length);
        const seen = await probeSightings(pcap, { ...tag, src: '10.244.1.2', dst: '10.244.2.2' }, { vxlanPorts: encap.kind === 'vxlan' ? [encap.port] : [] });
        expect(seen.sightings.map((s) => s.kind), `${tag.proto} ${encap.kind}`).toEqual(cs.filter((c) => c.kind).map((c) => c.kind));
      }
    }
  });

  it('reads the outer header of a VXLAN probe: VNI, node IPs, inner MACs', async () => {
    const tag: ProbeTag = { proto: 'icmp', id: 7 };
    const pcap = capture({ kind: 'vxlan', port: 8472 }, cases(tag, '10.244.1.2', '10.244.2.2', '10.244.3.9').slice(0, 1));
    const [s] = (await probeSightings(pcap, { ...tag, src: '10.244.1.2', dst: '10.244.2.2' })).sightings;
    expect(s.outer).toEqual({ encap: 'vxlan', src: NODE_A, dst: NODE_B, vni: 1, innerSrcMac: '86:00:00:00:00:01', innerDstMac: '5e:00:00:00:00:02' });
  });

  it('property: any tag, any addresses, any encapsulation: libpcap and the decoder agree with the construction', async () => {
    const octet = fc.integer({ min: 1, max: 254 });
    const addr = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
    const arb = fc.record({
      proto: fc.constantFrom('icmp', 'udp', 'tcp') as fc.Arbitrary<ProbeTag['proto']>,
      id: fc.integer({ min: 1, max: 65535 }),
      port: fc.integer({ min: 1, max: 65535 }),
      ips: fc.uniqueArray(addr, { minLength: 3, maxLength: 3 }).filter((a) => !a.includes(ROUTER)),
      encap: fc.constantFrom(...ENCAPS),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ proto, id, port, ips: [s, d, other], encap }) => {
        // a decoy differs from the probe in its port; the probe's own two ports must differ for that to hold
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

  it('refuses values that are not numbers and addresses before they reach a command line', () => {
    expect(() => probeFilter({ proto: 'icmp', id: 0 }, '10.0.0.1', '10.0.0.2', { kind: 'none' })).toThrow(/out of range/);
    expect(() => probeFilter({ proto: 'udp', id: 20000 }, '10.0.0.1', '10.0.0.2', { kind: 'none' })).toThrow(/destination port/);
    expect(() => probeFilter({ proto: 'icmp', id: 1 }, '10.0.0.1 or 1=1', '10.0.0.2', { kind: 'none' })).toThrow(/not an IPv4/);
  });
});
