import type { TraceResult } from '../analyze/trace.js';
import type { CommandSpec } from '../cli/spec.js';
import { terminalView } from '../cli/terminal.js';
import { stateFlags } from '../cli/flags.js';
import { renderAscii, renderDot, renderMermaid } from '../render/diagram.js';
import { renderTrace } from '../render/trace.js';
import { toOptions } from '../services/options.js';
import { traceService } from '../services/trace.js';

export default {
  summary: 'Follow a pod IP hop by hop to its node and veth, and name the broken hop.',

  description: `Follow an IP hop by hop, as the kernel forwards it: route (longest prefix, metric), flannel.1 neigh (VtepMAC), fdb (-> node IP), the underlay route to that node; or the pod bridge -> fdb port -> host veth -> pod. Every hop gets a verdict and a stable problem code (NO_ROUTE, NEIGH_MISSING, FDB_DST_MISMATCH, VTEP_MAC_MISMATCH, VXLAN_DEVICE_DOWN, MTU_MISMATCH, STALE_ROUTE, VETH_NO_MASTER, …; ok: null and unverified where the data given lacks a table). With several --snapshot files (one per node; the first is where the trace starts) it continues on the target node down to the pod's veth and checks the way back. Exit 1 when the path is broken.`,

  examples: [
    { description: 'Trace a pod IP on saved outputs from a ticket (seed k8snode028)', command: '<%= config.bin %> trace 10.27.13.5 --from-dir fixtures/nodes/k8snode028' },
    { description: 'Trace on this node, checking against the nodes\' flannel annotations', command: '<%= config.bin %> trace 10.244.3.7 --kube' },
    { description: 'Inside a network namespace, with saved `kubectl get nodes -o json`', command: '<%= config.bin %> trace 10.244.2.3 --netns node1 --nodes nodes.json' },
    { description: 'An IPv6 pod IP on a dual-stack node: ip -6 route -> flannel-v6.1 neigh -> fdb -> the node\'s public-ipv6', command: '<%= config.bin %> trace fd00:10:244:2::2 --netns node1 --nodes nodes.json' },
    { description: 'Across nodes, down to the pod veth and back', command: '<%= config.bin %> trace 10.244.2.3 --snapshot node1.json --snapshot node2.json' },
    { description: 'Across a cluster directory (collect --all), from a source pod to a destination pod and back', command: '<%= config.bin %> trace 10.244.1.5 10.244.3.7 --cluster cluster/' },
    { description: 'The path as a Graphviz diagram', command: '<%= config.bin %> trace 10.244.2.3 --snapshot node1.json --snapshot node2.json --format dot | dot -Tsvg > path.svg' },
  ],

  args: {
    ip: { description: 'destination IPv4 or IPv6 address (a pod IP); with --cluster and a second argument: the source pod (IP or name)', required: true },
    destination: { description: 'with --cluster: the destination IP, traced from the source pod\'s node', required: false },
  },

  flags: {
    format: { type: 'string', description: 'print only the path diagram: ascii, dot (Graphviz) or mermaid', options: ['ascii', 'dot', 'mermaid'] },
    ...stateFlags,
  },

  async run({ args, flags }, out): Promise<TraceResult> {
    const { result, exit } = await traceService(toOptions(flags), args.ip, args.destination);
    out.finish(exit);
    if (flags.format === 'dot') out.log(renderDot(result));
    else if (flags.format === 'mermaid') out.log(renderMermaid(result));
    else if (flags.format === 'ascii') out.log(renderAscii(result));
    else if (!out.json) out.log(renderTrace(result, terminalView()));
    return result;
  },
} satisfies CommandSpec;
