// Captures the real fixtures under fixtures/pcap/ from a namespace lab (2-node flannel VXLAN cluster).
// Needs root; tcpdump runs INSIDE node/pod namespaces, never in the root namespace. Then run
// `npx tsx scripts/pcap-expect.ts` to regenerate the tshark expectations beside them.
//   npx tsx test/pcap/capture-fixtures.ts
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFlannelCluster } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, '../../fixtures/pcap');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tcpdump(ns: string, args: string[]): ChildProcess {
  const p = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-U', '-n', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  p.stderr?.resume();
  return p;
}

async function stop(procs: ChildProcess[]): Promise<void> {
  for (const p of procs) p.kill('SIGINT');
  await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(0) : p.once('exit', r)))));
}

const lab = new Lab('pcap');
try {
  const cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 2 });
  const [n1, n2] = cluster.nodes;
  const [a] = n1.pods;
  const [b, c] = n2.pods;
  const node = (ns: string, argv: string[]): ChildProcess => spawn('ip', ['netns', 'exec', ns, process.execPath, ...argv], { stdio: 'ignore', cwd: resolve(here, '../..') });
  const responder = node(b.netns, [join(here, 'dns-responder.mjs'), b.ip, '15000']);
  await sleep(700);
  // warm up neighbours so the captures hold the traffic we ask for, not only first-packet ARP
  lab.ping(a.netns, b.ip);
  const f = (name: string): string => join(out, name);
  const caps = [
    tcpdump(n1.netns, ['-i', 'eth0', '-w', f('vxlan-node1.pcap')]),
    tcpdump(n1.netns, ['-i', 'eth0', '--time-stamp-precision=nano', '-w', f('vxlan-node1-nano.pcap')]),
    tcpdump(n1.netns, ['-i', 'eth0', '-s', '82', '-w', f('vxlan-snaplen82.pcap')]),
    tcpdump(n1.netns, ['-i', 'any', '-w', f('node1-any-sll2.pcap')]),
    tcpdump(a.netns, ['-i', 'eth0', '-w', f('pod1.pcap')]),
  ];
  await sleep(1500);
  lab.tryExec(a.netns, ['ping', '-c', '3', '-i', '0.2', '-W', '1', b.ip]);
  lab.tryExec(a.netns, ['ping', '-c', '1', '-W', '1', '-s', '1300', c.ip]);
  lab.tryExec(a.netns, [process.execPath, join(here, 'dns-client.mjs'), b.ip, 'web.default.svc.cluster.local', 'nope.example', 'drop.timeout.test']);
  // nothing listens on c: ICMP port unreachable; then a TCP reset from b
  lab.tryExec(a.netns, [process.execPath, join(here, 'dns-client.mjs'), c.ip, 'kube-dns.kube-system.svc.cluster.local']);
  lab.tryExec(a.netns, [process.execPath, '-e', `require('net').connect(81, '${b.ip}').on('error', () => process.exit(0))`]);
  // an address on the pod subnet nobody has: ARP without an answer (on cni0, seen by -i any)
  lab.tryExec(a.netns, ['ping', '-c', '1', '-W', '1', n1.subnet.replace(/0\/24$/, '99')]);
  await sleep(1000);
  await stop(caps);
  responder.kill('SIGTERM');
  // derived files: pcapng, a file cut mid-record, gzip (the multi-interface pcapng is made by make-crafted.ts)
  execFileSync('editcap', ['-F', 'pcapng', f('vxlan-node1.pcap'), f('vxlan-node1.pcapng')]);
  const whole = readFileSync(f('vxlan-node1.pcap'));
  writeFileSync(f('vxlan-cut.pcap'), whole.subarray(0, whole.length - 37));
  writeFileSync(f('vxlan-node1.pcap.gz'), execFileSync('gzip', ['-9', '-n', '-c', f('vxlan-node1.pcap')]));
  process.stdout.write(`captured into ${out}\n`);
} finally {
  lab.teardown();
}
