// Text lines (tcpdump-like, tunnel-aware: outer | inner on one line) and JSON records, built from a
// decoded Packet. Only the per-packet outputs call these; --summary never does.
import type { DnsInfo } from './dns.js';
import { ip4, type IpInfo, type Packet, TUNNEL_IPIP, TUNNEL_VXLAN, UDP_CSUM_BAD, UDP_CSUM_OK, UDP_CSUM_PARTIAL } from './packet.js';

export function ipText(p: Packet, ip: IpInfo, which: 'src' | 'dst'): string {
  if (ip.version === 4) return ip4(which === 'src' ? ip.src : ip.dst);
  const o = ip.off + (which === 'src' ? 8 : 24);
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(p.buf.readUInt16BE(o + i).toString(16));
  // compress the longest run of zero words, as inet_ntop does
  const s = words.join(':');
  const runs = s.match(/(^|:)0(:0)+(:|$)/g);
  if (!runs) return s;
  const longest = runs.reduce((a, b) => (b.length > a.length ? b : a));
  return s.replace(longest, '::');
}

export function macText(b: Buffer, off: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + b[off + i].toString(16).padStart(2, '0');
  return s;
}

const ICMP_UNREACH: Record<number, string> = { 0: 'net', 1: 'host', 2: 'protocol', 3: 'port', 9: 'net prohibited', 10: 'host prohibited', 13: 'admin prohibited' };

export function tcpFlagsText(f: number): string {
  let s = '';
  if (f & 2) s += 'S';
  if (f & 1) s += 'F';
  if (f & 4) s += 'R';
  if (f & 8) s += 'P';
  if (f & 32) s += 'U';
  if (f & 16) s += '.';
  return s || 'none';
}

function icmpText(ip: IpInfo): string {
  const t = ip.icmpType;
  if (ip.l4 === 58) {
    if (t === 128 || t === 129) return `ICMP6 echo ${t === 128 ? 'request' : 'reply'} id ${ip.icmpId} seq ${ip.icmpSeq}`;
    if (t === 2) return `ICMP6 packet too big mtu ${ip.icmpMtu}`;
    return `ICMP6 type ${t} code ${ip.icmpCode}`;
  }
  if (t === 8 || t === 0) return `ICMP echo ${t === 8 ? 'request' : 'reply'} id ${ip.icmpId} seq ${ip.icmpSeq}`;
  const quoted = ip.quotedProto ? ` ${ip4(ip.quotedDst)}${ip.quotedDstPort ? ` ${ip.quotedProto === 6 ? 'tcp' : 'udp'} port ${ip.quotedDstPort}` : ''}` : '';
  if (t === 3 && ip.icmpCode === 4) return `ICMP fragmentation needed mtu ${ip.icmpMtu}${quoted}`;
  if (t === 3) return `ICMP ${ICMP_UNREACH[ip.icmpCode] ?? `code ${ip.icmpCode}`} unreachable${quoted}`;
  if (t === 11) return `ICMP time exceeded${quoted}`;
  return `ICMP type ${t} code ${ip.icmpCode}`;
}

function dnsText(d: DnsInfo, latencyMs?: number): string {
  if (d.malformed && !d.name) return `DNS ${d.response ? 'response' : 'query'} 0x${d.id.toString(16).padStart(4, '0')} [malformed]`;
  const head = `DNS ${d.response ? 'response' : 'query'} 0x${d.id.toString(16).padStart(4, '0')}${d.response ? ` ${d.rcode}` : ''} ${d.type} ${d.name}`;
  const answers = d.response && d.answers.length ? `: ${d.answers.join(', ')}` : '';
  return head + answers + (latencyMs === undefined ? '' : ` (${latencyMs} ms)`);
}

/** One IP level: "src → dst PROTO …", ports joined tcpdump-style (10.244.1.2.53). */
function levelText(p: Packet, ip: IpInfo, dns: string | undefined): string {
  const src = ipText(p, ip, 'src');
  const dst = ipText(p, ip, 'dst');
  const frag = ip.fragment ? ` frag offset ${ip.fragOffset}` : '';
  switch (ip.l4) {
    case 6:
      return `${src}.${ip.srcPort} → ${dst}.${ip.dstPort} TCP [${tcpFlagsText(ip.tcpFlags)}]${frag}`;
    case 17:
      return `${src}.${ip.srcPort} → ${dst}.${ip.dstPort} ${dns ?? 'UDP'}${frag}`;
    case 1:
    case 58:
      return `${src} → ${dst} ${icmpText(ip)}${frag}`;
    default:
      return `${src} → ${dst} proto ${ip.proto}${frag}`;
  }
}

let lastSec = -1;
let lastClock = '';

/** HH:MM:SS.ffffff (UTC), the clock part reused while the second stays the same. */
function timeText(sec: number, ns: number, digits: 6 | 9): string {
  if (sec !== lastSec) {
    const d = sec % 86400;
    const two = (n: number): string => (n < 10 ? '0' : '') + n;
    lastClock = `${two(Math.floor(d / 3600))}:${two(Math.floor((d % 3600) / 60))}:${two(d % 60)}.`;
    lastSec = sec;
  }
  const frac = digits === 9 ? ns : Math.floor(ns / 1000);
  const s = String(frac);
  return lastClock + (s.length < digits ? '000000000'.slice(0, digits - s.length) + s : s);
}

function arpText(p: Packet): string {
  if (p.arpOp === 1) return `ARP who-has ${ip4(p.arpTpa)} tell ${ip4(p.arpSpa)}`;
  if (p.arpOp === 2) return `ARP reply ${ip4(p.arpSpa)} is-at ${macText(p.buf, p.arpOff + 8)}`;
  return `ARP op ${p.arpOp}`;
}

export function packetLine(p: Packet, digits: 6 | 9, dns: DnsInfo | undefined, latencyMs: number | undefined, anomalies: string[]): string {
  let s = timeText(p.tsSec, p.tsNsec, digits) + ' ';
  const dnsAt = dns ? dnsText(dns, latencyMs) : undefined;
  if (p.depth === 0) s += p.arpOp ? arpText(p) : p.stoppedIn ? `${p.stoppedIn}` : `link type ${p.linkType}, length ${p.origLen}`;
  else if (p.tunnel === TUNNEL_VXLAN || p.tunnel === TUNNEL_IPIP) {
    const o = p.ips[0];
    s += `${ipText(p, o, 'src')} → ${ipText(p, o, 'dst')} ${p.tunnel === TUNNEL_VXLAN ? `VXLAN vni ${p.vni}` : 'IPIP'} | `;
    if (p.depth > 1) s += levelText(p, p.ips[1], p.dnsLevel === 1 ? dnsAt : undefined);
    else s += p.arpOp ? arpText(p) : 'non-IP inner frame';
  } else s += levelText(p, p.ips[0], dnsAt);
  s += `, length ${p.origLen}`;
  if (p.truncated) s += ' [truncated]';
  for (const a of anomalies) s += ` !${a}`;
  return s;
}

function ipRecord(p: Packet, ip: IpInfo): Record<string, unknown> {
  const r: Record<string, unknown> = { version: ip.version, src: ipText(p, ip, 'src'), dst: ipText(p, ip, 'dst'), proto: ip.proto, ttl: ip.ttl, length: ip.totalLen };
  if (ip.version === 4) r.checksumOk = ip.checksumOk;
  if (ip.df) r.df = true;
  if (ip.fragment) r.fragment = { offset: ip.fragOffset };
  if (ip.l4 === 6 || ip.l4 === 17) {
    r.srcPort = ip.srcPort;
    r.dstPort = ip.dstPort;
  }
  if (ip.l4 === 6) r.tcpFlags = tcpFlagsText(ip.tcpFlags);
  if (ip.l4 === 17 && ip.udpChecksum) r.udpChecksum = ip.udpChecksum === UDP_CSUM_OK ? 'ok' : ip.udpChecksum === UDP_CSUM_BAD ? 'bad' : ip.udpChecksum === UDP_CSUM_PARTIAL ? 'offloaded' : 'none';
  if (ip.l4 === 1 || ip.l4 === 58) {
    const icmp: Record<string, unknown> = { type: ip.icmpType, code: ip.icmpCode };
    if (ip.icmpType === 0 || ip.icmpType === 8 || ip.icmpType === 128 || ip.icmpType === 129) Object.assign(icmp, { id: ip.icmpId, seq: ip.icmpSeq });
    if (ip.icmpMtu) icmp.mtu = ip.icmpMtu;
    if (ip.quotedProto) Object.assign(icmp, { quoted: { src: ip4(ip.quotedSrc), dst: ip4(ip.quotedDst), proto: ip.quotedProto, srcPort: ip.quotedSrcPort, dstPort: ip.quotedDstPort } });
    r.icmp = icmp;
  }
  return r;
}

function timestamp(sec: number, ns: number, digits: 6 | 9): string {
  return `${sec}.${digits === 9 ? String(ns).padStart(9, '0') : String(Math.floor(ns / 1000)).padStart(6, '0')}`;
}

export function packetRecord(p: Packet, n: number, digits: 6 | 9, dns: DnsInfo | undefined, latencyMs: number | undefined, anomalies: string[]): Record<string, unknown> {
  const r: Record<string, unknown> = { n, ts: timestamp(p.tsSec, p.tsNsec, digits), length: p.origLen, capLength: p.end - p.start };
  if (p.truncated) r.truncated = true;
  if (p.malformed) r.malformed = p.stoppedIn;
  if (p.ifindex >= 0) r.ifindex = p.ifindex;
  if (p.vlan >= 0) r.vlan = p.vlan;
  if (p.depth > 0) r.outer = ipRecord(p, p.ips[0]);
  if (p.tunnel === TUNNEL_VXLAN) r.tunnel = { type: 'vxlan', vni: p.vni, flags: p.vxlanFlags };
  if (p.tunnel === TUNNEL_IPIP) r.tunnel = { type: 'ipip' };
  if (p.depth > 1) r.inner = ipRecord(p, p.ips[1]);
  if (p.arpOp) r.arp = { op: p.arpOp === 1 ? 'request' : p.arpOp === 2 ? 'reply' : p.arpOp, senderIp: ip4(p.arpSpa), targetIp: ip4(p.arpTpa), senderMac: macText(p.buf, p.arpOff + 8) };
  if (dns) r.dns = latencyMs === undefined ? dns : { ...dns, latencyMs };
  if (anomalies.length) r.anomalies = anomalies;
  return r;
}
