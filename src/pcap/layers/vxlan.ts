// VXLAN (RFC 7348) on UDP 8472 (flannel's Linux default), 4789 (IANA) or --vxlan-port: flags (0x08 = VNI
// valid), 24-bit VNI, then the inner Ethernet frame.
import { TUNNEL_NONE, TUNNEL_VXLAN, type Packet, truncated } from '../packet.js';
import { ethernet } from './ethernet.js';
import { u32 } from './bytes.js';

export function vxlan(p: Packet, off: number, end: number): void {
  if (p.tunnel !== TUNNEL_NONE) return; // VXLAN inside a tunnel is not decoded further
  if (off + 8 > end) return truncated(p, 'vxlan');
  p.tunnel = TUNNEL_VXLAN;
  p.vxlanFlags = p.buf[off];
  p.vni = u32(p.buf, off + 4, end) >>> 8;
  p.innerOff = off + 8;
  ethernet(p, off + 8, end);
}
