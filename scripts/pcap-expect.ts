// Regenerates the expected decode beside every capture in fixtures/pcap/ with tshark:
//   npx tsx scripts/pcap-expect.ts            (all)      npx tsx scripts/pcap-expect.ts FILE...
// Writes <capture>.tshark.json: the tshark command and, per frame, the fields test/pcap/fixtures.test.ts
// compares with flanctl's decode. tshark decodes 8472 as VXLAN only when told (-d udp.port==8472,vxlan).
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = resolve(fileURLToPath(import.meta.url), '../../fixtures/pcap');

/** extra VXLAN ports a fixture needs (flanctl --vxlan-port, tshark -d) */
export const EXTRA_VXLAN_PORTS: Record<string, number[]> = { 'vxlan-port9999.pcap': [9999] };

const FIELDS = [
  'frame.number', 'frame.time_epoch', 'frame.len', 'frame.cap_len',
  'ip.src', 'ip.dst', 'ip.proto', 'ip.checksum.status', 'ip.flags.df', 'ip.flags.mf', 'ip.frag_offset',
  'ipv6.src', 'ipv6.dst',
  'udp.srcport', 'udp.dstport', 'udp.checksum.status', 'tcp.srcport', 'tcp.dstport', 'tcp.flags',
  'icmp.type', 'icmp.code', 'icmp.ident', 'icmp.seq', 'icmp.mtu', 'icmpv6.type',
  'vxlan.flags', 'vxlan.vni', 'vlan.id', 'sll.ifindex',
  'arp.opcode', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4',
  'dns.id', 'dns.flags.response', 'dns.qry.name', 'dns.qry.type', 'dns.flags.rcode', 'dns.a',
  '_ws.malformed',
];

export function tsharkArgs(file: string): string[] {
  const ports = [8472, ...(EXTRA_VXLAN_PORTS[basename(file)] ?? [])];
  return [
    '-n', '-r', file,
    ...ports.flatMap((p) => ['-d', `udp.port==${p},vxlan`]),
    '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
    '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,',
    ...FIELDS.flatMap((f) => ['-e', f]),
  ];
}

function expect(file: string): void {
  const args = tsharkArgs(file);
  // tshark exits 2 on a file cut mid-record, after printing every whole frame
  const run = spawnSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  if (run.status !== 0 && run.status !== 2) throw new Error(`tshark failed on ${file} (exit ${run.status})`);
  const text = run.stdout;
  const frames = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const cols = line.split('\t');
      const frame: Record<string, string[]> = {};
      FIELDS.forEach((f, i) => {
        if (cols[i]) frame[f] = cols[i].split(',');
      });
      return frame;
    });
  const version = execFileSync('tshark', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const out = { tshark: version, exit: run.status, command: ['tshark', ...args.map((a) => (a === file ? basename(file) : a))].join(' '), frames };
  writeFileSync(`${file}.tshark.json`, JSON.stringify(out, null, 1) + '\n');
  process.stdout.write(`${basename(file)}: ${frames.length} frames\n`);
}

const CAPTURE = /\.(pcap|pcapng|cap|gz)$/;
// run as a script only (the tests import EXTRA_VXLAN_PORTS)
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const files = process.argv.slice(2).length ? process.argv.slice(2) : readdirSync(dir).filter((f) => CAPTURE.test(f)).map((f) => join(dir, f));
  for (const f of files) expect(resolve(f));
}
