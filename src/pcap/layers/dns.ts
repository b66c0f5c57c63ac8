// DNS over UDP 53: only located here (offsets and the IP level); decoded with dns-packet later, and only
// when the output or the summary needs it (src/pcap/dns.ts).
import type { Packet } from '../packet.js';

export function dns(p: Packet, off: number, end: number): void {
  p.dnsOff = off;
  p.dnsEnd = end;
  p.dnsLevel = p.depth - 1;
}
