// --write-inner: the decapsulated inner frames as a classic pcap (µs or ns, as the input was), written in
// 1 MiB blocks so memory stays flat. Inner Ethernet for VXLAN, raw IP (101) for IPIP; a capture holding both
// is written with the first kind's link type and the other converted (an IPIP inner packet gets a zero
// Ethernet header; a VXLAN inner IP frame loses its Ethernet header).
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { outputError, tempPathFor } from '../collect/output.js';
import { UsageError } from '../errors.js';
import { LINKTYPE } from './reader/record.js';

const BLOCK = 1 << 20;

export class PcapWriter {
  private readonly fd: number;
  private readonly block = Buffer.allocUnsafe(BLOCK);
  private used = 0;
  private linkType = -1;
  written = 0;

  private readonly tmp: string;
  private closed = false;

  /** Written under a temporary name beside `path`, renamed over it by close(): an input is never half-overwritten. */
  constructor(
    private readonly path: string,
    private readonly nano: boolean,
  ) {
    this.tmp = tempPathFor(path);
    try {
      this.fd = openSync(this.tmp, 'wx', 0o644);
    } catch (e) {
      throw new UsageError(`cannot write ${path}: ${outputError(e)}`);
    }
  }

  /** `ethernet`: the frame starts with an Ethernet header (VXLAN), else with an IP header (IPIP). */
  write(sec: number, ns: number, buf: Buffer, off: number, capLen: number, origLen: number, ethernet: boolean): void {
    if (this.linkType < 0) this.header(ethernet ? LINKTYPE.ETHERNET : LINKTYPE.RAW);
    let pre: Buffer | undefined;
    if (this.linkType === LINKTYPE.ETHERNET && !ethernet) {
      pre = Buffer.alloc(14);
      pre.writeUInt16BE(buf[off] >> 4 === 6 ? 0x86dd : 0x0800, 12);
    } else if (this.linkType === LINKTYPE.RAW && ethernet) {
      if (capLen < 14) return;
      off += 14;
      capLen -= 14;
      origLen -= 14;
    }
    const extra = pre ? 14 : 0;
    this.reserve(16 + extra + capLen);
    const b = this.block;
    // classic pcap holds 32-bit seconds (until 2106): a later pcapng timestamp is written as the last one it can hold
    b.writeUInt32LE(sec > 0xffffffff || !(sec >= 0) ? 0xffffffff : sec, this.used);
    b.writeUInt32LE(this.nano ? Math.min(ns, 999_999_999) : Math.min(Math.floor(ns / 1000), 999_999), this.used + 4);
    b.writeUInt32LE(capLen + extra, this.used + 8);
    b.writeUInt32LE(origLen + extra, this.used + 12);
    this.used += 16;
    if (pre) {
      pre.copy(b, this.used);
      this.used += 14;
    }
    buf.copy(b, this.used, off, off + capLen);
    this.used += capLen;
    this.written++;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.linkType < 0) this.header(LINKTYPE.ETHERNET); // still a valid (empty) pcap
    try {
      this.flush();
      closeSync(this.fd);
      renameSync(this.tmp, this.path);
    } catch (e) {
      rmSync(this.tmp, { force: true });
      throw new UsageError(`cannot write ${this.path}: ${outputError(e)}`);
    }
  }

  private header(linkType: number): void {
    this.linkType = linkType;
    const h = Buffer.alloc(24);
    h.writeUInt32LE(this.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(262144, 16);
    h.writeUInt32LE(linkType, 20);
    this.reserve(24);
    h.copy(this.block, this.used);
    this.used += 24;
  }

  private reserve(n: number): void {
    if (this.used + n > BLOCK) this.flush();
  }

  private flush(): void {
    let o = 0;
    try {
      while (o < this.used) o += writeSync(this.fd, this.block, o, this.used - o);
    } catch (e) {
      // a full disk: drop the temporary file, keep whatever was at the destination
      this.closed = true;
      closeSync(this.fd);
      rmSync(this.tmp, { force: true });
      throw new UsageError(`cannot write ${this.path}: ${outputError(e)}`);
    }
    this.used = 0;
  }
}
