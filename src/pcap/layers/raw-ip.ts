// Raw IP (DLT_RAW 101, and 12/14 on some systems; 228/229): the version nibble picks IPv4 or IPv6.
// Also what a capture on flannel.ipip (a tunnel device, no Ethernet) holds.
import { malformed, type Packet, truncated } from '../packet.js';
import { nextByEthertype } from './registry.js';

export function rawIp(p: Packet, off: number, end: number): void {
  if (off >= end) return truncated(p, 'raw-ip');
  const version = p.buf[off] >> 4;
  if (version === 4) nextByEthertype(p, 0x0800, off, end);
  else if (version === 6) nextByEthertype(p, 0x86dd, off, end);
  else malformed(p, 'raw-ip');
}
