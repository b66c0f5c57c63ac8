// BSD loopback: DLT_NULL (0) holds the address family in host byte order, DLT_LOOP (108) in network order.
// AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24, 28 or 30 (BSDs, macOS).
import { malformed, type Packet, truncated } from '../packet.js';
import { nextByEthertype } from './registry.js';
import { u32, u32le } from './bytes.js';

const INET6 = new Set([10, 24, 28, 30]);

function family(p: Packet, off: number, end: number, af: number): void {
  if (af === 2) nextByEthertype(p, 0x0800, off + 4, end);
  else if (INET6.has(af)) nextByEthertype(p, 0x86dd, off + 4, end);
  else malformed(p, 'null');
}

export function nullLink(p: Packet, off: number, end: number): void {
  if (off + 4 > end) return truncated(p, 'null');
  const le = u32le(p.buf, off, end);
  // host order unknown: whichever reading is a small number is the right one
  family(p, off, end, le < 0x10000 ? le : u32(p.buf, off, end));
}

export function loop(p: Packet, off: number, end: number): void {
  if (off + 4 > end) return truncated(p, 'loop');
  family(p, off, end, u32(p.buf, off, end));
}
