// pcapng (streaming): SHB (byte order per section), IDB (link type, if_tsresol per interface), EPB, SPB, and
// the obsolete PB. Other blocks are skipped. Block: type u32, total length u32, body, total length u32.
import { CaptureError } from '../errors.js';
import { type CaptureInfo, type ChunkReader, MAX_RECORD, newRecord, type RecordSink } from './record.js';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;
const MAX_BLOCK = MAX_RECORD + 4096;

interface Iface {
  linkType: number;
  snapLen: number;
  /** timestamp units per second */
  unitsPerSec: number;
}

export class PcapngReader implements ChunkReader {
  readonly info: CaptureInfo;
  private carry: Buffer | undefined;
  private le = true;
  private ifaces: Iface[] = [];
  private readonly rec = newRecord();
  private seenShb = false;

  constructor(
    private readonly sink: RecordSink,
    gzip: boolean,
  ) {
    this.info = { format: 'pcapng', gzip, linkType: 0, linkTypes: [], tsDigits: 6, bigEndian: false, cutTail: false, reader: 'pcapng' };
  }

  push(chunk: Buffer): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    let off = 0;
    const len = buf.length;
    while (off + 12 <= len) {
      const type = buf.readUInt32LE(off);
      if (type === SHB) this.readByteOrder(buf, off);
      const blockLen = this.u32(buf, off + 4);
      if (blockLen < 12 || blockLen % 4 !== 0 || blockLen > MAX_BLOCK) throw new CaptureError(`corrupt pcapng block at offset ${off}: length ${blockLen}`);
      if (off + blockLen > len) break;
      this.block(buf, off, blockLen, false);
      off += blockLen;
    }
    if (off < len) this.carry = Buffer.from(buf.subarray(off));
  }

  end(): void {
    if (!this.seenShb) throw new CaptureError('not a capture: pcapng file without a section header');
    const buf = this.carry;
    if (!buf || buf.length === 0) return;
    this.info.cutTail = true;
    if (buf.length < 12) return;
    // the last block was cut: decode the packet part that is there, flagged
    this.block(buf, 0, buf.length, true);
  }

  private u32(buf: Buffer, off: number): number {
    return this.le ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
  }

  private u16(buf: Buffer, off: number): number {
    return this.le ? buf.readUInt16LE(off) : buf.readUInt16BE(off);
  }

  private readByteOrder(buf: Buffer, off: number): void {
    if (off + 12 > buf.length) return;
    const bom = buf.readUInt32LE(off + 8);
    if (bom === 0x1a2b3c4d) this.le = true;
    else if (bom === 0x4d3c2b1a) this.le = false;
    else throw new CaptureError('corrupt pcapng section header (byte-order magic)');
    if (!this.seenShb) this.info.bigEndian = !this.le;
    this.seenShb = true;
    this.ifaces = []; // interface ids are per section
  }

  private block(buf: Buffer, off: number, blockLen: number, cut: boolean): void {
    const type = this.u32(buf, off);
    if (!this.seenShb) throw new CaptureError('not a capture: pcapng data before a section header');
    switch (type) {
      case IDB:
        if (!cut) this.readIdb(buf, off, blockLen);
        return;
      case EPB:
      case PB:
        return this.readEpb(buf, off, blockLen, type === PB, cut);
      case SPB:
        return this.readSpb(buf, off, blockLen, cut);
      default:
        return;
    }
  }

  private readIdb(buf: Buffer, off: number, blockLen: number): void {
    if (blockLen < 20) throw new CaptureError('corrupt pcapng interface block');
    const iface: Iface = { linkType: this.u16(buf, off + 8), snapLen: this.u32(buf, off + 12), unitsPerSec: 1e6 };
    // options: code u16, length u16, value padded to 4
    let o = off + 16;
    const end = off + blockLen - 4;
    while (o + 4 <= end) {
      const code = this.u16(buf, o);
      const olen = this.u16(buf, o + 2);
      if (code === 0 || o + 4 + olen > end) break;
      if (code === 9 && olen >= 1) {
        const v = buf[o + 4];
        iface.unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    if (iface.unitsPerSec > 1e6) this.info.tsDigits = 9;
    if (this.info.linkTypes.length === 0) this.info.linkType = iface.linkType;
    this.info.linkTypes.push(iface.linkType);
    this.ifaces.push(iface);
  }

  private readEpb(buf: Buffer, off: number, blockLen: number, obsolete: boolean, cut: boolean): void {
    if (off + 28 > buf.length) return;
    const id = obsolete ? this.u16(buf, off + 8) : this.u32(buf, off + 8);
    const iface = this.ifaces[id];
    if (!iface) throw new CaptureError(`corrupt pcapng packet block: unknown interface ${id}`);
    const capLen = this.u32(buf, off + 20);
    const avail = blockLen - (cut ? 28 : 32);
    if (!cut && capLen > avail) throw new CaptureError(`corrupt pcapng packet block at offset ${off}: captured length ${capLen}`);
    this.emit(iface, id, buf, off + 28, Math.min(capLen, avail), this.u32(buf, off + 24), this.u32(buf, off + 12), this.u32(buf, off + 16), cut);
  }

  private readSpb(buf: Buffer, off: number, blockLen: number, cut: boolean): void {
    const iface = this.ifaces[0];
    if (!iface) throw new CaptureError('corrupt pcapng simple packet block: no interface');
    const origLen = this.u32(buf, off + 8);
    const capLen = Math.min(origLen, blockLen - (cut ? 12 : 16), iface.snapLen || origLen);
    // SPBs carry no timestamp
    this.emit(iface, 0, buf, off + 12, Math.max(0, capLen), origLen, 0, 0, cut);
  }

  private emit(iface: Iface, id: number, buf: Buffer, dataOff: number, capLen: number, origLen: number, tsHi: number, tsLo: number, cut: boolean): void {
    const rec = this.rec;
    const [sec, frac] = divUnits(tsHi, tsLo, iface.unitsPerSec);
    rec.tsSec = sec;
    rec.tsNsec = iface.unitsPerSec === 1e9 ? frac : Math.round((frac * 1e9) / iface.unitsPerSec);
    rec.buf = buf;
    rec.off = dataOff;
    rec.capLen = Math.min(capLen, buf.length - dataOff);
    rec.origLen = origLen;
    rec.linkType = iface.linkType;
    rec.interfaceId = id;
    rec.cut = cut;
    this.sink(rec);
  }
}

const quotRem: [number, number] = [0, 0];

/**
 * (hi·2³² + lo) / d without BigInt or precision loss: long division in 16-bit limbs (d < 2³⁷). Returns one
 * reused pair (read it before the next call): no allocation per packet.
 */
export function divUnits(hi: number, lo: number, d: number): [number, number] {
  let q = 0;
  let r = 0;
  for (let i = 0; i < 4; i++) {
    const limb = i === 0 ? hi >>> 16 : i === 1 ? hi & 0xffff : i === 2 ? lo >>> 16 : lo & 0xffff;
    r = r * 65536 + limb;
    const qi = Math.floor(r / d);
    r -= qi * d;
    q = q * 65536 + qi;
  }
  quotRem[0] = q;
  quotRem[1] = r;
  return quotRem;
}
