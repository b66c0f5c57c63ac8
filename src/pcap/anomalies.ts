// Anomalies worth a human's eye, aggregated by kind and subject (count, first and last packet). Checks run
// on every packet but build a string only when something is wrong.
import { ip4, type IpInfo, type Packet, TUNNEL_IPIP, TUNNEL_VXLAN, UDP_CSUM_BAD } from './packet.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Anomaly {
  kind: string;
  severity: Severity;
  summary: string;
  count: number;
  firstPacket: number;
  lastPacket: number;
}

export interface AnomalyOptions {
  /** underlay MTU the tunnel runs over (default 1500) */
  mtu: number;
  /** VNIs the cluster uses (flannel: 1 unless VNI is set in net-conf.json) */
  knownVnis: number[];
}

/** Bytes a tunnel adds in front of the inner IP packet: outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
const OVERHEAD = { [TUNNEL_VXLAN]: 50, [TUNNEL_IPIP]: 20 } as Record<number, number>;

const UNREACH: Record<number, string> = {
  0: 'net unreachable', 1: 'host unreachable', 2: 'protocol unreachable', 3: 'port unreachable', 4: 'fragmentation needed',
  9: 'net prohibited', 10: 'host prohibited', 13: 'administratively prohibited',
};

const MAX_ENTRIES = 10_000;

export class Anomalies {
  private readonly byKey = new Map<string, Anomaly>();

  add(kind: string, severity: Severity, summary: string, n: number): void {
    let key = `${kind}\u0000${summary}`;
    // a busy capture can reset thousands of connections: past the cap, one entry per kind keeps memory flat
    if (this.byKey.size >= MAX_ENTRIES && !this.byKey.has(key)) {
      key = `${kind}\u0000`;
      summary = `${kind}: more of these (only the first ${MAX_ENTRIES} distinct anomalies are listed one by one)`;
    }
    const a = this.byKey.get(key);
    if (a) {
      a.count++;
      a.lastPacket = n;
    } else this.byKey.set(key, { kind, severity, summary, count: 1, firstPacket: n, lastPacket: n });
  }

  list(): Anomaly[] {
    const rank = { error: 0, warning: 1, info: 2 };
    return [...this.byKey.values()].sort((a, b) => rank[a.severity] - rank[b.severity] || a.firstPacket - b.firstPacket);
  }
}

const where = (ip: IpInfo): string => (ip.version === 4 ? `${ip4(ip.src)} → ${ip4(ip.dst)}` : 'IPv6');
const hostPort = (ip: number, port: number): string => (port ? `${ip4(ip)}:${port}` : ip4(ip));

/** Per-packet checks; `emit` receives (kind, severity, summary) for each problem found. */
export function checkPacket(p: Packet, opts: AnomalyOptions, emit: (kind: string, severity: Severity, summary: string) => void): void {
  if (p.malformed) emit('malformed', 'warning', `malformed ${p.stoppedIn} header`);
  const outer = p.ips[0];
  for (let l = 0; l < p.depth; l++) {
    const ip = p.ips[l];
    // inner / outer only where there is a tunnel: a plain packet's one header is neither
    const layer = p.depth > 1 ? (l > 0 ? 'inner ' : 'outer ') : '';
    if (ip.version === 4 && !ip.checksumOk) emit('bad-ip-checksum', 'error', `${layer}IPv4 header checksum wrong: ${where(ip)}`);
    if (ip.fragment) emit('ip-fragment', 'info', `${l > 0 ? 'inner' : ''} IP fragments: ${where(ip)}`.trim());
    if (ip.l4 === 6 && ip.tcpFlags & 4) emit('tcp-reset', 'warning', `TCP reset ${hostPort(ip.src, ip.srcPort)} → ${hostPort(ip.dst, ip.dstPort)}`);
    if (ip.l4 === 1 && ip.icmpType === 3) {
      const what = UNREACH[ip.icmpCode] ?? `unreachable code ${ip.icmpCode}`;
      const quoted = ip.quotedProto ? ` for ${hostPort(ip.quotedDst, ip.quotedDstPort)}` : '';
      if (ip.icmpCode === 4) emit('icmp-frag-needed', 'error', `ICMP fragmentation needed (next-hop MTU ${ip.icmpMtu}) from ${ip4(ip.src)}${quoted}`);
      else emit('icmp-unreachable', 'warning', `ICMP ${what} from ${ip4(ip.src)}${quoted}`);
    }
    if (ip.l4 === 58 && (ip.icmpType === 1 || ip.icmpType === 2)) emit(ip.icmpType === 2 ? 'icmp-frag-needed' : 'icmp-unreachable', ip.icmpType === 2 ? 'error' : 'warning', ip.icmpType === 2 ? `ICMPv6 packet too big (MTU ${ip.icmpMtu})` : `ICMPv6 destination unreachable code ${ip.icmpCode}`);
  }
  if (p.tunnel === TUNNEL_VXLAN) {
    if (outer.udpChecksum === UDP_CSUM_BAD) emit('bad-outer-udp-checksum', 'error', `outer UDP checksum wrong on VXLAN ${where(outer)} (checksum offload bug: flannel #1279, kubernetes #88986)`);
    if (p.vxlanFlags !== 0x08) emit('vxlan-flags', 'warning', `VXLAN flags 0x${p.vxlanFlags.toString(16).padStart(2, '0')} (expected 0x08) on ${where(outer)}`);
    if (!opts.knownVnis.includes(p.vni)) emit('unknown-vni', 'warning', `VXLAN VNI ${p.vni} (expected ${opts.knownVnis.join(', ')}) on ${where(outer)}`);
  }
  if (p.tunnel !== 0 && p.depth === 2) {
    const inner = p.ips[1];
    // an IPv6 outer header is 20 bytes longer (the kernel's VXLAN6_HEADROOM is 70: flannel-v6.1 at most underlay − 70)
    const room = opts.mtu - OVERHEAD[p.tunnel] - (p.ips[0].version === 6 ? 20 : 0);
    if (inner.totalLen > room) emit('inner-exceeds-mtu', 'error', `inner packet ${inner.totalLen} bytes${inner.df ? ' with DF' : ''} > ${room} that fits the ${opts.mtu}-byte path: ${where(inner)}`);
  }
}
