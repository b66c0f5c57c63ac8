import * as Flags from '@oclif/core/flags';

// Cluster-mode flags, spread into the commands that take them (collect: collectAllFlags; analysis: clusterFlag).
// Nothing here imports the transports: commands load those (and execa) only when a cluster flag is used.

export const DEFAULT_SELECTOR = 'app=flannel';
export const DEFAULT_CONTAINER = 'kube-flannel';
export const DEFAULT_DEBUG_IMAGE = 'busybox:1.36';

export const clusterFlag = {
  cluster: Flags.string({
    description: 'read every node of a cluster directory written by `flanctl collect --all -o DIR`',
    helpGroup: 'SOURCE',
    exclusive: ['netns', 'snapshot', 'from-dir'],
  }),
};

export const collectAllFlags = {
  all: Flags.boolean({ description: 'collect every node at once (over --ssh-hosts or --kube) into the directory -o DIR', helpGroup: 'CLUSTER' }),
  'ssh-hosts': Flags.string({ description: 'nodes to reach with ssh: one [user@]host[:port] per line, or an ansible inventory', helpGroup: 'CLUSTER', exclusive: ['kube'] }),
  'ssh-identity': Flags.string({ description: 'ssh -i FILE (default: your agent and ~/.ssh/config)', helpGroup: 'CLUSTER' }),
  'ssh-config': Flags.string({ description: 'ssh -F FILE', helpGroup: 'CLUSTER' }),
  'ssh-option': Flags.string({ description: 'ssh -o Key=Value (repeatable)', helpGroup: 'CLUSTER', multiple: true }),
  kube: Flags.boolean({
    description: 'reach nodes with kubectl: exec into the flannel pod on each node, else `kubectl debug node/…`',
    helpGroup: 'CLUSTER',
  }),
  kubeconfig: Flags.string({ description: 'kubeconfig for --kube', helpGroup: 'CLUSTER' }),
  context: Flags.string({ description: 'kubeconfig context for --kube', helpGroup: 'CLUSTER' }),
  'flannel-selector': Flags.string({ description: 'label selector of the flannel DaemonSet pods', default: DEFAULT_SELECTOR, helpGroup: 'CLUSTER' }),
  'flannel-container': Flags.string({ description: 'container to exec into', default: DEFAULT_CONTAINER, helpGroup: 'CLUSTER' }),
  'debug-image': Flags.string({ description: 'image for the `kubectl debug node/…` fallback (needs only sh; the host tools run via chroot /host)', default: DEFAULT_DEBUG_IMAGE, helpGroup: 'CLUSTER' }),
  parallel: Flags.integer({ description: 'nodes collected at the same time', default: 10, min: 1, max: 256, helpGroup: 'CLUSTER' }),
  timeout: Flags.integer({ description: 'seconds allowed per node; a node that takes longer is reported and skipped', default: 30, min: 1, helpGroup: 'CLUSTER' }),
};
