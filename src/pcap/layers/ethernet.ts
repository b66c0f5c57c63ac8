// Ethernet II (outer, or the inner frame of a VXLAN packet). 802.1Q/802.1ad tags: see vlan.ts.
import { type Packet, truncated } from '../packet.js';
import { nextByEthertype } from './registry.js';
import { u16 } from './bytes.js';

export function ethernet(p: Packet, off: number, end: number): void {
  if (off + 14 > end) return truncated(p, 'ethernet');
  if (p.tunnel === 0) p.ethOff = off;
  else p.innerEthOff = off;
  nextByEthertype(p, u16(p.buf, off + 12, end), off + 14, end);
}
