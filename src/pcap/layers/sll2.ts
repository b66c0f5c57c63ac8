// Linux cooked capture v2 (DLT_LINUX_SLL2, 276; `tcpdump -i any`): protocol, reserved, ifindex, ARPHRD,
// packet type, address length, 8-byte address.
import { type Packet, truncated } from '../packet.js';
import { nextByEthertype } from './registry.js';
import { u16, u32 } from './bytes.js';

export function sll2(p: Packet, off: number, end: number): void {
  if (off + 20 > end) return truncated(p, 'sll2');
  p.ifindex = u32(p.buf, off + 4, end);
  nextByEthertype(p, u16(p.buf, off, end), off + 20, end);
}
