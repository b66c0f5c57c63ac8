// TCP: ports and flags (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32). The checksum is not verified: captures
// taken on the sending host carry offloaded (unfilled) TCP checksums.
import { type Packet, truncated } from '../packet.js';
import { u16 } from './bytes.js';

export function tcp(p: Packet, off: number, end: number): void {
  if (off + 14 > end) return truncated(p, 'tcp');
  const ip = p.ips[p.depth - 1];
  ip.l4 = 6;
  ip.srcPort = u16(p.buf, off, end);
  ip.dstPort = u16(p.buf, off + 2, end);
  ip.tcpFlags = p.buf[off + 13];
}
