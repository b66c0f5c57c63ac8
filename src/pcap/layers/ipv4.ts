// IPv4: header checksum verified, fragments flagged (only the first fragment's transport header is decoded).
import { malformed, type Packet, resetIp, truncated } from '../packet.js';
import { checksumOk, header20Ok } from './checksum.js';
import { nextByIpProto } from './registry.js';

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
  // the 20 fixed bytes are inside the record (checked above): read them without u16/u32's bounds checks
  ip.totalLen = (b[off + 2] << 8) | b[off + 3];
  ip.id = (b[off + 4] << 8) | b[off + 5];
  const frag = (b[off + 6] << 8) | b[off + 7];
  ip.df = (frag & 0x4000) !== 0;
  ip.fragOffset = (frag & 0x1fff) * 8;
  ip.fragment = (frag & 0x2000) !== 0 || ip.fragOffset > 0;
  ip.ttl = b[off + 8];
  ip.proto = b[off + 9];
  ip.src = ((b[off + 12] << 24) | (b[off + 13] << 16) | (b[off + 14] << 8) | b[off + 15]) >>> 0;
  ip.dst = ((b[off + 16] << 24) | (b[off + 17] << 16) | (b[off + 18] << 8) | b[off + 19]) >>> 0;
  if (off + ihl > end) return truncated(p, 'ipv4');
  ip.checksumOk = ihl === 20 ? header20Ok(b, off) : checksumOk(b, off, off + ihl);
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
