// Issue 16 item 14: pcapng with if_tsresol=0 (timestamps in whole seconds) and a large 64-bit timestamp gave
// "internal error: Invalid time value" (and a RangeError with --write-inner). Now it decodes: the time is shown
// as invalid, the inner frame is written.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../collect/cli.js';
import { ethernet, ipv4, udp, vxlan } from './craft.js';

const tmp = mkdtempSync(join(tmpdir(), 'flanctl-ts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const block = (type: number, body: Buffer): Buffer => {
  const len = 12 + body.length;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
};
const pad4 = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);

/** pcapng (pcapng spec §4): SHB, an IDB with if_tsresol = `resol`, one EPB with the 64-bit timestamp hi:lo. */
function pcapng(resol: number, hi: number, lo: number, frame: Buffer): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeInt32LE(-1, 8);
  shb.writeInt32LE(-1, 12);
  const idb = Buffer.alloc(8 + 8 + 4);
  idb.writeUInt16LE(1, 0); // LINKTYPE_ETHERNET
  idb.writeUInt32LE(65535, 4);
  idb.writeUInt16LE(9, 8); // if_tsresol
  idb.writeUInt16LE(1, 10);
  idb.writeUInt8(resol, 12);
  // opt_endofopt at 16 (zeros)
  const epb = Buffer.alloc(20);
  epb.writeUInt32LE(hi, 4);
  epb.writeUInt32LE(lo, 8);
  epb.writeUInt32LE(frame.length, 12);
  epb.writeUInt32LE(frame.length, 16);
  return Buffer.concat([block(0x0a0d0d0a, shb), block(1, idb), block(6, Buffer.concat([epb, pad4(frame)]))]);
}

describe('pcapng timestamps out of Date range', () => {
  it('if_tsresol=0 with a 64-bit second count: decoded, --json and --write-inner work', () => {
    const inner = ethernet('0a:00:00:00:00:02', '0a:00:00:00:00:01', 0x0800, ipv4('10.244.1.2', '10.244.2.3', 17, udp('10.244.1.2', '10.244.2.3', 1000, 2000, Buffer.from('x'))));
    const outer = ethernet('02:00:00:00:00:02', '02:00:00:00:00:01', 0x0800, ipv4('192.168.56.11', '192.168.56.12', 17, udp('192.168.56.11', '192.168.56.12', 40000, 8472, vxlan(1, inner))));
    const file = join(tmp, 'ts.pcapng');
    writeFileSync(file, pcapng(0, 0xffffffff, 0xffffffff, outer));
    const r = runCli(['decode', file, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.packets).toBe(1);
    const out = join(tmp, 'inner.pcap');
    const w = runCli(['decode', file, '--write-inner', out]);
    expect(w.status, w.stderr).toBe(0);
    // header 24 + record header 16 + the inner frame
    expect(statSync(out).size).toBe(24 + 16 + inner.length);
  });
});
