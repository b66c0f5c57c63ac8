// Linux cooked capture v1 (DLT_LINUX_SLL, 113): packet type, ARPHRD, address length, 8-byte address, protocol.
import { type Packet, truncated } from '../packet.js';
import { nextByEthertype } from './registry.js';
import { u16 } from './bytes.js';

export function sll(p: Packet, off: number, end: number): void {
  if (off + 16 > end) return truncated(p, 'sll');
  nextByEthertype(p, u16(p.buf, off + 14, end), off + 16, end);
}
