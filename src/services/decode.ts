// decode: one streaming pass over a capture; per-packet lines and NDJSON go straight to stdout as they are decoded.
import { UsageError } from '../errors.js';
import type { DecodeResult } from '../pcap/index.js';
import type { DecodeFlags, ServiceResult } from './options.js';

// model/net's isIPv4 would load zod (~60 ms of start-up) for one regex
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export async function decodeService(file: string, o: DecodeFlags): Promise<ServiceResult<DecodeResult>> {
  if (o.host !== undefined && !IPV4.test(o.host)) throw new UsageError(`--host: not an IPv4 address: ${o.host}`);
  const { decodeCapture, ipv4Number } = await import('../pcap/index.js');
  const mode = o.json || o.summary ? 'summary' : o.ndjson ? 'ndjson' : 'lines';
  // `flanctl decode big.cap | head`: a closed pipe ends the decode quietly
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  const result = await decodeCapture({
    file,
    mode,
    records: o.json && o.records,
    filter: { host: o.host === undefined ? undefined : ipv4Number(o.host), vni: o.vni, proto: o.proto },
    limit: o.limit,
    vxlanPorts: o.vxlanPorts,
    knownVnis: o.knownVnis,
    mtu: o.mtu,
    writeInner: o.writeInner,
    pcapParser: o.pcapParser,
    out: (text) => void process.stdout.write(text),
    progress: true,
  });
  return { result, exit: result.anomalies.some((a) => a.severity !== 'info') ? 1 : 0 };
}
