// The Internet checksum (RFC 1071) over buffer ranges, read straight from the Buffer.

/** One's-complement sum of [off, end) as 16-bit big-endian words (odd tail padded with zero). */
export function sum16(b: Buffer, off: number, end: number, acc = 0): number {
  let i = off;
  // four bytes a round: half the loop overhead on the payloads that are summed (UDP datagrams)
  for (; i + 3 < end; i += 4) acc += ((b[i] << 8) | b[i + 1]) + ((b[i + 2] << 8) | b[i + 3]);
  for (; i + 1 < end; i += 2) acc += (b[i] << 8) | b[i + 1];
  if (i < end) acc += b[i] << 8;
  return acc;
}

export function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return acc;
}

/** True when the range, checksum field included, sums to 0xffff. */
export const checksumOk = (b: Buffer, off: number, end: number, acc = 0): boolean => fold(sum16(b, off, end, acc)) === 0xffff;

/** checksumOk for the common 20-byte IPv4 header, unrolled: two per VXLAN packet. */
export function header20Ok(b: Buffer, o: number): boolean {
  const acc =
    ((b[o] << 8) | b[o + 1]) + ((b[o + 2] << 8) | b[o + 3]) + ((b[o + 4] << 8) | b[o + 5]) + ((b[o + 6] << 8) | b[o + 7]) +
    ((b[o + 8] << 8) | b[o + 9]) + ((b[o + 10] << 8) | b[o + 11]) + ((b[o + 12] << 8) | b[o + 13]) + ((b[o + 14] << 8) | b[o + 15]) +
    ((b[o + 16] << 8) | b[o + 17]) + ((b[o + 18] << 8) | b[o + 19]);
  return fold(acc) === 0xffff;
}
