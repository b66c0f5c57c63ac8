import type { WhohasResult } from '../analyze/whohas.js';
import type { CommandSpec } from '../cli/spec.js';
import { terminalView } from '../cli/terminal.js';
import { stateFlags } from '../cli/flags.js';
import { renderWhohas } from '../render/whohas.js';
import { toOptions } from '../services/options.js';
import { whohasService } from '../services/whohas.js';

export default {
  summary: 'Find every owner of a MAC or an IP address: interface, neighbour, fdb entry, pod, lease or node VtepMAC.',

  description: `Find every owner of a MAC: the interface that has it (a veth's pod), neighbours that resolve to it, fdb entries that forward it (to a remote node IP, or to a bridge port -> veth -> pod), and the node whose flannel lease announces it as VtepMAC. Any spelling works: colons, dashes, cisco dots, no separators, brctl's bridge id 8000.0a580a1d0d01. Given an IPv4 or IPv6 address instead: the interface and the pod that have it, neighbours that resolve it, fdb entries that send to it (a VTEP), and the lease whose public IP it is or whose subnet holds it. Exit 1 when nothing owns it or two things claim it.`,

  examples: [
    { description: 'Which node is behind a VtepMAC (seed k8snode028)', command: '<%= config.bin %> whohas 42:32:74:de:24:50 --from-dir fixtures/nodes/k8snode028' },
    { description: "A bridge id from brctl show, across a cluster's snapshots", command: '<%= config.bin %> whohas 8000.0a580a1d0d01 --snapshot node1.json --snapshot node2.json' },
    { description: 'Against the flannel annotations of every node', command: '<%= config.bin %> whohas 4E-9D-22-AA-10-03 --kube' },
    { description: 'Which pod, neighbour and lease hold an IPv6 pod address', command: '<%= config.bin %> whohas fd00:10:244:1::2 --netns node1' },
  ],

  args: { target: { description: 'MAC address in any common spelling, or an IPv4 or IPv6 address', required: true } },

  flags: { ...stateFlags },

  async run({ args, flags }, out): Promise<WhohasResult> {
    const { result, exit } = await whohasService(toOptions(flags), args.target);
    out.finish(exit);
    if (!out.json) out.log(renderWhohas(result, terminalView()));
    return result;
  },
} satisfies CommandSpec;
