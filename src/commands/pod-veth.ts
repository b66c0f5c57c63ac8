import type { CommandSpec } from '../cli/spec.js';
import { terminalView } from '../cli/terminal.js';
import { stateFlags } from '../cli/flags.js';
import { renderPodVeth } from '../render/pod-veth.js';
import { toOptions } from '../services/options.js';
import { podVethService, type PodVethReport } from '../services/pod-veth.js';

export default {
  summary: 'Map pods to their host veths (iflink, peer_ifindex, bridge fdb) and flag leaks.',

  description: `Map pods to their host veths: the pod eth0's iflink (or ethtool -S peer_ifindex) is the host veth's ifindex; when a pod's netns cannot be entered, the pod bridge's learned fdb (MAC -> port) and neigh (IP -> MAC) stand in. A pod is named by Kubernetes name (ns/name or name), netns name, PID, pod IP, container ID prefix or host veth. Also flags veths with no master, veths on the bridge with no pod (leaks) and host-local IPAM entries with no pod. Exit 1 when such a problem is found or the named pod is not found.`,

  examples: [
    { description: 'Every pod and veth on this node', command: '<%= config.bin %> pod-veth' },
    { description: 'One pod by IP, from saved outputs (seed 002: peer_ifindex 7 -> vethb74d434d)', command: '<%= config.bin %> pod-veth 10.244.1.2 --from-dir fixtures/nodes/node1' },
    { description: 'By Kubernetes name inside a namespace lab', command: '<%= config.bin %> pod-veth default/web-0 --netns node1 --json' },
  ],

  args: { pod: { description: 'pod: ns/name, name, netns, PID, IP, container ID or host veth', required: false } },

  flags: { ...stateFlags },

  async run({ args, flags }, out): Promise<PodVethReport> {
    const { result, exit } = await podVethService(toOptions(flags), args.pod);
    out.finish(exit);
    if (!out.json) out.log(renderPodVeth(result, terminalView()));
    return result;
  },
} satisfies CommandSpec;
