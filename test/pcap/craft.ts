// Byte-exact packet builders for the crafted fixtures (IPIP: the kernel here has no ipip module; bad
// checksums and odd VXLAN headers a healthy lab never sends) and for the benchmark's generated capture.

export function ipv4Bytes(s: string): number[] {
  return s.split('.').map(Number);
}

function csum(b: Buffer, off: number, end: number, acc = 0): number {
  for (let i = off; i < end; i += 2) acc += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return ~acc & 0xffff;
}

export interface Ipv4Opts {
  ttl?: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  fragOffset?: number;
  badChecksum?: boolean;
}

export function ipv4(src: string, dst: string, proto: number, payload: Buffer, o: Ipv4Opts = {}): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(o.id ?? 0x1234, 4);
  h.writeUInt16BE((o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3), 6);
  h[8] = o.ttl ?? 64;
  h[9] = proto;
  Buffer.from(ipv4Bytes(src)).copy(h, 12);
  Buffer.from(ipv4Bytes(dst)).copy(h, 16);
  h.writeUInt16BE(csum(h, 0, 20) ^ (o.badChecksum ? 0x5a5a : 0), 10);
  return Buffer.concat([h, payload]);
}

export function icmpEcho(type: 0 | 8, id: number, seq: number, dataLen = 56): Buffer {
  const b = Buffer.alloc(8 + dataLen);
  b[0] = type;
  b.writeUInt16BE(id, 4);
  b.writeUInt16BE(seq, 6);
  for (let i = 0; i < dataLen; i++) b[8 + i] = i & 0xff;
  b.writeUInt16BE(csum(b, 0, b.length), 2);
  return b;
}

/** ICMP error (type 3) quoting the first 28 bytes of `quoted`; code 4 carries the next-hop MTU. */
export function icmpUnreach(code: number, quoted: Buffer, mtu = 0): Buffer {
  const b = Buffer.concat([Buffer.alloc(8), quoted.subarray(0, 28)]);
  b[0] = 3;
  b[1] = code;
  if (code === 4) b.writeUInt16BE(mtu, 6);
  b.writeUInt16BE(csum(b, 0, b.length), 2);
  return b;
}

/** UDP with checksum: 'none' (0), 'ok', or 'bad' (correct value xor 0x1111). */
export function udp(src: string, dst: string, sport: number, dport: number, payload: Buffer, checksum: 'none' | 'ok' | 'bad' = 'none'): Buffer {
  const b = Buffer.alloc(8 + payload.length);
  b.writeUInt16BE(sport, 0);
  b.writeUInt16BE(dport, 2);
  b.writeUInt16BE(b.length, 4);
  payload.copy(b, 8);
  if (checksum !== 'none') {
    const pseudo = Buffer.concat([Buffer.from(ipv4Bytes(src)), Buffer.from(ipv4Bytes(dst)), Buffer.from([0, 17, b.length >> 8, b.length & 255])]);
    let c = csum(Buffer.concat([pseudo, b]), 0, pseudo.length + b.length);
    if (c === 0) c = 0xffff;
    b.writeUInt16BE(checksum === 'bad' ? c ^ 0x1111 : c, 6);
  }
  return b;
}

export function tcp(sport: number, dport: number, flags: number): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(sport, 0);
  b.writeUInt16BE(dport, 2);
  b[12] = 5 << 4;
  b[13] = flags;
  b.writeUInt16BE(64240, 14);
  return b;
}

export function mac(s: string): Buffer {
  return Buffer.from(s.split(':').map((x) => parseInt(x, 16)));
}

export function ethernet(dst: string, src: string, type: number, payload: Buffer, vlan?: number): Buffer {
  const tag = vlan === undefined ? Buffer.alloc(0) : Buffer.from([0x81, 0x00, vlan >> 8, vlan & 255]);
  const t = Buffer.from([type >> 8, type & 255]);
  return Buffer.concat([mac(dst), mac(src), tag, t, payload]);
}

export function vxlan(vni: number, inner: Buffer, flags = 0x08): Buffer {
  const h = Buffer.alloc(8);
  h[0] = flags;
  h.writeUInt32BE(vni << 8, 4);
  return Buffer.concat([h, inner]);
}

export function arpRequest(senderMac: string, senderIp: string, targetIp: string): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt16BE(1, 0);
  b.writeUInt16BE(0x0800, 2);
  b[4] = 6;
  b[5] = 4;
  b.writeUInt16BE(1, 6);
  mac(senderMac).copy(b, 8);
  Buffer.from(ipv4Bytes(senderIp)).copy(b, 14);
  Buffer.from(ipv4Bytes(targetIp)).copy(b, 24);
  return b;
}

export interface Frame {
  data: Buffer;
  sec: number;
  usec: number;
  origLen?: number;
}

/** A classic pcap file: µs, little-endian unless told. */
export function pcapFile(linkType: number, frames: Frame[], o: { bigEndian?: boolean; snaplen?: number } = {}): Buffer {
  const w32 = (b: Buffer, v: number, off: number): number => (o.bigEndian ? b.writeUInt32BE(v, off) : b.writeUInt32LE(v, off));
  const head = Buffer.alloc(24);
  w32(head, 0xa1b2c3d4, 0);
  if (o.bigEndian) {
    head.writeUInt16BE(2, 4);
    head.writeUInt16BE(4, 6);
  } else {
    head.writeUInt16LE(2, 4);
    head.writeUInt16LE(4, 6);
  }
  w32(head, o.snaplen ?? 262144, 16);
  w32(head, linkType, 20);
  const parts: Buffer[] = [head];
  for (const f of frames) {
    const h = Buffer.alloc(16);
    w32(h, f.sec, 0);
    w32(h, f.usec, 4);
    w32(h, f.data.length, 8);
    w32(h, f.origLen ?? f.data.length, 12);
    parts.push(h, f.data);
  }
  return Buffer.concat(parts);
}
