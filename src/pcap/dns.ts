// DNS messages located by layers/dns.ts, decoded with dns-packet only when asked. dns-packet on truncated
// input throws Error or RangeError, or returns "10.96.0.undefined" inside an A record: wrap and validate.
// A static import (a few ms, only for decode) so that the single binary's bundler can carry dns-packet.
import dnsPacket from 'dns-packet';
import type { Packet } from './packet.js';

export interface DnsInfo {
  id: number;
  response: boolean;
  /** NOERROR, NXDOMAIN, SERVFAIL, … (responses only) */
  rcode?: string;
  name: string;
  type: string;
  answers: string[];
  /** dns-packet could not decode it (cut by snaplen, or not DNS) */
  malformed?: boolean;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function answerText(a: dnsPacket.Answer): string | undefined {
  const data = (a as { data?: unknown }).data;
  if (a.type === 'A') return typeof data === 'string' && IPV4.test(data) ? data : undefined;
  if (typeof data === 'string') return data;
  return undefined;
}

export function decodeDns(p: Packet): DnsInfo | undefined {
  if (p.dnsLevel < 0) return undefined;
  const b = p.buf;
  const len = p.dnsEnd - p.dnsOff;
  if (len < 12) return { id: len >= 2 ? b.readUInt16BE(p.dnsOff) : 0, response: false, name: '', type: '', answers: [], malformed: true };
  const id = b.readUInt16BE(p.dnsOff);
  const response = (b[p.dnsOff + 2] & 0x80) !== 0;
  try {
    const m = dnsPacket.decode(b.subarray(p.dnsOff, p.dnsEnd));
    const q = m.questions?.[0];
    const answers: string[] = [];
    let bad = false;
    for (const a of m.answers ?? []) {
      const t = answerText(a);
      if (t === undefined) bad = true;
      else answers.push(a.type === 'A' || a.type === 'AAAA' ? t : `${a.type} ${t}`);
    }
    const info: DnsInfo = { id, response, name: q?.name ?? '', type: q?.type ?? '', answers };
    if (response) info.rcode = (m as { rcode?: string }).rcode ?? 'NOERROR';
    if (bad) info.malformed = true;
    return info;
  } catch {
    return { id, response, name: '', type: '', answers: [], malformed: true };
  }
}
