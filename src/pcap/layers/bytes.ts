// Big-endian reads bounded by the record's end (the buffer holds the reader's whole chunk, so reading past
// the record would silently read the next record). Indexing by hand is measurably faster per packet than
// Buffer.readUInt*, whose checks only know the buffer's length, not the record's.

/** A read past the record's end: decodeRecord turns it into the packet's truncation flag (gopacket's model). */
export class OutOfBounds extends Error {}

// one instance: thrown only on malformed input, no stack needed
const OUT_OF_BOUNDS = new OutOfBounds('read past the end of the captured bytes');

export function u16(b: Buffer, o: number, end: number): number {
  if (o < 0 || o + 2 > end) throw OUT_OF_BOUNDS;
  return (b[o] << 8) | b[o + 1];
}

export function u32(b: Buffer, o: number, end: number): number {
  if (o < 0 || o + 4 > end) throw OUT_OF_BOUNDS;
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Little-endian u32 (DLT_NULL's host-order address family). */
export function u32le(b: Buffer, o: number, end: number): number {
  if (o < 0 || o + 4 > end) throw OUT_OF_BOUNDS;
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
