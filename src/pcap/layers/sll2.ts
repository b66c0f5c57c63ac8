// Linux cooked capture v2 (DLT_LINUX_SLL2, 276; `tcpdump -i any`): protocol, reserved, ifindex, ARPHRD,
// packet type, address length, 8-byte address.
import { type Packet, truncated } from '../packet.js';
import { nextByEthertype } from './registry.js';

export function sll2(p: Packet, off: number, end: number): void {
  if (off + 20 > end) return truncated(p, 'sll2');
  p.ifindex = p.buf.readUInt32BE(off + 4);
  nextByEthertype(p, p.buf.readUInt16BE(off), off + 20, end);
}
