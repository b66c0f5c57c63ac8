// Property tests: random bytes, random truncations and bit flips of real captures never throw anything but
// a CaptureError, and never hang; the layers never throw at all (truncation is a flag on the packet).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPacket } from '../../src/pcap/anomalies.js';
import { decodeDns } from '../../src/pcap/dns.js';
import { CaptureError } from '../../src/pcap/errors.js';
import { packetLine, packetRecord } from '../../src/pcap/format.js';
import { decodeCapture } from '../../src/pcap/index.js';
import { decodeRecord, udpPortTable } from '../../src/pcap/layers/index.js';
import { newPacket } from '../../src/pcap/packet.js';
import { newRecord } from '../../src/pcap/reader/record.js';

const dir = resolve(import.meta.dirname, '../../fixtures/pcap');
const real = readdirSync(dir)
  .filter((f) => /\.(pcap|pcapng)$/.test(f))
  .map((f) => readFileSync(join(dir, f)));

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

describe('layers on random packet bytes', () => {
  it('decode, check, format: never throw, whatever the link type', () => {
    const p = newPacket(udpPortTable([9999]));
    const rec = newRecord();
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 999), fc.uint8Array({ maxLength: 200 }), (linkType, bytes) => {
        rec.buf = Buffer.from(bytes);
        rec.off = 0;
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

  it('IPv4/UDP/VXLAN headers with random tails stay inside the buffer', () => {
    const p = newPacket(udpPortTable());
    const rec = newRecord();
    // the first frame of the crafted VXLAN capture: pcap header 24 + record header 16
    const vxlanHead = readFileSync(join(dir, 'vxlan-anomalies.pcap')).subarray(40, 40 + 148);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), fc.uint8Array({ maxLength: 120 }), (keep, tail) => {
        // an Ethernet+IPv4+UDP 8472+VXLAN prefix from a real frame, then random bytes
        const frame = Buffer.concat([vxlanHead.subarray(0, keep), Buffer.from(tail)]);
        rec.buf = frame;
        rec.off = 0;
        rec.capLen = frame.length;
        rec.origLen = frame.length;
        rec.linkType = 1;
        decodeRecord(p, rec);
        packetLine(p, 6, decodeDns(p), undefined, []);
      }),
      { numRuns: 2000 },
    );
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
