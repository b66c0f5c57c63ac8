// What one probe capture saw: every packet of the probe (its requests, the answers, ICMP errors about it),
// decoded with the project's own layers, outer header included when it was inside a tunnel, and the
// decoder's anomalies (bad checksums, frag-needed, inner packet over the path MTU) for those packets.
import { Readable } from 'node:stream';
import { Anomalies, type Anomaly, checkPacket } from './anomalies.js';
import { macText } from './format.js';
import { decodeRecord, udpPortTable } from './layers/index.js';
import { ip4, type IpInfo, newPacket, type Packet, TUNNEL_IPIP, TUNNEL_VXLAN } from './packet.js';
import { readCapture } from './reader/index.js';

export interface ProbeMatch {
  proto: 'icmp' | 'udp' | 'tcp';
  /** ICMP echo id, or the sender's source port */
  id: number;
  /** the probing pod and the destination, dotted quads */
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
  if (ip.version !== 4) return undefined;
  const src = num(m.src);
  const dst = num(m.dst);
  const kind = probeKind(ip, m, src, dst);
  if (!kind) return undefined;
  const s: Sighting = { ms: p.tsSec * 1000 + p.tsNsec / 1e6, kind };
  if (ip.l4 === 1 && (ip.icmpType === 0 || ip.icmpType === 8)) s.seq = ip.icmpSeq;
  if (ip.l4 === 6) s.tcpFlags = ip.tcpFlags;
  if (kind === 'icmp-error') s.error = { from: ip4(ip.src), type: ip.icmpType, code: ip.icmpCode, ...(ip.icmpMtu ? { mtu: ip.icmpMtu } : {}) };
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

function outerOf(p: Packet): Sighting['outer'] {
  const o = p.ips[0];
  const outer: NonNullable<Sighting['outer']> = { encap: p.tunnel === TUNNEL_VXLAN ? 'vxlan' : 'ipip', src: ip4(o.src), dst: ip4(o.dst) };
  if (p.tunnel === TUNNEL_VXLAN) {
    outer.vni = p.vni;
    if (p.innerEthOff >= 0 && p.innerEthOff + 12 <= p.end) {
      outer.innerDstMac = macText(p.buf, p.innerEthOff);
      outer.innerSrcMac = macText(p.buf, p.innerEthOff + 6);
    }
  }
  return outer;
}
