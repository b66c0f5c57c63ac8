// Property tests: random bytes, random truncations and bit flips of real captures never throw anything but
// a CaptureError, and never hang; the layers never throw at all (truncation is a flag on the packet) and
// never read a byte outside the record (a bounded view of the buffer throws on any such read).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPacket } from '../../src/pcap/anomalies.js';
import { decodeDns } from '../../src/pcap/dns.js';
import { CaptureError } from '../../src/pcap/errors.js';
import { packetLine, packetRecord } from '../../src/pcap/format.js';
import { decodeCapture } from '../../src/pcap/index.js';
import { OutOfBounds, u16, u32, u32le } from '../../src/pcap/layers/bytes.js';
import { checksumOk, header20Ok } from '../../src/pcap/layers/checksum.js';
import { decodeRecord, udpPortTable } from '../../src/pcap/layers/index.js';
import { newPacket } from '../../src/pcap/packet.js';
import { FileSource } from '../../src/pcap/reader/file.js';
import { readCapture } from '../../src/pcap/reader/index.js';
import { newRecord } from '../../src/pcap/reader/record.js';

const dir = resolve(import.meta.dirname, '../../fixtures/pcap');
const real = readdirSync(dir)
  .filter((f) => /\.(pcap|pcapng)$/.test(f))
  .map((f) => readFileSync(join(dir, f)));

/** Every record of the little-endian classic captures (µs and ns), read here by hand: 24-byte file header, 16-byte record headers. */
const realFrames = readdirSync(dir)
  .filter((f) => f.endsWith('.pcap'))
  .flatMap((file) => {
    const b = readFileSync(join(dir, file));
    if (![0xa1b2c3d4, 0xa1b23c4d].includes(b.readUInt32LE(0))) return [];
    const linkType = b.readUInt32LE(20) & 0xffff;
    const frames: { file: string; linkType: number; frame: Buffer }[] = [];
    for (let o = 24; o + 16 <= b.length; ) {
      const capLen = b.readUInt32LE(o + 8);
      frames.push({ file, linkType, frame: b.subarray(o + 16, Math.min(o + 16 + capLen, b.length)) });
      o += 16 + capLen;
    }
    return frames;
  });

/** Decode a buffer as a whole file, in chunks of `chunk` bytes; resolves 'ok' or 'typed', rejects otherwise. */
async function decodeBytes(buf: Buffer, chunk = 4096): Promise<'ok' | 'typed'> {
  const chunks: Buffer[] = [];
  for (let o = 0; o < buf.length; o += chunk) chunks.push(buf.subarray(o, o + chunk));
  const run = decodeCapture({ file: 'fuzz', input: Readable.from(chunks), mode: 'summary' }).then(
    () => 'ok' as const,
    (e: unknown) => {
      if (e instanceof CaptureError) return 'typed' as const;
      throw e;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('decode hung for 5 s')), 5000);
  });
  try {
    return await Promise.race([run, hang]);
  } finally {
    clearTimeout(timer);
  }
}

describe('capture readers on hostile input', () => {
  it('random bytes: a typed error or a decode, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.constantFrom(...[[], [0xd4, 0xc3, 0xb2, 0xa1], [0x4d, 0x3c, 0xb2, 0xa1], [0x0a, 0x0d, 0x0d, 0x0a], [0x1f, 0x8b]]), async (bytes, magic) => {
        expect(['ok', 'typed']).toContain(await decodeBytes(Buffer.concat([Buffer.from(magic), Buffer.from(bytes)]), 97));
      }),
      { numRuns: 300 },
    );
  });

  it('real captures cut anywhere decode what is there', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...real), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 5000 }), async (file, frac, chunk) => {
        expect(['ok', 'typed']).toContain(await decodeBytes(file.subarray(0, Math.floor(file.length * frac)), chunk));
      }),
      { numRuns: 200 },
    );
  });

  it('classic pcap in chunks of any size: every record, byte for byte, as read by hand', async () => {
    const files = [...new Set(realFrames.map((f) => f.file))];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...files), fc.integer({ min: 1, max: 3000 }), async (file, chunk) => {
        const b = readFileSync(join(dir, file));
        const chunks: Buffer[] = [];
        for (let o = 0; o < b.length; o += chunk) chunks.push(b.subarray(o, o + chunk));
        const got: string[] = [];
        await readCapture(Readable.from(chunks), (r) => got.push(r.buf.toString('hex', r.off, r.off + r.capLen)));
        expect(got).toEqual(realFrames.filter((f) => f.file === file).map((f) => f.frame.toString('hex')));
      }),
      { numRuns: 150 },
    );
  });

  it('a file of several 1 MiB chunks read into one reused buffer: every record, byte for byte', async () => {
    // records written here (sizes 1..1500, so they straddle every chunk edge), then read back from the file
    const frames: Buffer[] = [];
    const parts = [Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex')];
    for (let i = 0, size = 0; size < 3.5 * (1 << 20); i++) {
      const frame = Buffer.alloc(1 + ((i * 7919) % 1500), i & 0xff);
      const head = Buffer.alloc(16);
      head.writeUInt32LE(i, 0);
      head.writeUInt32LE(frame.length, 8);
      head.writeUInt32LE(frame.length, 12);
      parts.push(head, frame);
      frames.push(frame);
      size += 16 + frame.length;
    }
    const path = join(mkdtempSync(join(tmpdir(), 'flanctl-chunks-')), 'big.pcap');
    writeFileSync(path, Buffer.concat(parts));
    try {
      const source = new FileSource(path);
      let n = 0;
      await readCapture(source, (r) => {
        expect(r.tsSec).toBe(n);
        expect(r.buf.subarray(r.off, r.off + r.capLen).equals(frames[n++])).toBe(true);
      });
      expect([source.reuse, n]).toEqual([true, frames.length]);
    } finally {
      rmSync(dirname(path), { recursive: true });
    }
  });

  it('real captures with flipped bits never throw an untyped error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...real), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 12 }), async (file, flips) => {
        const b = Buffer.from(file);
        for (const [pos, bit] of flips) b[pos % b.length] ^= 1 << bit;
        expect(['ok', 'typed']).toContain(await decodeBytes(b, 1 << 20));
      }),
      { numRuns: 300 },
    );
  });
});

class ReadOutside extends Error {}

/**
 * The record's bytes [lo, hi) inside a larger buffer (as a reader's chunk holds the records around it), seen
 * through a view that throws ReadOutside on any index, read or subarray outside [lo, hi).
 */
function boundedView(record: Uint8Array, lo: number): { buf: Buffer; hi: number } {
  const whole = Buffer.alloc(lo + record.length + 64, 0xee);
  whole.set(record, lo);
  const hi = lo + record.length;
  const check = (from: number, to: number): void => {
    if (from < lo || to > hi || from > to) throw new ReadOutside(`read [${from}, ${to}) outside the record [${lo}, ${hi})`);
  };
  const width: Record<string, number> = { readUInt8: 1, readUInt16BE: 2, readUInt16LE: 2, readUInt32BE: 4, readUInt32LE: 4 };
  const buf = new Proxy(whole, {
    get(target, key) {
      if (typeof key === 'string' && /^\d+$/.test(key)) {
        check(Number(key), Number(key) + 1);
        return target[Number(key)];
      }
      if (typeof key === 'string' && key in width) return (o: number) => (check(o, o + width[key]), target[key as 'readUInt8'](o));
      if (key === 'subarray') return (a: number, b: number) => (check(a, b), target.subarray(a, b));
      if (key === 'length') throw new ReadOutside('the buffer length is not the record length');
      throw new ReadOutside(`unexpected buffer property ${String(key)}`);
    },
  });
  return { buf, hi };
}

describe('bounded reads', () => {
  it('u16/u32 read big- and little-endian inside the record and throw OutOfBounds past its end', () => {
    const b = Buffer.from([0x12, 0x34, 0x56, 0x78, 0x9a]);
    expect([u16(b, 0, 5), u32(b, 1, 5), u32le(b, 0, 4)]).toEqual([0x1234, 0x3456789a, 0x78563412]);
    // the buffer goes on, the record does not
    expect(() => u16(b, 3, 4)).toThrow(OutOfBounds);
    expect(() => u32(b, 1, 4)).toThrow(OutOfBounds);
    expect(() => u32le(b, 2, 5)).toThrow(OutOfBounds);
    expect(() => u16(b, -1, 5)).toThrow(OutOfBounds);
  });

  it('the unrolled 20-byte IPv4 header checksum agrees with the generic one', () => {
    // Wikipedia's worked example (IPv4 header checksum): 192.168.0.1 → 192.168.0.199, checksum b861
    const good = Buffer.from('45000073000040004011b861c0a80001c0a800c7', 'hex');
    expect([header20Ok(good, 0), checksumOk(good, 0, 20)]).toEqual([true, true]);
    good[11] ^= 1;
    expect([header20Ok(good, 0), checksumOk(good, 0, 20)]).toEqual([false, false]);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.integer({ min: 0, max: 4 }), (bytes, at) => {
        const b = Buffer.from(bytes);
        expect(header20Ok(b, at)).toBe(checksumOk(b, at, at + 20));
      }),
    );
  });

  it('the bounded view itself catches reads outside the record', () => {
    const { buf } = boundedView(Uint8Array.from([1, 2, 3]), 5);
    expect(buf[5]).toBe(1);
    expect(() => buf[8]).toThrow(ReadOutside);
    expect(() => buf[4]).toThrow(ReadOutside);
    expect(() => buf.readUInt16BE(7)).toThrow(ReadOutside);
    expect(() => buf.subarray(5, 9)).toThrow(ReadOutside);
  });
});

describe('layers on random packet bytes', () => {
  it('decode, check, format: never throw, never read outside the record, whatever the link type', () => {
    const p = newPacket(udpPortTable([9999]));
    const rec = newRecord();
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 999), fc.uint8Array({ maxLength: 200 }), fc.nat(40), (linkType, bytes, lo) => {
        rec.buf = boundedView(bytes, lo).buf;
        rec.off = lo;
        rec.capLen = bytes.length;
        rec.origLen = bytes.length + 10;
        rec.linkType = linkType;
        decodeRecord(p, rec);
        const kinds: string[] = [];
        checkPacket(p, { mtu: 1500, knownVnis: [1] }, (k) => kinds.push(k));
        const dns = decodeDns(p);
        packetLine(p, 6, dns, undefined, kinds);
        JSON.stringify(packetRecord(p, 1, 9, dns, undefined, kinds));
        expect(p.truncated).toBe(true); // origLen > capLen
      }),
      { numRuns: 3000 },
    );
  });

  it('every frame of the real captures, cut anywhere and given a random tail, is read inside the record', () => {
    const p = newPacket(udpPortTable([9999]));
    const rec = newRecord();
    fc.assert(
      fc.property(fc.constantFrom(...realFrames), fc.double({ min: 0, max: 1, noNaN: true }), fc.uint8Array({ maxLength: 60 }), fc.nat(40), ({ linkType, frame }, frac, tail, lo) => {
        const keep = Math.floor(frame.length * frac);
        const bytes = Buffer.concat([frame.subarray(0, keep), Buffer.from(tail)]);
        rec.buf = boundedView(bytes, lo).buf;
        rec.off = lo;
        rec.capLen = bytes.length;
        rec.origLen = bytes.length;
        rec.linkType = linkType;
        decodeRecord(p, rec);
        const kinds: string[] = [];
        checkPacket(p, { mtu: 1500, knownVnis: [1] }, (k) => kinds.push(k));
        const dns = decodeDns(p);
        packetLine(p, 6, dns, undefined, kinds);
        JSON.stringify(packetRecord(p, 1, 9, dns, undefined, kinds));
      }),
      { numRuns: 5000 },
    );
  });

  it('a real VXLAN frame cut short is flagged truncated', () => {
    const p = newPacket(udpPortTable());
    const rec = newRecord();
    // the first frame of the crafted VXLAN capture: 148 bytes, its IPv4 total length says 134 follow Ethernet
    const frame = realFrames.find((f) => f.file === 'vxlan-anomalies.pcap')!.frame;
    expect(frame.length).toBe(148);
    for (let keep = 0; keep < 148; keep++) {
      rec.buf = boundedView(frame.subarray(0, keep), 7).buf;
      rec.off = 7;
      rec.capLen = rec.origLen = keep;
      rec.linkType = 1;
      decodeRecord(p, rec);
      expect(p.truncated, `cut at ${keep}`).toBe(true);
    }
  });
});

describe('anomaly list', () => {
  it('stays bounded however many distinct anomalies a capture holds', async () => {
    const { Anomalies } = await import('../../src/pcap/anomalies.js');
    const a = new Anomalies();
    for (let i = 0; i < 25_000; i++) a.add('tcp-reset', 'warning', `TCP reset 10.0.0.1:${i} → 10.0.0.2:80`, i + 1);
    const list = a.list();
    expect(list.length).toBe(10_001);
    const rest = list.find((x) => x.summary.startsWith('tcp-reset: more'));
    expect(rest?.count).toBe(15_000);
  });
});

describe('pcapng timestamp division', () => {
  it('matches BigInt for any 64-bit count of ns, µs or 2^-k units', async () => {
    const { divUnits } = await import('../../src/pcap/reader/pcapng.js');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(1e3, 1e6, 1e9, 2 ** 20, 2 ** 30), (t, d) => {
        const [q, r] = divUnits(Number(t >> 32n), Number(t & 0xffffffffn), d);
        const bq = t / BigInt(d);
        // quotients beyond 2^53 (timestamps past year 285 million) are not exact, and never occur
        fc.pre(bq < 2n ** 53n);
        expect([q, r]).toEqual([Number(bq), Number(t % BigInt(d))]);
      }),
      { numRuns: 2000 },
    );
  });
});
