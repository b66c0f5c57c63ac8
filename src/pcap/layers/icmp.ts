// ICMP (v4): type/code; echo id/seq; for errors (3 unreachable, 11 time exceeded) the quoted IPv4 header
// and ports — "port unreachable for 10.244.2.2:53" — and for fragmentation-needed (3/4) the next-hop MTU.
import { type Packet, truncated } from '../packet.js';
import { u16, u32 } from './bytes.js';

export function icmp(p: Packet, off: number, end: number): void {
  if (off + 4 > end) return truncated(p, 'icmp');
  const b = p.buf;
  const ip = p.ips[p.depth - 1];
  ip.l4 = 1;
  ip.icmpType = b[off];
  ip.icmpCode = b[off + 1];
  if (off + 8 > end) return truncated(p, 'icmp');
  if (ip.icmpType === 0 || ip.icmpType === 8) {
    ip.icmpId = u16(b, off + 4, end);
    ip.icmpSeq = u16(b, off + 6, end);
  } else if (ip.icmpType === 3 || ip.icmpType === 11) {
    if (ip.icmpType === 3 && ip.icmpCode === 4) ip.icmpMtu = u16(b, off + 6, end);
    quoted(p, off + 8, end);
  }
}

function quoted(p: Packet, off: number, end: number): void {
  const b = p.buf;
  const ip = p.ips[p.depth - 1];
  if (off + 20 > end || b[off] >> 4 !== 4) return;
  ip.quotedProto = b[off + 9];
  ip.quotedSrc = u32(b, off + 12, end);
  ip.quotedDst = u32(b, off + 16, end);
  const l4 = off + (b[off] & 0x0f) * 4;
  if ((ip.quotedProto === 6 || ip.quotedProto === 17) && l4 + 4 <= end) {
    ip.quotedSrcPort = u16(b, l4, end);
    ip.quotedDstPort = u16(b, l4 + 2, end);
  }
}
