import type { ProbeResult } from '../analyze/probe-verdict.js';
import type { CommandSpec } from '../cli/spec.js';
import { terminalView } from '../cli/terminal.js';
import { leaseFlags } from '../cli/flags.js';
import { collectAllFlags } from '../cluster/flags.js';
import { renderProbe } from '../render/probe.js';
import { toOptions } from '../services/options.js';
import { PROBE_LIMITS, probeOptions } from '../services/probe-options.js';

export default {
  summary: 'Send a tagged packet from a pod and watch it at every hop: where was it lost?',

  description: `The live counterpart of trace: listens with tcpdump on every hop the trace names on this node (the source pod's host veth, the pod bridge, the overlay device flannel.1 / flannel.ipip, the underlay interface, where the VXLAN/IPIP outer header is matched too), sends --count tagged probes from inside the pod's network namespace (ICMP echo with its own id, or UDP/TCP from a tagged source port), decodes each capture and reports per hop seen / not seen / not verified, the time offset, the outer header on the underlay, and where the probe was lost — read against the static trace (seen on flannel.1 but not on eth0: the fdb) and the decoder's anomalies (ICMP errors, bad checksums, frag-needed). Sends only its own bounded packets and changes nothing; needs root and tcpdump. Exit 0 delivered and answered, 1 lost, 2 bad input, 3 environment (not root, tcpdump missing, pod not found).`,

  examples: [
    { description: 'ICMP from a pod (by name, netns or IP) to a pod on another node', command: '<%= config.bin %> probe 10.244.3.7 --from web-0' },
    { description: 'A namespace lab node, with the leases to check the VtepMAC against', command: '<%= config.bin %> probe 10.244.2.2 --from node1p2 --netns node1 --nodes nodes.json' },
    { description: 'A full-size probe with DF: where does a 1450-byte packet stop (ICMP frag-needed, an inner packet over the underlay MTU)?', command: '<%= config.bin %> probe 10.244.3.7 --from web-0 --size 1450' },
    { description: 'TCP SYNs to port 80, keeping every hop\'s capture for Wireshark', command: '<%= config.bin %> probe 10.244.3.7 --from 10.244.1.5 --proto tcp --port 80 --write-pcap /tmp/probe' },
    { description: 'The whole path: also listen on the target node (its eth0, flannel.1, cni0, pod veth) over ssh', command: '<%= config.bin %> probe 10.244.3.7 --from web-0 --ssh-hosts inventory.ini' },
    { description: 'The same through kubectl: the leases from the API, the target node reached in its flannel pod', command: '<%= config.bin %> probe 10.244.3.7 --from web-0 --kube --context prod' },
  ],

  args: { destination: { description: 'destination IPv4 or IPv6 address (a pod IP)', required: true } },

  flags: {
    from: { type: 'string', description: 'the source pod on this node: network namespace name, pod name or pod IP', required: true },
    proto: { type: 'string', description: 'probe protocol', options: ['icmp', 'udp', 'tcp'], default: 'icmp' },
    port: { type: 'integer', description: 'destination port for udp / tcp (tcp sends a SYN)' },
    count: { type: 'integer', description: `probes to send (${PROBE_LIMITS.count.join('-')})`, default: 3 },
    timeout: { type: 'integer', description: `seconds to wait for the answers (${PROBE_LIMITS.timeoutSec.join('-')})`, default: 2 },
    size: { type: 'integer', description: `IP packet size of each ICMP probe (${PROBE_LIMITS.size.join('-')} bytes), sent with DF: finds an MTU black hole (default: ping's 84)` },
    'write-pcap': { type: 'string', description: "keep each hop's capture in DIR as <n>-<node>-<device>.pcap" },
    netns: { type: 'string', description: 'the node is this named network namespace (ip netns exec)', helpGroup: 'SOURCE' },
    // cluster mode: the target node's captures over ssh, or with --kube alone through kubectl (as collect --all)
    'ssh-hosts': { type: 'string', description: 'listen on the target node too, reached with ssh: one [user@]host[:port] per line, or an ansible inventory (--kube then gives only the leases)', helpGroup: 'CLUSTER' },
    'ssh-identity': collectAllFlags['ssh-identity'],
    'ssh-config': collectAllFlags['ssh-config'],
    'ssh-option': collectAllFlags['ssh-option'],
    ...leaseFlags,
    kube: {
      type: 'boolean',
      description: 'the leases from the cluster (kubectl get nodes), and without --ssh-hosts listen on the target node too: kubectl exec into its flannel pod, else `kubectl debug node/…`',
      helpGroup: 'CLUSTER',
    },
    'flannel-selector': collectAllFlags['flannel-selector'],
    'flannel-container': collectAllFlags['flannel-container'],
    'debug-image': collectAllFlags['debug-image'],
  },

  async run({ args, flags }, out): Promise<ProbeResult> {
    const options = toOptions(flags);
    probeOptions(options, args.destination);
    // the service loads the collector, the decoder and the machine edge: only when a probe really runs
    const { probeService } = await import('../services/probe.js');
    const { result, exit } = await probeService(options, args.destination);
    out.finish(exit);
    if (!out.json) out.log(renderProbe(result, terminalView()));
    return result;
  },
} satisfies CommandSpec;
