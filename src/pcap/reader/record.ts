// The one record interface every reader (pcap-parser, classic ns, pcapng) feeds the layers through.
// Records are reused between calls: a sink must copy what it keeps.

export interface CaptureRecord {
  /** the bytes are buf[off, off + capLen) — no per-packet slice */
  buf: Buffer;
  off: number;
  capLen: number;
  origLen: number;
  tsSec: number;
  tsNsec: number;
  linkType: number;
  interfaceId: number;
  /** the file ended inside this record: capLen is what was left */
  cut: boolean;
}

export type CaptureFormat = 'pcap' | 'pcap-ns' | 'pcapng';

export interface CaptureInfo {
  format: CaptureFormat;
  gzip: boolean;
  /** link type of the first interface (classic pcap: the file's) */
  linkType: number;
  /** every interface's link type (pcapng may have several) */
  linkTypes: number[];
  /** 6 (µs) or 9 (ns): digits worth printing */
  tsDigits: 6 | 9;
  bigEndian: boolean;
  /** the file ended inside a record header or block */
  cutTail: boolean;
  /** which reader decoded it (for the benchmark) */
  reader: 'pcap-parser' | 'classic' | 'pcapng';
}

export type RecordSink = (rec: CaptureRecord) => void;

/** A reader takes chunks as they arrive and calls the sink synchronously for every whole record. */
export interface ChunkReader {
  push(chunk: Buffer): void;
  end(): void;
  readonly info: CaptureInfo;
}

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_12: 12,
  RAW_14: 14,
  LOOP: 108,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const NAMES: Record<number, string> = {
  0: 'null',
  1: 'ethernet',
  12: 'raw',
  14: 'raw',
  101: 'raw',
  108: 'loop',
  113: 'linux-sll',
  228: 'ipv4',
  229: 'ipv6',
  276: 'linux-sll2',
};

export const linkTypeName = (t: number): string => NAMES[t] ?? `linktype-${t}`;

/** Larger than any real snaplen (262144): a bigger record length means a corrupt file. */
export const MAX_RECORD = 1 << 20;

export function newRecord(): CaptureRecord {
  return { buf: Buffer.alloc(0), off: 0, capLen: 0, origLen: 0, tsSec: 0, tsNsec: 0, linkType: 0, interfaceId: 0, cut: false };
}
