// 802.1Q / 802.1ad tag: TCI (priority, VLAN id) then the encapsulated ethertype.
import { type Packet, truncated } from '../packet.js';
import { nextByEthertype } from './registry.js';
import { u16 } from './bytes.js';

export function vlan(p: Packet, off: number, end: number): void {
  if (off + 4 > end) return truncated(p, 'vlan');
  if (p.vlan < 0) p.vlan = u16(p.buf, off, end) & 0x0fff;
  nextByEthertype(p, u16(p.buf, off + 2, end), off + 4, end);
}
