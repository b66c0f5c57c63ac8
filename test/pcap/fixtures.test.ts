// Every capture under fixtures/pcap/ decoded by flanctl and compared field by field with tshark's decode of
// the same file (<capture>.tshark.json, made by scripts/pcap-expect.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTRA_VXLAN_PORTS } from '../../scripts/pcap-expect.js';
import { tcpFlagsText } from '../../src/pcap/format.js';
import { decodeCapture } from '../../src/pcap/index.js';

const dir = resolve(import.meta.dirname, '../../fixtures/pcap');
const captures = readdirSync(dir).filter((f) => f.endsWith('.tshark.json')).map((f) => join(dir, f.replace(/\.tshark\.json$/, '')));

type Frame = Record<string, string[]>;
type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const RCODE: Record<string, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 5: 'REFUSED' };

/** "sec.frac" → [sec, ns] */
function ts(s: string): [number, number] {
  const [sec, frac = ''] = s.split('.');
  return [Number(sec), Number(frac.padEnd(9, '0').slice(0, 9))];
}

/** Our IPv4 levels as tshark lists them: outer, inner, then the packet quoted in an ICMP error. */
function ipList(r: Rec, field: 'src' | 'dst'): string[] {
  const out: string[] = [];
  for (const ip of [r.outer, r.inner]) {
    if (ip?.version !== 4) continue;
    out.push(ip[field]);
    if (ip.icmp?.quoted) out.push(ip.icmp.quoted[field]);
  }
  return out;
}

function udpPorts(r: Rec, field: 'srcPort' | 'dstPort'): number[] {
  const out: number[] = [];
  for (const ip of [r.outer, r.inner]) {
    if (ip?.proto === 17 && ip[field] !== undefined) out.push(ip[field]);
    if (ip?.icmp?.quoted?.proto === 17) out.push(ip.icmp.quoted[field]);
  }
  return out;
}

function compare(f: Frame, r: Rec): void {
  const get = (k: string): string[] => f[k] ?? [];
  expect(r.n).toBe(Number(get('frame.number')[0]));
  expect(ts(r.ts)).toEqual(ts(get('frame.time_epoch')[0]));
  expect(r.length).toBe(Number(get('frame.len')[0]));
  expect(r.capLength).toBe(Number(get('frame.cap_len')[0]));
  const src = get('ip.src');
  const ours = ipList(r, 'src');
  if (r.truncated) {
    // tshark shows fields of a header cut short; we decode only whole headers: ours is a prefix
    expect(src.slice(0, ours.length)).toEqual(ours);
    expect(src.length - ours.length).toBeLessThanOrEqual(1);
  } else {
    expect(ours).toEqual(src);
    expect(ipList(r, 'dst')).toEqual(get('ip.dst'));
  }
  const levels = [r.outer, r.inner].filter((ip) => ip?.version === 4);
  get('ip.checksum.status')
    .slice(0, levels.length)
    .forEach((status, i) => expect(levels[i].checksumOk, `ip checksum level ${i}`).toBe(status === '1'));
  get('ip.flags.df').slice(0, levels.length).forEach((df, i) => expect(Boolean(levels[i].df)).toBe(df === '1'));
  if (get('ipv6.src').length && !r.truncated) expect(r.outer?.version === 6 ? r.outer.src : r.inner?.src).toBe(get('ipv6.src')[0]);
  // tshark leaves a fragment's transport header to reassembly; we read the first fragment's ports
  const fragment = [r.outer, r.inner].some((ip) => ip?.fragment);
  if (!r.truncated && !fragment) {
    expect(udpPorts(r, 'srcPort')).toEqual(get('udp.srcport').map(Number));
    expect(udpPorts(r, 'dstPort')).toEqual(get('udp.dstport').map(Number));
  }
  // tshark says "bad" for offloaded checksums; we tell the two apart
  const udpLevels = [r.outer, r.inner].filter((ip) => ip?.proto === 17 && ip.udpChecksum);
  get('udp.checksum.status').slice(0, udpLevels.length).forEach((st, i) => {
    const want = st === '1' ? ['ok'] : st === '0' ? ['bad', 'offloaded'] : ['none', undefined];
    expect(want, `udp checksum level ${i}`).toContain(udpLevels[i].udpChecksum);
  });
  const tcpIp = [r.outer, r.inner].find((ip) => ip?.tcpFlags);
  if (get('tcp.flags').length) expect(tcpIp?.tcpFlags).toBe(tcpFlagsText(parseInt(get('tcp.flags')[0], 16)));
  const icmp = [r.outer, r.inner].find((ip) => ip?.icmp)?.icmp;
  if (get('icmp.type').length) {
    expect(icmp?.type).toBe(Number(get('icmp.type')[0]));
    expect(icmp?.code).toBe(Number(get('icmp.code')[0]));
    if (get('icmp.seq').length) expect(icmp?.seq).toBe(Number(get('icmp.seq')[0]));
    if (get('icmp.mtu').length) expect(icmp?.mtu).toBe(Number(get('icmp.mtu')[0]));
  }
  if (get('icmpv6.type').length) expect((r.outer?.icmp ?? r.inner?.icmp)?.type).toBe(Number(get('icmpv6.type')[0]));
  if (get('vxlan.vni').length) {
    expect(r.tunnel).toMatchObject({ type: 'vxlan', vni: Number(get('vxlan.vni')[0]) });
    expect(r.tunnel.flags << 8).toBe(parseInt(get('vxlan.flags')[0], 16));
  } else expect(r.tunnel?.type).not.toBe('vxlan');
  if (get('ip.proto').includes('4') && !r.truncated) expect(r.tunnel).toEqual({ type: 'ipip' });
  if (get('vlan.id').length) expect(r.vlan).toBe(Number(get('vlan.id')[0]));
  if (get('sll.ifindex').length) expect(r.ifindex).toBe(Number(get('sll.ifindex')[0]));
  if (get('arp.opcode').length) {
    expect(r.arp.op).toBe(get('arp.opcode')[0] === '1' ? 'request' : 'reply');
    expect(r.arp.senderIp).toBe(get('arp.src.proto_ipv4')[0]);
    expect(r.arp.targetIp).toBe(get('arp.dst.proto_ipv4')[0]);
  }
  // DNS quoted inside an ICMP error is tshark's extra; ours decodes only the carried message
  if (get('dns.id').length && !icmp?.quoted) {
    if (r.dns?.malformed && r.truncated) return;
    expect(r.dns.id).toBe(parseInt(get('dns.id')[0], 16));
    expect(r.dns.response).toBe(get('dns.flags.response')[0] === '1');
    expect(r.dns.name).toBe(get('dns.qry.name')[0]);
    if (get('dns.flags.rcode').length) expect(r.dns.rcode).toBe(RCODE[get('dns.flags.rcode')[0]]);
    expect(r.dns.answers).toEqual(get('dns.a'));
  }
  const tsharkTruncated = Number(get('frame.cap_len')[0]) < Number(get('frame.len')[0]);
  if (tsharkTruncated) expect(r.truncated).toBe(true);
}

describe.each(captures)('%s decodes as tshark does', (capture) => {
  const name = basename(capture);
  it('field by field', async () => {
    const want = JSON.parse(readFileSync(`${capture}.tshark.json`, 'utf8')) as { exit: number; frames: Frame[] };
    const got = await decodeCapture({ file: capture, mode: 'summary', records: true, vxlanPorts: EXTRA_VXLAN_PORTS[name] });
    const records = got.records as Rec[];
    if (want.exit === 2) {
      // a file cut mid-record: tshark drops the partial record, we decode it flagged
      expect(records.length).toBe(want.frames.length + 1);
      expect(records.at(-1)?.truncated).toBe(true);
      expect(got.anomalies.map((a) => a.kind)).toContain('file-cut');
    } else expect(records.length).toBe(want.frames.length);
    want.frames.forEach((f, i) => {
      try {
        compare(f, records[i]);
      } catch (e) {
        throw new Error(`${name} frame ${i + 1}: ${(e as Error).message}\n ours: ${JSON.stringify(records[i])}\n tshark: ${JSON.stringify(f)}`, { cause: e });
      }
    });
  });
});

// pcap-parser (`--reader pcap-parser`) must agree with the default reader on every classic µs capture.
const MICROSECOND_MAGIC = new Set([0xa1b2c3d4, 0xd4c3b2a1]);
const classicUs = captures.filter((c) => {
  const head = readFileSync(c).subarray(0, 4);
  return head.length === 4 && MICROSECOND_MAGIC.has(head.readUInt32BE(0));
});

describe('the pcap-parser reader', () => {
  it('covers some captures', () => expect(classicUs.length).toBeGreaterThan(3));
  it.each(classicUs)('%s: same records as the built-in reader', async (capture) => {
    const opts = { file: capture, mode: 'summary' as const, records: true, vxlanPorts: EXTRA_VXLAN_PORTS[basename(capture)] };
    const builtin = await decodeCapture(opts);
    const viaLibrary = await decodeCapture({ ...opts, pcapParser: true });
    expect(viaLibrary.records).toEqual(builtin.records);
    expect(viaLibrary.anomalies).toEqual(builtin.anomalies);
  });
});
