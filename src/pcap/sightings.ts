// What one probe capture saw: every packet of the probe (its requests, the answers, ICMP errors about it),
// decoded with the project's own layers, outer header included when it was inside a tunnel, and the
// decoder's anomalies (bad checksums, frag-needed, inner packet over the path MTU) for those packets.
import { Readable } from 'node:stream';
import { Anomalies, type Anomaly, checkPacket } from './anomalies.js';
import { parseIPv6 } from '../model/ipv6.js';
import { ipText, macText } from './format.js';
import { decodeRecord, udpPortTable } from './layers/index.js';
import { type IpInfo, newPacket, type Packet, TUNNEL_IPIP, TUNNEL_VXLAN } from './packet.js';
import { readCapture } from './reader/index.js';

export interface ProbeMatch {
  proto: 'icmp' | 'udp' | 'tcp';
  /** ICMP echo id, or the sender's source port */
  id: number;
  /** the probing pod and the destination, both IPv4 or both IPv6 */
  src: string;
  dst: string;
}

export interface Sighting {
  /** capture timestamp, ms since the epoch (µs or ns precision kept as a fraction) */
  ms: number;
  /** request: src → dst; reply: dst → src (echo reply, UDP, TCP SYN-ACK or RST); icmp-error: about the probe, to src */
  kind: 'request' | 'reply' | 'icmp-error';
  /** ICMP echo sequence */
  seq?: number;
  /** TCP flags of a TCP probe packet (2 SYN, 18 SYN-ACK, 4/20 RST) */
  tcpFlags?: number;
  /** an ICMP error: who sent it, type and code, next-hop MTU for frag-needed */
  error?: { from: string; type: number; code: number; mtu?: number };
  /** Ethernet destination of a frame captured as is (the probe's own frame, not a tunnel's outer one) */
  ethDst?: string;
  /** the tunnel the packet was in, as captured on the underlay */
  outer?: { encap: 'vxlan' | 'ipip'; src: string; dst: string; vni?: number; innerSrcMac?: string; innerDstMac?: string };
}

export interface CaptureSightings {
  /** records in the capture (the BPF filter already kept only the probe's) */
  packets: number;
  sightings: Sighting[];
  /** the decoder's anomalies among the probe's packets */
  anomalies: Anomaly[];
}

export interface SightingOptions {
  vxlanPorts?: number[];
  /** underlay MTU for the inner-exceeds-mtu check (default 1500) */
  mtu?: number;
  knownVnis?: number[];
}

/** Decode a whole capture (classic pcap, as `tcpdump -w -` writes it) and keep the probe's packets. */
export async function probeSightings(pcap: Buffer, match: ProbeMatch, opts: SightingOptions = {}): Promise<CaptureSightings> {
  const p = newPacket(udpPortTable(opts.vxlanPorts));
  const anomalies = new Anomalies();
  const checkOpts = { mtu: opts.mtu ?? 1500, knownVnis: opts.knownVnis ?? [1] };
  const sightings: Sighting[] = [];
  let n = 0;
  if (pcap.length === 0) return { packets: 0, sightings, anomalies: [] };
  await readCapture(Readable.from([pcap]), (rec) => {
    n++;
    decodeRecord(p, rec);
    const s = classify(p, match);
    if (!s) return;
    sightings.push(s);
    checkPacket(p, checkOpts, (kind, severity, summary) => anomalies.add(kind, severity, summary, n));
  });
  return { packets: n, sightings, anomalies: anomalies.list() };
}

const num = (ip: string): number => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);

/** The probe's packet at the innermost IP level, or undefined for anything else the filter let through. */
export function classify(p: Packet, m: ProbeMatch): Sighting | undefined {
  if (p.depth === 0) return undefined;
  const ip = p.ips[p.depth - 1];
  const v6 = m.src.includes(':');
  if (ip.version !== (v6 ? 6 : 4)) return undefined;
  const kind = v6 ? probeKind6(p, ip, m) : probeKind(ip, m, num(m.src), num(m.dst));
  if (!kind) return undefined;
  const s: Sighting = { ms: p.tsSec * 1000 + p.tsNsec / 1e6, kind };
  if ((ip.l4 === 1 && (ip.icmpType === 0 || ip.icmpType === 8)) || (ip.l4 === 58 && (ip.icmpType === 128 || ip.icmpType === 129))) s.seq = ip.icmpSeq;
  if (ip.l4 === 6) s.tcpFlags = ip.tcpFlags;
  if (kind === 'icmp-error') s.error = { from: ipText(p, ip, 'src'), type: ip.icmpType, code: ip.icmpCode, ...(ip.icmpMtu ? { mtu: ip.icmpMtu } : {}) };
  if (p.depth === 2 && (p.tunnel === TUNNEL_VXLAN || p.tunnel === TUNNEL_IPIP)) s.outer = outerOf(p);
  else if (p.depth === 1 && p.ethOff >= 0 && p.ethOff + 6 <= p.end) s.ethDst = macText(p.buf, p.ethOff);
  return s;
}

function probeKind(ip: IpInfo, m: ProbeMatch, src: number, dst: number): Sighting['kind'] | undefined {
  const forward = ip.src === src && ip.dst === dst;
  const back = ip.src === dst && ip.dst === src;
  if (m.proto === 'icmp' && ip.l4 === 1 && (ip.icmpType === 8 || ip.icmpType === 0) && ip.icmpId === m.id) {
    if (forward && ip.icmpType === 8) return 'request';
    if (back && ip.icmpType === 0) return 'reply';
    return undefined;
  }
  const l4 = m.proto === 'udp' ? 17 : 6;
  if (m.proto !== 'icmp' && ip.l4 === l4) {
    if (forward && ip.srcPort === m.id) return 'request';
    if (back && ip.dstPort === m.id) return 'reply';
    return undefined;
  }
  // an error quotes the probe's own header: from src to dst (and, for UDP/TCP, from the probe's port)
  const quotedProto = m.proto === 'icmp' ? 1 : l4;
  if (ip.l4 === 1 && (ip.icmpType === 3 || ip.icmpType === 11) && ip.dst === src && ip.quotedSrc === src && ip.quotedDst === dst && ip.quotedProto === quotedProto) {
    if (m.proto !== 'icmp' && ip.quotedSrcPort !== m.id) return undefined;
    return 'icmp-error';
  }
  return undefined;
}

/** 16 bytes of an IPv6 address, for comparing with the buffer. */
function bytes6(ip: string): Buffer {
  const g = parseIPv6(ip) ?? [];
  return Buffer.from(g.flatMap((x) => [x >> 8, x & 0xff]));
}

const addrAt = (p: Packet, off: number, want: Buffer): boolean => off + 16 <= p.end && p.buf.compare(want, 0, 16, off, off + 16) === 0;

/**
 * The same for IPv6: ICMPv6 echo (128 request, 129 reply) or UDP/TCP by the tagged port; an ICMPv6 error (1
 * unreachable, 2 packet too big, 3 time exceeded) to src quoting the probe. The decoder keeps no quoted IPv6
 * header, so it is read here, after a header without extensions (the probe has none; the filter assumes the same).
 */
function probeKind6(p: Packet, ip: IpInfo, m: ProbeMatch): Sighting['kind'] | undefined {
  const src = bytes6(m.src);
  const dst = bytes6(m.dst);
  const forward = addrAt(p, ip.off + 8, src) && addrAt(p, ip.off + 24, dst);
  const back = addrAt(p, ip.off + 8, dst) && addrAt(p, ip.off + 24, src);
  if (m.proto === 'icmp' && ip.l4 === 58 && (ip.icmpType === 128 || ip.icmpType === 129) && ip.icmpId === m.id) {
    if (forward && ip.icmpType === 128) return 'request';
    if (back && ip.icmpType === 129) return 'reply';
    return undefined;
  }
  const l4 = m.proto === 'udp' ? 17 : 6;
  if (m.proto !== 'icmp' && ip.l4 === l4) {
    if (forward && ip.srcPort === m.id) return 'request';
    if (back && ip.dstPort === m.id) return 'reply';
    return undefined;
  }
  if (ip.l4 !== 58 || ![1, 2, 3].includes(ip.icmpType) || !addrAt(p, ip.off + 24, src) || p.buf[ip.off + 6] !== 58) return undefined;
  const q = ip.off + 48;
  if (q + 40 > p.end || !addrAt(p, q + 8, src) || !addrAt(p, q + 24, dst) || p.buf[q + 6] !== (m.proto === 'icmp' ? 58 : l4)) return undefined;
  if (m.proto !== 'icmp' && (q + 42 > p.end || p.buf.readUInt16BE(q + 40) !== m.id)) return undefined;
  return 'icmp-error';
}

function outerOf(p: Packet): Sighting['outer'] {
  const o = p.ips[0];
  const outer: NonNullable<Sighting['outer']> = { encap: p.tunnel === TUNNEL_VXLAN ? 'vxlan' : 'ipip', src: ipText(p, o, 'src'), dst: ipText(p, o, 'dst') };
  if (p.tunnel === TUNNEL_VXLAN) {
    outer.vni = p.vni;
    if (p.innerEthOff >= 0 && p.innerEthOff + 12 <= p.end) {
      outer.innerDstMac = macText(p.buf, p.innerEthOff);
      outer.innerSrcMac = macText(p.buf, p.innerEthOff + 6);
    }
  }
  return outer;
}
