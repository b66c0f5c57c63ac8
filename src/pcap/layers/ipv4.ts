// IPv4: header checksum verified, fragments flagged (only the first fragment's transport header is decoded).
import { malformed, type Packet, resetIp, truncated } from '../packet.js';
import { checksumOk } from './checksum.js';
import { nextByIpProto } from './registry.js';
import { u16, u32 } from './bytes.js';

export function ipv4(p: Packet, off: number, end: number): void {
  if (p.depth >= 2) return; // a third level is not decoded
  if (off + 20 > end) return truncated(p, 'ipv4');
  const b = p.buf;
  const ihl = (b[off] & 0x0f) * 4;
  if (b[off] >> 4 !== 4 || ihl < 20) return malformed(p, 'ipv4');
  const ip = p.ips[p.depth++];
  resetIp(ip);
  ip.version = 4;
  ip.off = off;
  ip.totalLen = u16(b, off + 2, end);
  ip.id = u16(b, off + 4, end);
  const frag = u16(b, off + 6, end);
  ip.df = (frag & 0x4000) !== 0;
  ip.fragOffset = (frag & 0x1fff) * 8;
  ip.fragment = (frag & 0x2000) !== 0 || ip.fragOffset > 0;
  ip.ttl = b[off + 8];
  ip.proto = b[off + 9];
  ip.src = u32(b, off + 12, end);
  ip.dst = u32(b, off + 16, end);
  if (off + ihl > end) return truncated(p, 'ipv4');
  ip.checksumOk = checksumOk(b, off, off + ihl);
  if (ip.totalLen < ihl) return malformed(p, 'ipv4');
  // Ethernet padding lies beyond totalLen; a snaplen cut lies before it
  let payloadEnd = off + ip.totalLen;
  if (payloadEnd > end) {
    truncated(p, 'ipv4');
    payloadEnd = end;
  }
  if (ip.fragOffset > 0) return;
  nextByIpProto(p, ip.proto, off + ihl, payloadEnd);
}
