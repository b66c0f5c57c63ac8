import type { FlagSpec } from './spec.js';
import { clusterFlag } from '../cluster/flags.js';

// Flags shared by the commands that read node state (DESIGN.md "State source flags").

export const sourceFlags = {
  netns: {
    type: 'string',
    description: 'read the live state inside this named network namespace (ip netns exec)',
    helpGroup: 'SOURCE',
    exclusive: ['snapshot', 'from-dir'],
  },
  snapshot: {
    type: 'string',
    description: 'read a snapshot written by `flanctl collect -o FILE` (repeat: one per node)',
    helpGroup: 'SOURCE',
    multiple: true,
    exclusive: ['from-dir'],
  },
  'from-dir': {
    type: 'string',
    description: 'read pasted command outputs: a directory (any file names), one transcript file, or - for stdin; repeat: one per directory or paste',
    helpGroup: 'SOURCE',
    multiple: true,
  },
  dev: {
    type: 'string',
    description: 'the device of pasted `ip neigh` / `bridge fdb` lines that carry no `dev` and no command line (e.g. flannel.1)',
    helpGroup: 'SOURCE',
    dependsOn: ['from-dir'],
  },
  at: {
    type: 'integer',
    description: 'read a transcript as it stood at line LINE: a command pasted more than once for a node counts with its output last printed before LINE (default: the last one)',
    helpGroup: 'SOURCE',
    dependsOn: ['from-dir'],
    min: 1,
  },
} satisfies Record<string, FlagSpec>;

export const desiredFlags = {
  nodes: { type: 'string', description: 'desired state from `kubectl get nodes -o json` saved to FILE', helpGroup: 'DESIRED STATE' },
  kube: { type: 'boolean', description: 'desired state from the cluster (runs kubectl get nodes -o json)', helpGroup: 'DESIRED STATE' },
  kubeconfig: { type: 'string', description: 'kubeconfig for --kube', helpGroup: 'DESIRED STATE' },
  context: { type: 'string', description: 'kubeconfig context for --kube', helpGroup: 'DESIRED STATE' },
  etcd: { type: 'string', description: 'desired state from etcd (comma-separated endpoints, v3 API, falling back to v2)', helpGroup: 'DESIRED STATE' },
  'etcd-prefix': { type: 'string', description: 'flannel etcd prefix', default: '/coreos.com/network', helpGroup: 'DESIRED STATE' },
  'etcd-cafile': { type: 'string', description: 'CA bundle for etcd TLS', helpGroup: 'DESIRED STATE' },
  'etcd-certfile': { type: 'string', description: 'client certificate for etcd TLS', helpGroup: 'DESIRED STATE' },
  'etcd-keyfile': { type: 'string', description: 'client key for etcd TLS', helpGroup: 'DESIRED STATE' },
  'subnet-env': { type: 'string', description: "this node's subnet.env (default: from the snapshot, or /run/flannel/subnet.env)", helpGroup: 'DESIRED STATE' },
  node: { type: 'string', description: 'name of this node in the leases (default: matched by its addresses)', helpGroup: 'DESIRED STATE' },
} satisfies Record<string, FlagSpec>;

/** Where the leases come from: a nodes file, the kube API or etcd (probe takes these without --subnet-env). */
export const leaseFlags = {
  nodes: desiredFlags.nodes,
  kube: desiredFlags.kube,
  kubeconfig: desiredFlags.kubeconfig,
  context: desiredFlags.context,
  etcd: desiredFlags.etcd,
  'etcd-prefix': desiredFlags['etcd-prefix'],
  'etcd-cafile': desiredFlags['etcd-cafile'],
  'etcd-certfile': desiredFlags['etcd-certfile'],
  'etcd-keyfile': desiredFlags['etcd-keyfile'],
} satisfies Record<string, FlagSpec>;

/** The node-state and desired-state flags of trace, whohas, pod-veth, doctor and repair. */
export const stateFlags = {
  ...sourceFlags,
  ...clusterFlag,
  ...leaseFlags,
  'subnet-env': desiredFlags['subnet-env'],
} satisfies Record<string, FlagSpec>;
