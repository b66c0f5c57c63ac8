import type { CommandSpec } from '../cli/spec.js';
import { terminalView } from '../cli/terminal.js';
import { desiredFlags, stateFlags } from '../cli/flags.js';
import { renderDoctor } from '../render/doctor.js';
import { doctorService, type DoctorJson } from '../services/doctor.js';
import { toOptions } from '../services/options.js';

export default {
  description: `Compare the node with flannel's desired state and explain every difference.
For every remote lease: the neigh / fdb / route flannel programs (vxlan) or the route (host-gw, ipip) — missing,
wrong or stale VtepMAC; entries for nodes that no longer hold a lease; flannel.1 missing, down, wrong VNI/port/local,
learning on, extra addresses, MTU; pod bridge address vs FLANNEL_SUBNET; subnet.env; veths without pods;
ip_forward, br_netfilter; FORWARD policy; masquerade; tx checksum offload; duplicate subnets in the leases.
Each finding has a stable code, the evidence from the node's own state and the fix. Without --nodes/--kube/--etcd
only the checks that need no leases run (the others are listed as skipped). Exit 1 when anything is wrong.`,

  examples: [
    { description: 'This node against the cluster\'s node annotations', command: '<%= config.bin %> doctor --kube' },
    { description: 'Against saved `kubectl get nodes -o json`, inside a namespace', command: '<%= config.bin %> doctor --netns node1 --nodes nodes.json' },
    { description: 'Against etcd (older flannel, v2 keys under a custom prefix)', command: '<%= config.bin %> doctor --etcd http://127.0.0.1:2379 --etcd-prefix /kube-centos/network' },
    { description: 'Only the checks that need no leases, on outputs pasted into a ticket', command: '<%= config.bin %> doctor --from-dir fixtures/nodes/k8snode028' },
    { description: 'Every node of a cluster directory, and every node\'s view of every peer (node × node matrix)', command: '<%= config.bin %> doctor --cluster cluster/' },
    { description: 'Machine-readable', command: '<%= config.bin %> doctor --kube --json | jq \'.findings[] | select(.severity=="error") | .code\'' },
  ],

  flags: { ...stateFlags, node: desiredFlags.node },

  async run({ flags }, out): Promise<DoctorJson> {
    const { result, exit } = await doctorService(toOptions(flags));
    out.finish(exit);
    if (!out.json) out.log(renderDoctor(result, terminalView()));
    return result.doc;
  },
} satisfies CommandSpec;
