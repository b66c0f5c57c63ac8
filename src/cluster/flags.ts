import type { FlagSpec } from '../cli/spec.js';

// Cluster-mode flags, spread into the commands that take them (collect: collectAllFlags; analysis: clusterFlag).
// Nothing here imports the transports: commands load those (and execa) only when a cluster flag is used.

export const DEFAULT_SELECTOR = 'app=flannel';
export const DEFAULT_CONTAINER = 'kube-flannel';
export const DEFAULT_DEBUG_IMAGE = 'busybox:1.36';

export const clusterFlag = {
  cluster: {
    type: 'string',
    description: 'read every node of a cluster directory written by `flanctl collect --all -o DIR`',
    helpGroup: 'SOURCE',
    exclusive: ['netns', 'snapshot', 'from-dir'],
  },
} satisfies Record<string, FlagSpec>;

export const collectAllFlags = {
  all: { type: 'boolean', description: 'collect every node at once (over --ssh-hosts or --kube) into the directory -o DIR', helpGroup: 'CLUSTER' },
  'ssh-hosts': { type: 'string', description: 'nodes to reach with ssh: one [user@]host[:port] per line, or an ansible inventory', helpGroup: 'CLUSTER', exclusive: ['kube'] },
  'ssh-identity': { type: 'string', description: 'ssh -i FILE (default: your agent and ~/.ssh/config)', helpGroup: 'CLUSTER' },
  'ssh-config': { type: 'string', description: 'ssh -F FILE', helpGroup: 'CLUSTER' },
  'ssh-option': { type: 'string', description: 'ssh -o Key=Value (repeatable)', helpGroup: 'CLUSTER', multiple: true },
  kube: {
    type: 'boolean',
    description: 'reach nodes with kubectl: exec into the flannel pod on each node, else `kubectl debug node/…`',
    helpGroup: 'CLUSTER',
  },
  kubeconfig: { type: 'string', description: 'kubeconfig for --kube', helpGroup: 'CLUSTER' },
  context: { type: 'string', description: 'kubeconfig context for --kube', helpGroup: 'CLUSTER' },
  'flannel-selector': { type: 'string', description: 'label selector of the flannel DaemonSet pods', default: DEFAULT_SELECTOR, helpGroup: 'CLUSTER' },
  'flannel-container': { type: 'string', description: 'container to exec into', default: DEFAULT_CONTAINER, helpGroup: 'CLUSTER' },
  'debug-image': { type: 'string', description: 'image for the `kubectl debug node/…` fallback (needs only sh; the host tools run via chroot /host)', default: DEFAULT_DEBUG_IMAGE, helpGroup: 'CLUSTER' },
  parallel: { type: 'integer', description: 'nodes collected at the same time', default: 10, min: 1, max: 256, helpGroup: 'CLUSTER' },
  timeout: { type: 'integer', description: 'seconds allowed per node; a node that takes longer is reported and skipped', default: 30, min: 1, helpGroup: 'CLUSTER' },
} satisfies Record<string, FlagSpec>;
