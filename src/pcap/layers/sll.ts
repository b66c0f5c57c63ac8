// Linux cooked capture v1 (DLT_LINUX_SLL, 113): packet type, ARPHRD, address length, 8-byte address, protocol.
import { type Packet, truncated } from '../packet.js';
import { nextByEthertype } from './registry.js';

export function sll(p: Packet, off: number, end: number): void {
  if (off + 16 > end) return truncated(p, 'sll');
  nextByEthertype(p, p.buf.readUInt16BE(off + 14), off + 16, end);
}
