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
