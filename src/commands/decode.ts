import type { CommandSpec } from '../cli/spec.js';
import { terminalView } from '../cli/terminal.js';
import type { DecodeResult } from '../pcap/index.js';
import { decodeService } from '../services/decode.js';
import { toOptions } from '../services/options.js';

export default {
  description: `Decode an overlay capture: VXLAN (8472, 4789) and IPIP, outer and inner on one line, DNS inside, anomalies.
Reads pcap (µs/ns, either byte order), pcapng and gzip, streaming in constant memory; - reads stdin.
Exit 1 when an anomaly of severity error or warning was found.`,

  examples: [
    { description: 'one line per packet, outer | inner', command: '<%= config.bin %> decode node1.cap' },
    { description: 'tunnels, inner flows, DNS and anomalies as tables', command: '<%= config.bin %> decode node1.cap --summary' },
    { description: 'straight from tcpdump inside a namespace', command: 'tcpdump -i eth0 -w - | <%= config.bin %> decode - --proto dns' },
    { description: 'only one pod, VNI 1, as NDJSON', command: '<%= config.bin %> decode node1.cap --host 10.244.1.2 --vni 1 --ndjson' },
    { description: 'the decapsulated inner frames, for Wireshark', command: '<%= config.bin %> decode node1.cap --write-inner inner.pcap --summary' },
  ],

  args: { file: { description: 'capture file (pcap, pcapng, .gz) or - for stdin', required: true } },

  flags: {
    summary: { type: 'boolean', description: 'tables: tunnels, inner flows, DNS, anomalies (no per-packet lines)', exclusive: ['ndjson'] },
    ndjson: { type: 'boolean', description: 'one JSON record per packet, streamed' },
    records: { type: 'boolean', description: 'with --json: include every packet record (use --limit on big files)' },
    host: { type: 'string', description: 'only packets to or from this IPv4 address (outer or inner)' },
    vni: { type: 'integer', description: 'only VXLAN packets with this VNI', min: 0, max: 0xffffff },
    proto: { type: 'string', description: 'only this protocol (innermost)', options: ['icmp', 'icmp6', 'tcp', 'udp', 'dns', 'arp', 'vxlan', 'ipip'] },
    limit: { type: 'integer', description: 'stop after N matching packets', min: 1 },
    'vxlan-port': { type: 'integer', description: 'also decode this UDP port as VXLAN (8472 and 4789 always are)', multiple: true, multipleNonGreedy: true, min: 1, max: 65535 },
    'known-vni': { type: 'integer', description: 'VNIs the cluster uses; others are flagged (default 1)', multiple: true, multipleNonGreedy: true, min: 0, max: 0xffffff },
    mtu: { type: 'integer', description: 'underlay MTU the tunnel runs over, for the inner-size check', default: 1500, min: 68, max: 65535 },
    'write-inner': { type: 'string', description: 'write the decapsulated inner frames to this pcap' },
    reader: { type: 'string', description: 'reader for classic µs pcap: the built-in streaming reader, or the pcap-parser library (slower; see BENCHMARKS.md)', options: ['builtin', 'pcap-parser'], default: 'builtin' },
  },

  async run({ args, flags }, out): Promise<DecodeResult> {
    const { result, exit } = await decodeService(args.file, toOptions(flags).decode);
    out.finish(exit);
    if (flags.summary && !out.json) out.log((await import('../pcap/render.js')).renderSummary(result, terminalView()));
    return result;
  },
} satisfies CommandSpec;
