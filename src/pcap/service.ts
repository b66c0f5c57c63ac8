// decodeCapture: one streaming pass over a capture — read, decode, filter, check, count, and (per mode)
// print lines / NDJSON records or write the inner frames. Memory stays flat: nothing per packet is kept
// except in --json --records mode (bounded by --limit).
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Anomalies, type Anomaly, checkPacket, type Severity } from './anomalies.js';
import { decodeDns, type DnsInfo } from './dns.js';
import { packetLine, packetRecord } from './format.js';
import { decodeRecord, udpPortTable } from './layers/index.js';
import { newPacket, type Packet, TUNNEL_VXLAN } from './packet.js';
import { progressBar } from './progress.js';
import { type CaptureInfo, type CaptureRecord, linkTypeName, openInput, readCapture } from './reader/index.js';
import { Counters, type FlowRow, type TunnelRow } from './summary.js';
import { ArpTracker, DnsTracker, type DnsQuestion } from './trackers.js';
import { PcapWriter } from './writer.js';
import { refuseOverInput } from '../collect/output.js';

export type DecodeMode = 'lines' | 'ndjson' | 'summary';

export interface PacketFilter {
  /** IPv4 address as an unsigned number, matched at any level, source or destination */
  host?: number;
  vni?: number;
  proto?: string;
}

export interface DecodeOptions {
  /** path, or - for stdin; also the name reported */
  file: string;
  /** read from this stream instead of opening `file` */
  input?: Readable;
  mode: DecodeMode;
  /** keep JSON records for --json (bounded by limit) */
  records?: boolean;
  filter?: PacketFilter;
  limit?: number;
  vxlanPorts?: number[];
  mtu?: number;
  knownVnis?: number[];
  writeInner?: string;
  pcapParser?: boolean;
  /** where lines / NDJSON go (called with batches of whole lines) */
  out?: (text: string) => void;
  progress?: boolean;
}

export interface DecodeResult {
  file: string;
  format: string;
  linkType: string;
  linkTypes: string[];
  reader: string;
  gzip: boolean;
  /** packets read from the file */
  packets: number;
  /** packets that passed the filters */
  matched: number;
  truncated: number;
  tunnels: { vxlan: TunnelRow[]; ipip: TunnelRow[] };
  flows: FlowRow[];
  dns: DnsQuestion[];
  anomalies: Anomaly[];
  innerWritten?: number;
  records?: Record<string, unknown>[];
}

function matches(p: Packet, f: PacketFilter): boolean {
  if (f.vni !== undefined && (p.tunnel !== TUNNEL_VXLAN || p.vni !== f.vni)) return false;
  if (f.host !== undefined) {
    let hit = p.arpOp !== 0 && (p.arpSpa === f.host || p.arpTpa === f.host);
    for (let l = 0; l < p.depth && !hit; l++) {
      const ip = p.ips[l];
      hit = ip.version === 4 && (ip.src === f.host || ip.dst === f.host);
    }
    if (!hit) return false;
  }
  if (f.proto !== undefined) {
    const ip = p.depth > 0 ? p.ips[p.depth - 1] : undefined;
    switch (f.proto) {
      case 'vxlan':
        return p.tunnel === TUNNEL_VXLAN;
      case 'ipip':
        return p.tunnel === 2;
      case 'arp':
        return p.arpOp !== 0;
      case 'dns':
        return p.dnsLevel >= 0;
      case 'icmp':
        return ip?.l4 === 1;
      case 'icmp6':
        return ip?.l4 === 58;
      case 'tcp':
        return ip?.l4 === 6;
      case 'udp':
        return ip?.l4 === 17;
    }
  }
  return true;
}

export async function decodeCapture(opts: DecodeOptions): Promise<DecodeResult> {
  const perPacket = opts.mode !== 'summary' || opts.records === true;
  // without per-packet output only the outer UDP checksum is reported (bad-outer-udp-checksum)
  const p = newPacket(udpPortTable(opts.vxlanPorts), perPacket ? 2 : 1);
  const anomalies = new Anomalies();
  const report = (kind: string, severity: Severity, summary: string, n: number): void => anomalies.add(kind, severity, summary, n);
  const dnsTracker = new DnsTracker(report);
  const arp = new ArpTracker();
  const counters = new Counters();
  const checkOpts = { mtu: opts.mtu ?? 1500, knownVnis: opts.knownVnis ?? [1] };
  const filter = opts.filter ?? {};
  const filtering = filter.host !== undefined || filter.vni !== undefined || filter.proto !== undefined;
  const records: Record<string, unknown>[] = [];
  let writer: PcapWriter | undefined;
  let info: CaptureInfo | undefined;
  let live: CaptureInfo | undefined;
  let digits: 6 | 9 = 6;
  let n = 0;
  let matched = 0;
  let truncatedCount = 0;
  let pending = '';
  let kinds: string[] = [];
  const collect = (kind: string, severity: Severity, summary: string): void => {
    anomalies.add(kind, severity, summary, n);
    if (perPacket) kinds.push(kind);
  };

  const sink = (rec: CaptureRecord): void => {
    n++;
    decodeRecord(p, rec);
    if (filtering && !matches(p, filter)) return;
    if (opts.limit !== undefined && matched >= opts.limit) return;
    matched++;
    if (perPacket) kinds = [];
    if (p.truncated) {
      truncatedCount++;
      collect('truncated', 'info', `packets cut short (snapshot length or a cut file)`);
    }
    checkPacket(p, checkOpts, collect);
    let dns: DnsInfo | undefined;
    let latency: number | undefined;
    if (p.dnsLevel >= 0) {
      dns = decodeDns(p);
      if (dns) latency = dnsTracker.add(p, dns, n);
    }
    if (p.arpOp) arp.add(p, n);
    // tunnels and flows are shown by --summary / --json only
    if (!perPacket || opts.records) counters.add(p);
    digits = live?.tsDigits ?? 6;
    if (opts.writeInner && p.innerOff >= 0 && p.innerOff < p.end) {
      writer ??= new PcapWriter(opts.writeInner, digits === 9);
      const hdr = p.innerOff - p.start;
      writer.write(p.tsSec, p.tsNsec, p.buf, p.innerOff, p.end - p.innerOff, Math.max(p.origLen - hdr, p.end - p.innerOff), p.tunnel === TUNNEL_VXLAN);
    }
    if (!perPacket) return;
    if (opts.mode === 'lines') pending += packetLine(p, digits, dns, latency, kinds) + '\n';
    else {
      const r = packetRecord(p, n, digits, dns, latency, kinds);
      if (opts.mode === 'ndjson') pending += JSON.stringify(r) + '\n';
      else records.push(r);
    }
    if (pending.length >= 65536) flush();
  };
  const flush = (): void => {
    if (pending.length && opts.out) opts.out(pending);
    pending = '';
  };

  if (opts.writeInner) refuseOverInput(opts.writeInner, opts.file === '-' ? [] : [opts.file]);
  const size = opts.file === '-' ? undefined : statSafe(opts.file);
  const bar = opts.progress ? progressBar(size) : undefined;
  try {
    info = await readCapture(opts.input ?? openInput(opts.file), sink, {
      pcapParser: opts.pcapParser,
      stop: () => opts.limit !== undefined && matched >= opts.limit,
      onProgress: (bytes) => {
        flush();
        bar?.(bytes, n);
      },
      onInfo: (i) => {
        live = i;
      },
    });
  } finally {
    flush();
    bar?.done();
    if (opts.writeInner && !writer) writer = new PcapWriter(opts.writeInner, live?.tsDigits === 9);
    writer?.close();
  }
  if (info.cutTail) anomalies.add('file-cut', 'warning', 'the file ends in the middle of a record (copied while still being written?)', n);
  arp.finish(report);
  const dnsRows = dnsTracker.finish();
  const result: DecodeResult = {
    file: opts.file,
    format: info.format,
    linkType: linkTypeName(info.linkType),
    linkTypes: [...new Set(info.linkTypes.map(linkTypeName))],
    reader: info.reader,
    gzip: info.gzip,
    packets: n,
    matched,
    truncated: truncatedCount,
    tunnels: counters.tunnelRows(digits),
    flows: counters.flowRows(digits),
    dns: dnsRows,
    anomalies: anomalies.list(),
  };
  if (writer) result.innerWritten = writer.written;
  if (opts.records) result.records = records;
  return result;
}

function statSafe(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}
