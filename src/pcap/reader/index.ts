// Opens a capture (file, gzip, or stdin) and picks the reader by magic: our own streaming readers for classic
// (µs and ns) pcap and pcapng, or pcap-parser for classic µs pcap on request. The layers only ever see CaptureRecord.
// Our classic reader is the default because pcap-parser's per-record objects and events cost about half of
// `--summary`'s CPU (BENCHMARKS.md, decode), which is the difference between meeting and missing its targets.
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CaptureError } from '../errors.js';
import { ClassicReader } from './classic.js';
import { FileSource } from './file.js';
import { PcapParserReader } from './pcap-parser.js';
import { PcapngReader } from './pcapng.js';
import type { CaptureInfo, ChunkReader, RecordSink } from './record.js';

export * from './record.js';

export interface ReadOptions {
  /** called after every chunk with the bytes read so far (compressed bytes for gzip) */
  onProgress?: (bytes: number) => void;
  /** stop reading as soon as this returns true (checked after every chunk) */
  stop?: () => boolean;
  /** read classic µs pcap with pcap-parser instead of our own reader (`--reader pcap-parser`) */
  pcapParser?: boolean;
  /** the reader's header facts (filled in as the header is read; the same object is returned at the end) */
  onInfo?: (info: CaptureInfo) => void;
}

/** `-` is stdin. */
export function openInput(path: string): Readable | FileSource {
  return path === '-' ? process.stdin : new FileSource(path);
}

function pickReader(head: Buffer, sink: RecordSink, gzip: boolean, opts: ReadOptions): ChunkReader {
  if (head.length < 4) throw new CaptureError(`not a capture: ${head.length === 0 ? 'empty input' : 'too short'}`);
  const magic = head.readUInt32BE(0);
  switch (magic) {
    case 0xa1b2c3d4:
    case 0xd4c3b2a1: {
      const r = opts.pcapParser ? new PcapParserReader(sink, gzip) : new ClassicReader(sink, gzip);
      r.info.bigEndian = magic === 0xa1b2c3d4;
      return r;
    }
    case 0xa1b23c4d:
    case 0x4d3cb2a1:
      return new ClassicReader(sink, gzip);
    case 0x0a0d0d0a:
      return new PcapngReader(sink, gzip);
    default:
      throw new CaptureError(`not a capture (pcap, pcapng or gzip): starts with ${head.toString('hex', 0, 4)}`);
  }
}

/** Streams every record of the capture to `sink`; resolves with what the file header said. */
export async function readCapture(input: Readable | FileSource, sink: RecordSink, opts: ReadOptions = {}): Promise<CaptureInfo> {
  const it = input[Symbol.asyncIterator]();
  let first = await nextChunk(it);
  let source: AsyncIterator<Buffer> = it;
  let gzip = false;
  let bytes = first?.length ?? 0;
  if (first && first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) {
    gzip = true;
    const gunzip = createGunzip({ chunkSize: 256 * 1024 });
    const raw = (async function* () {
      yield first as Buffer;
      for (;;) {
        const c = await nextChunk(it);
        if (!c) return;
        bytes += c.length;
        yield c;
      }
    })();
    const { Readable } = await import('node:stream');
    source = Readable.from(raw).pipe(gunzip)[Symbol.asyncIterator]();
    gunzip.on('error', () => {});
    first = await nextChunk(source, true);
  }
  // the magic may straddle chunks only on pathological stdin; gather 4 bytes
  while (first && first.length < 4) {
    const more = await nextChunk(source, gzip);
    if (!more) break;
    first = Buffer.concat([first, more]);
  }
  const reader = pickReader(first ?? Buffer.alloc(0), sink, gzip, opts);
  if (input instanceof FileSource && !gzip && reader instanceof ClassicReader) input.reuse = true;
  opts.onInfo?.(reader.info);
  if (first) reader.push(first);
  opts.onProgress?.(bytes);
  while (!opts.stop?.()) {
    let chunk: Buffer | undefined;
    try {
      chunk = await nextChunk(source, gzip);
    } catch (e) {
      // a gzip file cut short: keep what was decompressed, like a cut pcap
      if (!gzip || !(e instanceof CaptureError)) throw e;
      reader.info.cutTail = true;
    }
    if (!chunk) break;
    if (!gzip) bytes += chunk.length;
    reader.push(chunk);
    opts.onProgress?.(bytes);
  }
  if (opts.stop?.()) {
    input.destroy();
    return reader.info;
  }
  reader.end();
  return reader.info;
}

async function nextChunk(it: AsyncIterator<Buffer>, gzip = false): Promise<Buffer | undefined> {
  try {
    const r = await it.next();
    return r.done ? undefined : (r.value as Buffer);
  } catch (e) {
    if (gzip) throw new CaptureError(`corrupt gzip stream: ${(e as Error).message}`);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new CaptureError(`no such file: ${err.path ?? ''}`);
    if (err.code === 'EISDIR') throw new CaptureError('is a directory, not a capture');
    if (err.code === 'EACCES' || err.code === 'EPERM') throw new CaptureError(`permission denied: ${err.path ?? ''}`);
    throw e;
  }
}
