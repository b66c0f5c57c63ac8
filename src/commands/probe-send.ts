import type { CommandSpec } from '../cli/spec.js';
import { UsageError } from '../errors.js';
import { isIPv4, isIPv6 } from '../model/net.js';
import type { FlagValues } from '../services/options.js';

// Internal: `flanctl probe` runs this inside the source pod's namespace (ip netns exec) to send its UDP or
// TCP probes from the tagged source port. Prints one JSON line: { sent, received, answers, error? }.
export default {
  hidden: true,
  json: false,
  summary: 'internal: the UDP/TCP sender of `flanctl probe`',

  flags: {
    proto: { type: 'string', options: ['udp', 'tcp'], required: true },
    dst: { type: 'string', required: true },
    port: { type: 'integer', min: 1, max: 65535, required: true },
    'src-port': { type: 'integer', min: 1, max: 65535, required: true },
    count: { type: 'integer', min: 1, max: 20, default: 3 },
    timeout: { type: 'integer', min: 1, max: 30, default: 2, description: 'seconds' },
    interval: { type: 'integer', min: 10, max: 1000, default: 200, description: 'ms between probes' },
  },

  async run(parsed, out): Promise<void> {
    // every flag is required or has a default: the parser gives them all
    const flags = parsed.flags as Required<Pick<FlagValues, 'proto' | 'dst' | 'port' | 'src-port' | 'count' | 'timeout' | 'interval'>>;
    if (!isIPv4(flags.dst) && !isIPv6(flags.dst)) throw new UsageError(`not an IP address: ${JSON.stringify(flags.dst)}`);
    const { sendTcp, sendUdp } = await import('../probe/sender.js');
    const o = { dst: flags.dst, port: flags.port, srcPort: flags['src-port'], count: flags.count, timeoutMs: flags.timeout * 1000, intervalMs: flags.interval };
    const report = flags.proto === 'udp' ? await sendUdp(o) : await sendTcp(o);
    out.log(JSON.stringify(report));
  },
} satisfies CommandSpec;
