// ARP for IPv4 over Ethernet: op 1 request (who-has tpa tell spa), op 2 reply (spa is-at sha).
import { type Packet, truncated } from '../packet.js';

export function arp(p: Packet, off: number, end: number): void {
  if (off + 28 > end) return truncated(p, 'arp');
  const b = p.buf;
  // only Ethernet/IPv4 ARP carries the 6+4 address layout read below
  if (b.readUInt16BE(off + 2) !== 0x0800 || b[off + 4] !== 6 || b[off + 5] !== 4) return;
  p.arpOp = b.readUInt16BE(off + 6);
  p.arpSpa = b.readUInt32BE(off + 14);
  p.arpTpa = b.readUInt32BE(off + 24);
  p.arpOff = off;
}
