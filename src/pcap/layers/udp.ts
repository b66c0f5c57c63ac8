// UDP: ports, checksum verified when present (an offloaded one, still holding the pseudo-header sum, is told
// apart from a wrong one) (0 = none, the default for flannel's VXLAN over IPv4),
// then the next layer by destination port, else source port (8472/4789 → vxlan, 53 → dns).
import { type Packet, truncated, UDP_CSUM_BAD, UDP_CSUM_NONE, UDP_CSUM_OK, UDP_CSUM_PARTIAL } from '../packet.js';
import { checksumOk, fold, sum16 } from './checksum.js';
import { u16 } from './bytes.js';

export function udp(p: Packet, off: number, end: number): void {
  if (off + 8 > end) return truncated(p, 'udp');
  const b = p.buf;
  const ip = p.ips[p.depth - 1];
  ip.l4 = 17;
  ip.srcPort = u16(b, off, end);
  ip.dstPort = u16(b, off + 2, end);
  const len = u16(b, off + 4, end);
  const csum = u16(b, off + 6, end);
  const dgramEnd = off + len;
  // verifiable only when the whole datagram was captured and is not a fragment
  if (csum === 0 && ip.version === 4) ip.udpChecksum = UDP_CSUM_NONE;
  else if (p.depth <= p.udpSumDepth && len >= 8 && dgramEnd <= end && !ip.fragment) {
    const ps = pseudo(p, len, 17);
    if (checksumOk(b, off, dgramEnd, ps)) ip.udpChecksum = UDP_CSUM_OK;
    // captured on the sending host before the NIC filled it in: not an error on the wire
    else ip.udpChecksum = csum === fold(ps) || innerFillFixes(b, off, dgramEnd, ps) ? UDP_CSUM_PARTIAL : UDP_CSUM_BAD;
  }
  const payloadEnd = len >= 8 && dgramEnd < end ? dgramEnd : end;
  const next = p.udpPorts[ip.dstPort] ?? p.udpPorts[ip.srcPort];
  if (next && !ip.fragment) next(p, off + 8, payloadEnd);
}

/** Pseudo-header sum for the transport checksum of the current IP level. */
function pseudo(p: Packet, len: number, proto: number): number {
  const ip = p.ips[p.depth - 1];
  if (ip.version === 4) return sum16(p.buf, ip.off + 12, ip.off + 20) + proto + len;
  return sum16(p.buf, ip.off + 8, ip.off + 40) + proto + len;
}

/**
 * Local checksum offload (Linux vxlan): the outer UDP checksum is computed as if the inner TCP/UDP checksum
 * were already filled in. When the inner one is still offloaded (its field holds only its pseudo-header
 * sum), fill it in here and see whether the outer checksum then holds.
 */
function innerFillFixes(b: Buffer, off: number, end: number, outerPseudo: number): boolean {
  const eth = off + 16; // UDP 8 + VXLAN 8
  if (eth + 34 > end || u16(b, eth + 12, end) !== 0x0800) return false;
  const ip = eth + 14;
  const ihl = (b[ip] & 0x0f) * 4;
  const proto = b[ip + 9];
  const l4 = ip + ihl;
  const l4End = Math.min(ip + u16(b, ip + 2, end), end);
  const field = l4 + (proto === 6 ? 16 : proto === 17 ? 6 : -l4);
  if (field < l4 || field + 2 > l4End) return false;
  const f = u16(b, field, end);
  const innerPseudo = sum16(b, ip + 12, ip + 20) + proto + (l4End - l4);
  if (f !== fold(innerPseudo)) return false;
  const filled = ~fold(sum16(b, l4, l4End, innerPseudo) - f) & 0xffff;
  return fold(sum16(b, off, end, outerPseudo) - f + filled) === 0xffff;
}
