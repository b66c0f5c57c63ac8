// Classic microsecond pcap through pcap-parser, the product's chosen reader. pcap-parser reads from a
// stream it pauses and resumes itself; we hand it a stand-in stream and feed 'data' synchronously, so the
// records reach the sink in the same tick as the chunk (no buffering, constant memory).
// a static import, not createRequire: the single binary's bundler can only carry what it sees imported
import pcapParserModule from 'pcap-parser';
import { CaptureError } from '../errors.js';
import { type CaptureInfo, type ChunkReader, MAX_RECORD, newRecord, type RecordSink } from './record.js';

interface PpHeader {
  timestampSeconds: number;
  timestampMicroseconds: number;
  capturedLength: number;
  originalLength: number;
}
interface PpGlobal {
  magicNumber: number;
  linkLayerType: number;
}
interface PpParser {
  on(ev: 'globalHeader', fn: (h: PpGlobal) => void): void;
  on(ev: 'packetHeader', fn: (h: PpHeader) => void): void;
  on(ev: 'packet', fn: (p: { header: PpHeader; data: Buffer }) => void): void;
  on(ev: 'error', fn: (e: Error) => void): void;
  on(ev: 'end', fn: () => void): void;
  /** pcap-parser's unconsumed bytes (an unfinished record at end of input) */
  buffer: Buffer | null;
}
type Handler = (arg?: unknown) => void;

const pcapParser = pcapParserModule as { parse(stream: unknown): PpParser };

class FeedStream {
  readonly handlers: Record<string, Handler> = {};
  on(ev: string, fn: Handler): this {
    this.handlers[ev] = fn;
    return this;
  }
  pause(): void {}
  resume(): void {}
}

export class PcapParserReader implements ChunkReader {
  readonly info: CaptureInfo;
  private readonly feed = new FeedStream();
  private readonly parser: PpParser;
  private readonly rec = newRecord();
  private error: Error | undefined;
  private pendingHeader: PpHeader | undefined;
  private headerSeen = false;

  constructor(sink: RecordSink, gzip: boolean) {
    this.info = { format: 'pcap', gzip, linkType: 0, linkTypes: [], tsDigits: 6, bigEndian: false, cutTail: false, reader: 'pcap-parser' };
    this.parser = pcapParser.parse(this.feed);
    const rec = this.rec;
    this.parser.on('globalHeader', (h) => {
      this.headerSeen = true;
      const linkType = h.linkLayerType & 0xffff;
      this.info.linkType = linkType;
      this.info.linkTypes = [linkType];
      rec.linkType = linkType;
    });
    this.parser.on('packetHeader', (h) => {
      // pcap-parser would otherwise wait for (and buffer) a 4 GB body from one flipped bit
      if (h.capturedLength > MAX_RECORD) this.error ??= new CaptureError(`corrupt pcap record: length ${h.capturedLength}`);
      this.pendingHeader = h;
    });
    this.parser.on('packet', ({ header, data }) => {
      this.pendingHeader = undefined;
      rec.tsSec = header.timestampSeconds;
      rec.tsNsec = header.timestampMicroseconds * 1000;
      rec.capLen = header.capturedLength;
      rec.origLen = header.originalLength;
      rec.buf = data;
      rec.off = 0;
      sink(rec);
    });
    this.parser.on('error', (e) => {
      this.error ??= new CaptureError(`not a pcap file (${e.message})`);
    });
    this.parser.on('end', () => {});
    this.sink = sink;
  }

  private readonly sink: RecordSink;

  push(chunk: Buffer): void {
    if (this.error) throw this.error;
    this.feed.handlers.data?.(chunk);
    if (this.error) throw this.error;
  }

  end(): void {
    if (this.error) throw this.error;
    if (!this.headerSeen) throw new CaptureError('not a capture: file too short for a pcap header');
    const rest = this.parser.buffer;
    const h = this.pendingHeader;
    if (h) {
      this.info.cutTail = true;
      const rec = this.rec;
      rec.tsSec = h.timestampSeconds;
      rec.tsNsec = h.timestampMicroseconds * 1000;
      rec.origLen = h.originalLength;
      rec.buf = rest ?? Buffer.alloc(0);
      rec.off = 0;
      rec.capLen = rec.buf.length;
      rec.cut = true;
      this.sink(rec);
    } else if (rest && rest.length > 0) this.info.cutTail = true;
  }
}
