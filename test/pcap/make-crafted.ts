// Writes the crafted fixtures (IPIP as in seed 002, checksum and VXLAN anomalies, other link types) into
// fixtures/pcap/. Deterministic: same bytes every run. Then: npx tsx scripts/pcap-expect.ts
//   npx tsx test/pcap/make-crafted.ts
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arpRequest, ethernet, type Frame, icmpEcho, icmpUnreach, ipv4, pcapFile, tcp, udp, vxlan } from './craft.js';

const out = resolve(fileURLToPath(import.meta.url), '../../../fixtures/pcap');
const T0 = 1_700_000_000;
let tick = 0;
const at = (data: Buffer, origLen?: number): Frame => ({ data, sec: T0 + Math.floor(tick / 10), usec: (tick++ % 10) * 100_000 + 7, origLen });

// seed 002: node1 192.168.0.81 (ens33), node2 192.168.0.82, pods 10.244.1.2 -> 10.244.2.2, flannel.ipip mtu 1480
const N1 = '192.168.0.81';
const N2 = '192.168.0.82';
const P1 = '10.244.1.2';
const P2 = '10.244.2.2';
const M1 = '00:0c:29:aa:00:81';
const M2 = '00:0c:29:aa:00:82';

const pings = (n: number): [Buffer, Buffer][] =>
  Array.from({ length: n }, (_, i) => [ipv4(P1, P2, 1, icmpEcho(8, 0x33, i + 1), { id: 100 + i, df: true }), ipv4(P2, P1, 1, icmpEcho(0, 0x33, i + 1), { id: 200 + i })]);
const ipip = (inner: Buffer, src: string, dst: string): Buffer => ipv4(src, dst, 4, inner, { ttl: 64, id: inner.readUInt16BE(4) });

function write(name: string, data: Buffer): void {
  writeFileSync(join(out, name), data);
  process.stdout.write(`${name}: ${data.length} bytes\n`);
}

// node1.cap of the IPIP backend: Ethernet, outer node IPs, protocol 4, inner pod ICMP
tick = 0;
const ipipFrames = pings(3).flatMap(([req, rep]) => [at(ethernet(M2, M1, 0x0800, ipip(req, N1, N2))), at(ethernet(M1, M2, 0x0800, ipip(rep, N2, N1)))]);
write('ipip-node1.pcap', pcapFile(1, ipipFrames));
write('ipip-node1-be.pcap', pcapFile(1, ipipFrames, { bigEndian: true }));
// pod1-ipip.cap: a capture on flannel.ipip, raw IP (no Ethernet), the inner packets only
tick = 0;
write('ipip-tunnel-raw.pcap', pcapFile(101, pings(3).flatMap(([a, b]) => [at(a), at(b)])));
tick = 0;
write('ipip-tunnel-dlt12.pcap', pcapFile(12, pings(1).flatMap(([a, b]) => [at(a), at(b)])));
// Linux cooked v1 (113) carrying IPIP: packet type, ARPHRD_ETHER, addr len 6, address, protocol
const sllHead = (proto: number): Buffer => Buffer.concat([Buffer.from([0, 4, 0, 1, 0, 6]), Buffer.from([0, 0x0c, 0x29, 0xaa, 0, 0x81, 0, 0]), Buffer.from([proto >> 8, proto & 255])]);
tick = 0;
write('ipip-sll.pcap', pcapFile(113, pings(1).map(([a]) => at(Buffer.concat([sllHead(0x0800), ipip(a, N1, N2)])))));
// BSD loopback (DLT_NULL, host order AF_INET = 2)
tick = 0;
write('null-loopback.pcap', pcapFile(0, [at(Buffer.concat([Buffer.from([2, 0, 0, 0]), ipv4('127.0.0.1', '127.0.0.1', 1, icmpEcho(8, 9, 1))]))]));

// VXLAN anomalies between flannel nodes 192.168.56.11 / .12, pods 10.244.1.5 / 10.244.2.5
const A = '192.168.56.11';
const B = '192.168.56.12';
const PA = '10.244.1.5';
const PB = '10.244.2.5';
const VA = '0a:58:0a:f4:01:00';
const VB = '0a:58:0a:f4:02:00';
const vx = (inner: Buffer, o: { vni?: number; flags?: number; csum?: 'none' | 'ok' | 'bad'; port?: number; src?: string; dst?: string } = {}): Buffer => {
  const src = o.src ?? A;
  const dst = o.dst ?? B;
  const frame = ethernet(VB, VA, 0x0800, inner);
  return ethernet(M2, M1, 0x0800, ipv4(src, dst, 17, udp(src, dst, 40000, o.port ?? 8472, vxlan(o.vni ?? 1, frame, o.flags ?? 0x08), o.csum ?? 'none')));
};
tick = 0;
const echo = ipv4(PA, PB, 1, icmpEcho(8, 7, 1));
const big = ipv4(PA, PB, 1, icmpEcho(8, 7, 2, 1452), { df: true }); // 1480-byte inner packet, DF, over a 1500 path
const dnsQuery = Buffer.from('abcd01000001000000000000036b756207646566617500000100 01'.replace(/ /g, ''), 'hex');
const frames: Frame[] = [
  at(vx(echo, { csum: 'ok' })),
  at(vx(echo, { csum: 'bad' })),
  at(vx(ipv4(PA, PB, 1, icmpEcho(8, 7, 3), { badChecksum: true }))),
  at(vx(echo, { flags: 0x0c })),
  at(vx(echo, { vni: 42 })),
  at(vx(big)),
  at(ethernet(M1, M2, 0x0800, ipv4(B, A, 1, icmpUnreach(4, vx(big).subarray(14), 1450)))),
  at(vx(echo, { port: 4789 })),
  // an 802.1Q-tagged underlay (VLAN 100)
  at(ethernet(M2, M1, 0x0800, ipv4(A, B, 17, udp(A, B, 40001, 8472, vxlan(1, ethernet(VB, VA, 0x0800, echo)))), 100)),
  at(vx(ipv4(PA, PB, 17, udp(PA, PB, 5353, 53, dnsQuery), { mf: true }))),
  at(vx(ipv4(PA, PB, 6, tcp(33000, 80, 0x04)))),
  at(ethernet(M2, M1, 0x0800, ipv4(A, B, 17, udp(A, B, 40000, 8472, vxlan(1, ethernet('ff:ff:ff:ff:ff:ff', VA, 0x0806, arpRequest(VA, PA, '10.244.1.77'))))))),
];
write('vxlan-anomalies.pcap', pcapFile(1, frames));
tick = 0;
write('vxlan-port9999.pcap', pcapFile(1, [at(vx(echo, { port: 9999 })), at(vx(echo, { port: 9999, src: B, dst: A }))]));

// pcapng with three interfaces, each with its own link type and timestamp resolution: node1 eth0 (Ethernet, ns),
// the pod (Ethernet, µs) and flannel.ipip (raw IP, µs) — the first two are real captures (capture-fixtures.ts)
execFileSync('mergecap', ['-F', 'pcapng', '-w', join(out, 'merged-multi.pcapng'), ...['vxlan-node1-nano.pcap', 'pod1.pcap', 'ipip-tunnel-raw.pcap'].map((f) => join(out, f))]);
process.stdout.write('merged-multi.pcapng: 3 interfaces\n');
