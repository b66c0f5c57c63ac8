// Classic libpcap files read by hand: nanosecond magic (a1b23c4d) which pcap-parser rejects, and µs for
// the benchmark's comparison. Header: magic, version 2.4, thiszone, sigfigs, snaplen, linktype (24 bytes);
// each record: ts_sec, ts_usec|ts_nsec, incl_len, orig_len (16 bytes), then incl_len bytes.
import { CaptureError } from '../errors.js';
import { type CaptureInfo, type ChunkReader, MAX_RECORD, newRecord, type RecordSink } from './record.js';

// little-endian u32 without Buffer.readUInt32LE's argument checks (hot: four per record)
const le32 = (b: Buffer, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

export class ClassicReader implements ChunkReader {
  readonly info: CaptureInfo;
  private carry: Buffer | undefined;
  private headerDone = false;
  private nano = false;
  private le = true;
  private consumed = 0;
  private readonly rec = newRecord();

  constructor(
    private readonly sink: RecordSink,
    gzip: boolean,
  ) {
    this.info = { format: 'pcap', gzip, linkType: 0, linkTypes: [], tsDigits: 6, bigEndian: false, cutTail: false, reader: 'classic' };
  }

  push(chunk: Buffer): void {
    const carry = this.carry;
    this.carry = undefined;
    if (!carry) return this.scan(chunk, 0);
    const need = this.headerDone ? this.carryNeeds(carry, chunk) : -1;
    // the header, a corrupt length or a record still unfinished: join all (rare; the loop reports corruption)
    if (need < 0 || need > chunk.length) return this.scan(Buffer.concat([carry, chunk]), 0);
    // finish the record cut at the chunk's edge with the chunk's first bytes, not by copying the whole chunk
    this.scan(Buffer.concat([carry, chunk.subarray(0, need)]), 0);
    this.scan(chunk, need);
  }

  /** Bytes of `chunk` that complete the carried record, or -1 when its header is not complete even then. */
  private carryNeeds(carry: Buffer, chunk: Buffer): number {
    if (carry.length + chunk.length < 16) return -1;
    const head = carry.length >= 16 ? carry : Buffer.concat([carry, chunk.subarray(0, 16 - carry.length)]);
    const capLen = this.le ? le32(head, 8) : head.readUInt32BE(8);
    return capLen > MAX_RECORD ? -1 : 16 + capLen - carry.length;
  }

  /** Every whole record of buf from `start`; keeps the unfinished tail as the carry. */
  private scan(buf: Buffer, start: number): void {
    let off = start;
    if (!this.headerDone) {
      if (buf.length < 24) {
        this.carry = Buffer.from(buf); // a copy: the chunk's buffer may be reused for the next one
        return;
      }
      this.readHeader(buf);
      off = 24;
    }
    const rec = this.rec;
    const le = this.le;
    const scale = this.nano ? 1 : 1000;
    const len = buf.length;
    while (off + 16 <= len) {
      const capLen = le ? le32(buf, off + 8) : buf.readUInt32BE(off + 8);
      if (capLen > MAX_RECORD) throw new CaptureError(`corrupt pcap record at byte ${this.consumed + off - start}: length ${capLen}`);
      if (off + 16 + capLen > len) break;
      rec.tsSec = le ? le32(buf, off) : buf.readUInt32BE(off);
      rec.tsNsec = (le ? le32(buf, off + 4) : buf.readUInt32BE(off + 4)) * scale;
      rec.origLen = le ? le32(buf, off + 12) : buf.readUInt32BE(off + 12);
      rec.capLen = capLen;
      rec.buf = buf;
      rec.off = off + 16;
      this.sink(rec);
      off += 16 + capLen;
    }
    if (off < len) {
      // keep only the unfinished record; copy so the big chunk can be freed
      this.carry = Buffer.from(buf.subarray(off));
    }
    this.consumed += off - start;
  }

  end(): void {
    const buf = this.carry;
    if (!this.headerDone) throw new CaptureError(`not a capture: file too short for a pcap header (${buf?.length ?? 0} bytes)`);
    if (!buf || buf.length === 0) return;
    this.info.cutTail = true;
    if (buf.length < 16) return;
    // a record cut mid-body: decode what is there, flagged
    const rec = this.rec;
    const le = this.le;
    rec.tsSec = le ? buf.readUInt32LE(0) : buf.readUInt32BE(0);
    rec.tsNsec = (le ? buf.readUInt32LE(4) : buf.readUInt32BE(4)) * (this.nano ? 1 : 1000);
    rec.origLen = le ? buf.readUInt32LE(12) : buf.readUInt32BE(12);
    rec.capLen = buf.length - 16;
    rec.buf = buf;
    rec.off = 16;
    rec.cut = true;
    this.sink(rec);
  }

  private readHeader(buf: Buffer): void {
    const magic = buf.readUInt32BE(0);
    if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) this.le = false;
    else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) this.le = true;
    else throw new CaptureError(`not a pcap file (magic ${buf.toString('hex', 0, 4)})`);
    this.nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
    const linkType = (this.le ? buf.readUInt32LE(20) : buf.readUInt32BE(20)) & 0xffff;
    Object.assign(this.info, {
      format: this.nano ? 'pcap-ns' : 'pcap',
      linkType,
      linkTypes: [linkType],
      tsDigits: this.nano ? 9 : 6,
      bigEndian: !this.le,
    });
    this.rec.linkType = linkType;
    this.headerDone = true;
  }
}
