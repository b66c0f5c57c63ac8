import { Args } from '@oclif/core';
import { podVeth, type PodVethResult } from '../analyze/pod-veth.js';
import { BaseCommand } from '../cli/base-command.js';
import { renderTable } from '../render/table.js';
import { loadState, stateFlags } from '../cli/state.js';

export default class PodVeth extends BaseCommand {
  static summary = 'Map pods to their host veths (iflink, peer_ifindex, bridge fdb) and flag leaks.';

  static description = `Map pods to their host veths: the pod eth0's iflink (or ethtool -S peer_ifindex) is the host veth's ifindex; when a pod's netns cannot be entered, the pod bridge's learned fdb (MAC -> port) and neigh (IP -> MAC) stand in. A pod is named by Kubernetes name (ns/name or name), netns name, PID, pod IP, container ID prefix or host veth. Also flags veths with no master, veths on the bridge with no pod (leaks) and host-local IPAM entries with no pod. Exit 1 when such a problem is found or the named pod is not found.`;

  static examples = [
    { description: 'Every pod and veth on this node', command: '<%= config.bin %> pod-veth' },
    { description: 'One pod by IP, from saved outputs (seed 002: peer_ifindex 7 -> vethb74d434d)', command: '<%= config.bin %> pod-veth 10.244.1.2 --from-dir fixtures/nodes/node1' },
    { description: 'By Kubernetes name inside a namespace lab', command: '<%= config.bin %> pod-veth default/web-0 --netns node1 --json' },
  ];

  static args = { pod: Args.string({ description: 'pod: ns/name, name, netns, PID, IP, container ID or host veth', required: false }) };

  static flags = { ...stateFlags };

  async run(): Promise<PodVethResult> {
    const { args, flags } = await this.parse(PodVeth);
    const { snapshots } = await loadState(flags);
    const result = podVeth(snapshots, args.pod);
    const notFound = args.pod !== undefined && result.pods.length === 0 && result.unmapped.length === 0;
    if (notFound || result.problems.length) this.foundProblem();
    const out: string[] = [];
    if (notFound) out.push(`no pod or veth matches ${JSON.stringify(args.pod)}`);
    if (result.pods.length) {
      out.push(
        renderTable(
          ['pod', 'ip', 'mac', 'host veth', 'ifindex', 'eth0 iflink', 'bridge', 'node', 'from'],
          result.pods.map((p) => [p.pod, p.ip, p.mac, p.hostVeth, p.hostIfindex, p.podIflink, p.bridge ?? (p.routed ? '(routed)' : '(no master)'), p.node, p.source]),
        ),
      );
    }
    if (result.unmapped.length) out.push('veths with no known pod:', renderTable(['host veth', 'ifindex', 'bridge', 'netns', 'node'], result.unmapped.map((u) => [u.hostVeth, u.hostIfindex, u.bridge, u.netns, u.node])));
    for (const p of result.problems) out.push(`${p.code}: ${p.detail}`);
    if (!out.length) out.push('no pods or veths found');
    this.log(out.join('\n'));
    return result;
  }
}
