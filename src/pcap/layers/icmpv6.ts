// ICMPv6: type/code; echo (128/129) id/seq; packet-too-big (2) MTU.
import { type Packet, truncated } from '../packet.js';
import { u16, u32 } from './bytes.js';

export function icmpv6(p: Packet, off: number, end: number): void {
  if (off + 8 > end) return truncated(p, 'icmpv6');
  const b = p.buf;
  const ip = p.ips[p.depth - 1];
  ip.l4 = 58;
  ip.icmpType = b[off];
  ip.icmpCode = b[off + 1];
  if (ip.icmpType === 128 || ip.icmpType === 129) {
    ip.icmpId = u16(b, off + 4, end);
    ip.icmpSeq = u16(b, off + 6, end);
  } else if (ip.icmpType === 2) ip.icmpMtu = u32(b, off + 4, end);
}
