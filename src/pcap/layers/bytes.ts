// Big-endian reads without Buffer.readUInt*'s argument validation (measurably slower per packet); callers
// have already checked the bounds.

export const u16 = (b: Buffer, o: number): number => (b[o] << 8) | b[o + 1];

export const u32 = (b: Buffer, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
