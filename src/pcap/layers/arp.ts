// ARP for IPv4 over Ethernet: op 1 request (who-has tpa tell spa), op 2 reply (spa is-at sha).
import { type Packet, truncated } from '../packet.js';
import { u16, u32 } from './bytes.js';

export function arp(p: Packet, off: number, end: number): void {
  if (off + 28 > end) return truncated(p, 'arp');
  const b = p.buf;
  // only Ethernet/IPv4 ARP carries the 6+4 address layout read below
  if (u16(b, off + 2, end) !== 0x0800 || b[off + 4] !== 6 || b[off + 5] !== 4) return;
  p.arpOp = u16(b, off + 6, end);
  p.arpSpa = u32(b, off + 14, end);
  p.arpTpa = u32(b, off + 24, end);
  p.arpOff = off;
}
