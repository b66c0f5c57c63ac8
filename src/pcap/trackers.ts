// State across packets: DNS queries waiting for their response, ARP requests waiting for a reply.
// Both stay bounded: DNS queries expire after a timeout (capture time), ARP is keyed by target address.
import type { DnsInfo } from './dns.js';
import { ipText } from './format.js';
import { ip4, type Packet } from './packet.js';

const DNS_TIMEOUT_S = 5;

export interface DnsQuestion {
  name: string;
  type: string;
  queries: number;
  responses: number;
  rcodes: string[];
  answers: string[];
  timeouts: number;
  latencyMs?: { min: number; avg: number; max: number };
}

interface Pending {
  sec: number;
  ns: number;
  server: string;
  name: string;
  type: string;
  packet: number;
}

type Report = (kind: string, severity: 'error' | 'warning' | 'info', summary: string, packet: number) => void;

export class DnsTracker {
  private readonly pending = new Map<string, Pending>();
  private readonly questions = new Map<string, DnsQuestion & { latSum: number; latN: number; latMin: number; latMax: number }>();
  private sinceSweep = 0;

  constructor(private readonly report: Report) {}

  /** Returns the response latency in ms when `d` answers a query seen earlier. */
  add(p: Packet, d: DnsInfo, n: number): number | undefined {
    const ip = p.ips[p.dnsLevel];
    const [client, cport, server, sport] = d.response ? [ip.dst, ip.dstPort, ip.src, ip.srcPort] : [ip.src, ip.srcPort, ip.dst, ip.dstPort];
    // IPv6 addresses live in the buffer: key by their text (rare enough not to matter for speed)
    const key = ip.version === 6 ? `${ipText(p, ip, d.response ? 'dst' : 'src')}:${cport}>${ipText(p, ip, d.response ? 'src' : 'dst')}:${sport}#${d.id}` : `${client}:${cport}>${server}:${sport}#${d.id}`;
    if (++this.sinceSweep >= 1024) this.sweep(p.tsSec);
    if (!d.response) {
      if (d.malformed) return undefined;
      this.pending.set(key, { sec: p.tsSec, ns: p.tsNsec, server: ipText(p, ip, 'dst'), name: d.name, type: d.type, packet: n });
      this.question(d.name, d.type).queries++;
      return undefined;
    }
    const q = this.pending.get(key);
    const name = d.name || q?.name || '';
    const type = d.type || q?.type || '';
    const entry = this.question(name, type);
    entry.responses++;
    if (d.rcode && !entry.rcodes.includes(d.rcode)) entry.rcodes.push(d.rcode);
    for (const a of d.answers) if (entry.answers.length < 8 && !entry.answers.includes(a)) entry.answers.push(a);
    const serverText = ipText(p, ip, 'src');
    if (d.rcode && d.rcode !== 'NOERROR') this.report('dns-error', 'warning', `DNS ${d.rcode} for ${name} ${type} from ${serverText}`, n);
    if (!q) return undefined;
    this.pending.delete(key);
    const ms = (p.tsSec - q.sec) * 1000 + (p.tsNsec - q.ns) / 1e6;
    entry.latSum += ms;
    entry.latN++;
    entry.latMin = Math.min(entry.latMin, ms);
    entry.latMax = Math.max(entry.latMax, ms);
    return Math.round(ms * 1000) / 1000;
  }

  /** Queries still waiting at the end of the capture count as timeouts too. */
  finish(): DnsQuestion[] {
    this.sweep(Infinity);
    return [...this.questions.values()].map(({ latSum, latN, latMin, latMax, ...q }) =>
      latN ? { ...q, latencyMs: { min: round(latMin), avg: round(latSum / latN), max: round(latMax) } } : q,
    );
  }

  private sweep(now: number): void {
    this.sinceSweep = 0;
    for (const [key, q] of this.pending) {
      if (now - q.sec < DNS_TIMEOUT_S) continue;
      this.pending.delete(key);
      this.question(q.name, q.type).timeouts++;
      this.report('dns-timeout', 'warning', `DNS query ${q.name} ${q.type} to ${q.server} got no response`, q.packet);
    }
  }

  private question(name: string, type: string) {
    const key = `${name}|${type}`;
    let q = this.questions.get(key);
    if (!q) {
      q = { name, type, queries: 0, responses: 0, rcodes: [], answers: [], timeouts: 0, latSum: 0, latN: 0, latMin: Infinity, latMax: 0 };
      this.questions.set(key, q);
    }
    return q;
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

export class ArpTracker {
  /** target address → [requests, first packet, asker] */
  private readonly waiting = new Map<number, [number, number, number]>();

  add(p: Packet, n: number): void {
    if (p.arpOp === 1) {
      if (p.arpSpa === p.arpTpa) return; // gratuitous ARP expects no answer
      const w = this.waiting.get(p.arpTpa);
      if (w) w[0]++;
      else this.waiting.set(p.arpTpa, [1, n, p.arpSpa]);
    } else if (p.arpOp === 2) this.waiting.delete(p.arpSpa);
  }

  finish(report: Report): void {
    for (const [target, [count, first, asker]] of this.waiting) {
      report('arp-no-reply', 'warning', `ARP who-has ${ip4(target)} tell ${ip4(asker)}: ${count} request${count > 1 ? 's' : ''}, no reply`, first);
    }
  }
}
