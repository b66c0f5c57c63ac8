// IPv6: fixed header, then hop-by-hop (0), routing (43), fragment (44) and destination options (60)
// headers are walked to the transport protocol. Addresses stay in the buffer (printed from ip.off).
import { malformed, type Packet, resetIp, truncated } from '../packet.js';
import { nextByIpProto } from './registry.js';
import { u16 } from './bytes.js';

const EXTENSIONS = new Set([0, 43, 60]);

export function ipv6(p: Packet, off: number, end: number): void {
  if (p.depth >= 2) return;
  if (off + 40 > end) return truncated(p, 'ipv6');
  const b = p.buf;
  if (b[off] >> 4 !== 6) return malformed(p, 'ipv6');
  const ip = p.ips[p.depth++];
  resetIp(ip);
  ip.version = 6;
  ip.off = off;
  ip.totalLen = 40 + u16(b, off + 4, end);
  ip.ttl = b[off + 7];
  let next = b[off + 6];
  let payloadEnd = off + ip.totalLen;
  if (payloadEnd > end) {
    truncated(p, 'ipv6');
    payloadEnd = end;
  }
  let o = off + 40;
  for (;;) {
    if (EXTENSIONS.has(next)) {
      if (o + 8 > payloadEnd) return truncated(p, 'ipv6');
      const hdrLen = (b[o + 1] + 1) * 8;
      next = b[o];
      o += hdrLen;
    } else if (next === 44) {
      if (o + 8 > payloadEnd) return truncated(p, 'ipv6');
      const fo = u16(b, o + 2, end);
      ip.fragOffset = fo & 0xfff8;
      ip.fragment = true;
      next = b[o];
      o += 8;
      if (ip.fragOffset > 0) {
        ip.proto = next;
        return;
      }
    } else break;
  }
  ip.proto = next;
  nextByIpProto(p, next, o, payloadEnd);
}
