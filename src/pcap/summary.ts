// Tunnels (VNI, node pair) and inner flows (5-tuple), counted in typed-array tables with no per-packet
// strings; turned into JSON rows once, at the end.
import { FlowTable } from './flows.js';
import { ipText } from './format.js';
import { ip4, type Packet, TUNNEL_IPIP, TUNNEL_VXLAN } from './packet.js';

export interface TunnelRow {
  vni?: number;
  src: string;
  dst: string;
  packets: number;
  bytes: number;
  firstSeen: string;
  lastSeen: string;
}

export interface FlowRow {
  proto: string;
  src: string;
  srcPort?: number;
  dst: string;
  dstPort?: number;
  tunnel?: 'vxlan' | 'ipip';
  vni?: number;
  packets: number;
  bytes: number;
  firstSeen: string;
  lastSeen: string;
}

const PROTO: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6', 4: 'ipip', 47: 'gre', 50: 'esp' };
const protoName = (n: number): string => PROTO[n] ?? String(n);

// Date's range ends at 8.64e15 ms; a pcapng with if_tsresol=0 (1 s units) can carry a 64-bit second count
const MAX_DATE_SEC = 8.64e12;

function isoTime(sec: number, ns: number, digits: 6 | 9): string {
  if (!Number.isFinite(sec) || sec < 0 || sec > MAX_DATE_SEC) return `invalid-time(${sec} s)`;
  const day = new Date(sec * 1000).toISOString().slice(0, 19);
  return `${day}.${digits === 9 ? String(ns).padStart(9, '0') : String(Math.floor(ns / 1000)).padStart(6, '0')}Z`;
}

export class Counters {
  readonly tunnels = new FlowTable();
  readonly flows = new FlowTable();
  /** IPv6 flows are rare here: a plain map keyed by text */
  private readonly flows6 = new Map<string, FlowRow & { sec: number; ns: number }>();
  /** tunnels over an IPv6 underlay (flannel-v6.<VNI>): the same, keyed by text */
  private readonly tunnels6 = new Map<string, TunnelRow & { kind: number; sec: number; ns: number; lastSec: number; lastNs: number }>();

  add(p: Packet): void {
    if (p.depth === 0) return;
    const sec = p.tsSec;
    const ns = p.tsNsec;
    const outer = p.ips[0];
    if (p.tunnel !== 0 && outer.version === 4) this.tunnels.add(outer.src, outer.dst, p.tunnel === TUNNEL_VXLAN ? p.vni : 0, p.tunnel, 0, p.origLen, sec, ns);
    else if (p.tunnel !== 0 && outer.version === 6) this.addTunnel6(p, sec, ns);
    const ip = p.ips[p.depth - 1];
    const ports = ip.l4 === 6 || ip.l4 === 17 ? ((ip.srcPort << 16) | ip.dstPort) >>> 0 : 0;
    const tag = ip.proto | (p.tunnel << 8);
    if (ip.version === 4) {
      this.flows.add(ip.src, ip.dst, ports, tag, p.tunnel === TUNNEL_VXLAN ? p.vni : 0, ip.totalLen, sec, ns);
      return;
    }
    const src = ipText(p, ip, 'src');
    const dst = ipText(p, ip, 'dst');
    const key = `${src}|${dst}|${ports}|${tag}|${p.vni}`;
    let f = this.flows6.get(key);
    if (!f) {
      f = { ...flowHead(src, dst, ports, tag, p.vni), packets: 0, bytes: 0, firstSeen: '', lastSeen: '', sec, ns };
      this.flows6.set(key, f);
    }
    f.packets++;
    f.bytes += ip.totalLen;
    f.lastSeen = `${sec}.${ns}`;
  }

  private addTunnel6(p: Packet, sec: number, ns: number): void {
    const outer = p.ips[0];
    const src = ipText(p, outer, 'src');
    const dst = ipText(p, outer, 'dst');
    const vni = p.tunnel === TUNNEL_VXLAN ? p.vni : 0;
    const key = `${src}|${dst}|${vni}|${p.tunnel}`;
    let t = this.tunnels6.get(key);
    if (!t) {
      t = { src, dst, packets: 0, bytes: 0, firstSeen: '', lastSeen: '', kind: p.tunnel, sec, ns, lastSec: sec, lastNs: ns };
      if (p.tunnel === TUNNEL_VXLAN) t.vni = vni;
      this.tunnels6.set(key, t);
    }
    t.packets++;
    t.bytes += p.origLen;
    t.lastSec = sec;
    t.lastNs = ns;
  }

  tunnelRows(digits: 6 | 9): { vxlan: TunnelRow[]; ipip: TunnelRow[] } {
    const t = this.tunnels;
    const vxlan: TunnelRow[] = [];
    const ipip: TunnelRow[] = [];
    for (const [i, src, dst, vni, kind] of t.entries()) {
      const row: TunnelRow = { src: ip4(src), dst: ip4(dst), packets: t.packets[i], bytes: t.bytes[i], firstSeen: isoTime(t.firstSec[i], t.firstNs[i], digits), lastSeen: isoTime(t.lastSec[i], t.lastNs[i], digits) };
      if (kind === TUNNEL_VXLAN) vxlan.push({ vni, ...row });
      else if (kind === TUNNEL_IPIP) ipip.push(row);
    }
    for (const { kind, sec, ns, lastSec, lastNs, vni, ...rest } of this.tunnels6.values()) {
      const row: TunnelRow = { ...rest, firstSeen: isoTime(sec, ns, digits), lastSeen: isoTime(lastSec, lastNs, digits) };
      if (kind === TUNNEL_VXLAN) vxlan.push({ vni, ...row });
      else if (kind === TUNNEL_IPIP) ipip.push(row);
    }
    return { vxlan, ipip };
  }

  flowRows(digits: 6 | 9): FlowRow[] {
    const t = this.flows;
    const rows: FlowRow[] = [];
    for (const [i, src, dst, ports, tag, vni] of t.entries()) {
      rows.push({ ...flowHead(ip4(src), ip4(dst), ports, tag, vni), packets: t.packets[i], bytes: t.bytes[i], firstSeen: isoTime(t.firstSec[i], t.firstNs[i], digits), lastSeen: isoTime(t.lastSec[i], t.lastNs[i], digits) });
    }
    for (const { sec, ns, lastSeen, ...f } of this.flows6.values()) {
      const [ls, lns] = lastSeen.split('.').map(Number);
      rows.push({ ...f, firstSeen: isoTime(sec, ns, digits), lastSeen: isoTime(ls, lns, digits) });
    }
    return rows;
  }
}

function flowHead(src: string, dst: string, ports: number, tag: number, vni: number): Omit<FlowRow, 'packets' | 'bytes' | 'firstSeen' | 'lastSeen'> {
  const proto = tag & 0xff;
  const tunnel = tag >> 8;
  const head: Omit<FlowRow, 'packets' | 'bytes' | 'firstSeen' | 'lastSeen'> = { proto: protoName(proto), src, dst };
  if (proto === 6 || proto === 17) {
    head.srcPort = ports >>> 16;
    head.dstPort = ports & 0xffff;
  }
  if (tunnel === TUNNEL_VXLAN) Object.assign(head, { tunnel: 'vxlan', vni });
  if (tunnel === TUNNEL_IPIP) head.tunnel = 'ipip';
  return head;
}
