// Decode benchmark (issue 5): builds N-packet VXLAN captures (bench/out/decode/, gitignored) and measures, in
// one run, flanctl decode --summary (pcap-parser on µs pcap, our readers on ns pcap and pcapng), flanctl's
// per-packet text, tcpdump -nn -r and tshark -d udp.port==8472,vxlan -r: packets/s and peak RSS (GNU time).
// Memory flatness: --summary on N and 4N packets.
//   npx tsx bench/decode.ts [--packets 1000000] [--no-large] [--no-tshark]
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethernet, icmpEcho, ipv4, tcp, udp, vxlan } from '../test/pcap/craft.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const out = join(root, 'bench/out/decode');
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('--packets', 1_000_000);
const large = !process.argv.includes('--no-large');
const withTshark = !process.argv.includes('--no-tshark');

/** 1000 pod-to-pod flows between 4 nodes: ICMP echo, DNS-sized UDP and TCP, all over VXLAN 8472. */
function templates(): Buffer[] {
  const t: Buffer[] = [];
  for (let f = 0; f < 1000; f++) {
    const a = 1 + (f % 4);
    const b = 1 + ((f + 1) % 4);
    const src = `10.244.${a}.${2 + (f % 200)}`;
    const dst = `10.244.${b}.${2 + ((f * 7) % 200)}`;
    const inner =
      f % 3 === 0 ? ipv4(src, dst, 1, icmpEcho(8, f, 1)) : f % 3 === 1 ? ipv4(src, dst, 17, udp(src, dst, 30000 + f, 8080, Buffer.alloc(40, 1), 'ok')) : ipv4(src, dst, 6, tcp(40000 + f, 80, 0x18));
    const na = `192.168.56.${10 + a}`;
    const nb = `192.168.56.${10 + b}`;
    const frame = ethernet('0a:58:0a:f4:00:02', '0a:58:0a:f4:00:01', 0x0800, inner);
    t.push(ethernet('52:54:00:00:00:02', '52:54:00:00:00:01', 0x0800, ipv4(na, nb, 17, udp(na, nb, 40000 + (f % 2000), 8472, vxlan(1, frame)))));
  }
  return t;
}

type Format = 'pcap' | 'pcap-ns' | 'pcapng';

/** Writes `count` packets (templates in turn, 10 µs apart) in 4 MiB blocks. */
function generate(path: string, count: number, format: Format): void {
  if (existsSync(path)) return;
  const t = templates();
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4 << 20);
  let used = 0;
  const put = (b: Buffer): void => {
    if (used + b.length > block.length) {
      writeSync(fd, block, 0, used);
      used = 0;
    }
    b.copy(block, used);
    used += b.length;
  };
  if (format === 'pcapng') {
    const shb = Buffer.alloc(28);
    shb.writeUInt32LE(0x0a0d0d0a, 0);
    shb.writeUInt32LE(28, 4);
    shb.writeUInt32LE(0x1a2b3c4d, 8);
    shb.writeUInt16LE(1, 12);
    shb.writeBigInt64LE(-1n, 16);
    shb.writeUInt32LE(28, 24);
    const idb = Buffer.alloc(32);
    idb.writeUInt32LE(1, 0);
    idb.writeUInt32LE(32, 4);
    idb.writeUInt16LE(1, 8);
    idb.writeUInt32LE(262144, 12);
    idb.writeUInt16LE(9, 16); // if_tsresol = 9 (ns)
    idb.writeUInt16LE(1, 18);
    idb[20] = 9;
    idb.writeUInt32LE(32, 28);
    put(shb);
    put(idb);
  } else {
    const h = Buffer.alloc(24);
    h.writeUInt32LE(format === 'pcap-ns' ? 0xa1b23c4d : 0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(262144, 16);
    h.writeUInt32LE(1, 20);
    put(h);
  }
  const t0 = 1_700_000_000;
  for (let i = 0; i < count; i++) {
    const data = t[i % t.length];
    const usec = i * 10;
    const sec = t0 + Math.floor(usec / 1e6);
    const frac = usec % 1e6;
    if (format === 'pcapng') {
      const pad = (4 - (data.length % 4)) % 4;
      const len = 32 + data.length + pad;
      const h = Buffer.alloc(28);
      h.writeUInt32LE(6, 0);
      h.writeUInt32LE(len, 4);
      const ns = BigInt(sec) * 1_000_000_000n + BigInt(frac * 1000);
      h.writeUInt32LE(Number(ns >> 32n), 12);
      h.writeUInt32LE(Number(ns & 0xffffffffn), 16);
      h.writeUInt32LE(data.length, 20);
      h.writeUInt32LE(data.length, 24);
      const tail = Buffer.alloc(pad + 4);
      tail.writeUInt32LE(len, pad);
      put(Buffer.concat([h, data, tail]));
    } else {
      const h = Buffer.alloc(16);
      h.writeUInt32LE(sec, 0);
      h.writeUInt32LE(format === 'pcap-ns' ? frac * 1000 : frac, 4);
      h.writeUInt32LE(data.length, 8);
      h.writeUInt32LE(data.length, 12);
      put(h);
      put(data);
    }
  }
  writeSync(fd, block, 0, used);
  closeSync(fd);
}

interface Result {
  name: string;
  command: string;
  packets: number;
  /** best of the runs, wall clock */
  seconds: number;
  /** best of the runs, user + system CPU: what the tool costs, whatever else the machine is doing */
  cpuSeconds: number;
  packetsPerSec: number;
  packetsPerCpuSec: number;
  peakRssMiB: number;
}

const REPS = arg('--reps', 3);

/** REPS runs under GNU time (elapsed, user, system, max RSS), stdout to /dev/null; the best run counts. */
function measure(name: string, argv: string[], packets: number): Result {
  let best: Result | undefined;
  for (let i = 0; i < REPS; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    const [secs, user, sys, kib] = last.split(' ').map(Number);
    if (!Number.isFinite(secs) || !Number.isFinite(kib)) throw new Error(`${name}: could not measure (${r.stderr.slice(-300)})`);
    const cpu = user + sys;
    const res: Result = {
      name, command: argv.join(' ').replaceAll(root + '/', ''), packets, seconds: secs, cpuSeconds: +cpu.toFixed(2),
      packetsPerSec: Math.round(packets / secs), packetsPerCpuSec: Math.round(packets / cpu), peakRssMiB: Math.round(kib / 1024),
    };
    if (!best || res.cpuSeconds < best.cpuSeconds) best = { ...res, seconds: Math.min(res.seconds, best?.seconds ?? Infinity), packetsPerSec: Math.max(res.packetsPerSec, best?.packetsPerSec ?? 0), peakRssMiB: Math.max(res.peakRssMiB, best?.peakRssMiB ?? 0) };
    else best = { ...best, seconds: Math.min(res.seconds, best.seconds), packetsPerSec: Math.max(res.packetsPerSec, best.packetsPerSec), peakRssMiB: Math.max(res.peakRssMiB, best.peakRssMiB) };
  }
  process.stderr.write(`${name}: ${best!.seconds}s wall, ${best!.cpuSeconds}s CPU, ${best!.packetsPerCpuSec} packets/CPU-s, ${best!.peakRssMiB} MiB\n`);
  return best!;
}

mkdirSync(out, { recursive: true });
const f = (n: number, fmt: Format): string => join(out, `vxlan-${n}.${fmt === 'pcapng' ? 'pcapng' : fmt === 'pcap-ns' ? 'ns.pcap' : 'pcap'}`);
const formats: Format[] = ['pcap', 'pcap-ns', 'pcapng'];
// a capture already there is reused as it is (generate() skips it)
const reuse = formats.every((fmt) => existsSync(f(N, fmt)));
process.stderr.write(`${reuse ? 'reusing the' : 'generating'} ${N}-packet captures in ${out}\n`);
for (const fmt of formats) generate(f(N, fmt), N, fmt);
if (large) generate(f(4 * N, 'pcap'), 4 * N, 'pcap');

const flanctl = [process.execPath, join(root, 'bin/run.js'), 'decode'];
const results: Result[] = [
  measure('flanctl --summary (pcap µs, built-in reader: the default)', [...flanctl, '--summary', f(N, 'pcap')], N),
  measure('flanctl --summary (pcap µs, pcap-parser)', [...flanctl, '--summary', '--reader', 'pcap-parser', f(N, 'pcap')], N),
  measure('flanctl --summary (pcap ns, built-in reader)', [...flanctl, '--summary', f(N, 'pcap-ns')], N),
  measure('flanctl --summary (pcapng, built-in reader)', [...flanctl, '--summary', f(N, 'pcapng')], N),
  measure('flanctl per-packet text (built-in reader)', [...flanctl, f(N, 'pcap')], N),
  measure('flanctl per-packet text (pcap-parser)', [...flanctl, '--reader', 'pcap-parser', f(N, 'pcap')], N),
  measure('tcpdump -nn -r', ['tcpdump', '-nn', '-r', f(N, 'pcap')], N),
];
// the single binary (npm run build:binary), when built: what a node without Node.js runs
const bin = join(root, 'dist/flanctl-linux-x64');
if (existsSync(bin)) results.push(measure('flanctl binary --summary (pcap µs, built-in reader)', [bin, 'decode', '--summary', f(N, 'pcap')], N));
if (withTshark) results.push(measure('tshark -d udp.port==8472,vxlan -r', ['tshark', '-n', '-d', 'udp.port==8472,vxlan', '-r', f(N, 'pcap')], N));
if (large) results.push(measure(`flanctl --summary, ${4 * N} packets`, [...flanctl, '--summary', f(4 * N, 'pcap')], 4 * N));

const by = (name: string): Result | undefined => results.find((r) => r.name.startsWith(name));
const summary = by('flanctl --summary (pcap µs, built-in')!;
const ratios = {
  summaryVsTshark: by('tshark') ? +(summary.packetsPerCpuSec / by('tshark')!.packetsPerCpuSec).toFixed(1) : undefined,
  summaryVsTcpdump: +(summary.packetsPerCpuSec / by('tcpdump')!.packetsPerCpuSec).toFixed(2),
  binarySummaryVsTshark: by('flanctl binary') && by('tshark') ? +(by('flanctl binary')!.packetsPerCpuSec / by('tshark')!.packetsPerCpuSec).toFixed(1) : undefined,
  binarySummaryVsTcpdump: by('flanctl binary') ? +(by('flanctl binary')!.packetsPerCpuSec / by('tcpdump')!.packetsPerCpuSec).toFixed(2) : undefined,
  pcapParserSummaryVsTshark: by('tshark') ? +(by('flanctl --summary (pcap µs, pcap-parser')!.packetsPerCpuSec / by('tshark')!.packetsPerCpuSec).toFixed(1) : undefined,
  pcapParserSummaryVsTcpdump: +(by('flanctl --summary (pcap µs, pcap-parser')!.packetsPerCpuSec / by('tcpdump')!.packetsPerCpuSec).toFixed(2),
  textVsTcpdump: +(by('flanctl per-packet text (built-in')!.packetsPerCpuSec / by('tcpdump')!.packetsPerCpuSec).toFixed(2),
  pcapParserTextVsTcpdump: +(by('flanctl per-packet text (pcap-parser')!.packetsPerCpuSec / by('tcpdump')!.packetsPerCpuSec).toFixed(2),
  rss4xVs1x: large ? +(results.at(-1)!.peakRssMiB / summary.peakRssMiB).toFixed(2) : undefined,
};
const meta = { packets: N, fileMiB: Math.round(statSync(f(N, 'pcap')).size / 1048576), node: process.version, cores: (await import('node:os')).cpus().length, loadavg: (await import('node:os')).loadavg().map((x) => +x.toFixed(1)), date: new Date().toISOString() };
writeFileSync(join(out, 'decode.json'), JSON.stringify({ meta, results, ratios }, null, 2) + '\n');
const fmt = (n: number): string => n.toLocaleString('en-US');
const table = [
  '| what | command | packets/CPU-s | packets/s (wall) | peak RSS |',
  '| --- | --- | ---: | ---: | ---: |',
  ...results.map((r) => `| ${r.name} | \`${r.command.replace(process.execPath, 'node')}\` | ${fmt(r.packetsPerCpuSec)} | ${fmt(r.packetsPerSec)} | ${r.peakRssMiB} MiB |`),
];
process.stdout.write(`${table.join('\n')}\n\nratios: ${JSON.stringify(ratios)}\nmeta: ${JSON.stringify(meta)}\n`);
