import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../cli/base-command.js';
import { UsageError } from '../errors.js';
import { isIPv4, isIPv6 } from '../model/net.js';

// Internal: `flanctl probe` runs this inside the source pod's namespace (ip netns exec) to send its UDP or
// TCP probes from the tagged source port. Prints one JSON line: { sent, received, answers, error? }.
export default class ProbeSend extends BaseCommand {
  static hidden = true;
  static enableJsonFlag = false;
  static summary = 'internal: the UDP/TCP sender of `flanctl probe`';

  static flags = {
    proto: Flags.string({ options: ['udp', 'tcp'], required: true }),
    dst: Flags.string({ required: true }),
    port: Flags.integer({ min: 1, max: 65535, required: true }),
    'src-port': Flags.integer({ min: 1, max: 65535, required: true }),
    count: Flags.integer({ min: 1, max: 20, default: 3 }),
    timeout: Flags.integer({ min: 1, max: 30, default: 2, description: 'seconds' }),
    interval: Flags.integer({ min: 10, max: 1000, default: 200, description: 'ms between probes' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ProbeSend);
    if (!isIPv4(flags.dst) && !isIPv6(flags.dst)) throw new UsageError(`not an IP address: ${JSON.stringify(flags.dst)}`);
    const { sendTcp, sendUdp } = await import('../probe/sender.js');
    const o = { dst: flags.dst, port: flags.port, srcPort: flags['src-port'], count: flags.count, timeoutMs: flags.timeout * 1000, intervalMs: flags.interval };
    const report = flags.proto === 'udp' ? await sendUdp(o) : await sendTcp(o);
    this.log(JSON.stringify(report));
  }
}
