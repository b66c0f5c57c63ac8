// The one flags -> options mapper: every command's parsed oclif flags (kebab-case, as typed) become the typed
// options the services take. A flag added to a command and not mapped here reaches no service: the
// test/services/options.test.ts enumeration catches it.
import type { ReachFlags } from '../cluster/reach.js';
import type { CollectAllInput } from '../cluster/service.js';
import type { DesiredOptions } from '../leases/index.js';

/** The parsed flags of any flanctl command (each command has a subset). */
export interface FlagValues {
  json?: boolean;
  netns?: string;
  snapshot?: string[];
  'from-dir'?: string[];
  dev?: string;
  at?: number;
  cluster?: string;
  nodes?: string;
  kube?: boolean;
  kubeconfig?: string;
  context?: string;
  etcd?: string;
  'etcd-prefix'?: string;
  'etcd-cafile'?: string;
  'etcd-certfile'?: string;
  'etcd-keyfile'?: string;
  'subnet-env'?: string;
  node?: string;
  format?: string;
  apply?: boolean;
  yes?: boolean;
  prune?: boolean;
  undo?: boolean;
  list?: boolean;
  'journal-dir'?: string;
  output?: string;
  'raw-dir'?: string;
  all?: boolean;
  'ssh-hosts'?: string;
  'ssh-identity'?: string;
  'ssh-config'?: string;
  'ssh-option'?: string[];
  'flannel-selector'?: string;
  'flannel-container'?: string;
  'debug-image'?: string;
  parallel?: number;
  timeout?: number;
  summary?: boolean;
  ndjson?: boolean;
  records?: boolean;
  host?: string;
  vni?: number;
  proto?: string;
  limit?: number;
  'vxlan-port'?: number[];
  'known-vni'?: number[];
  mtu?: number;
  'write-inner'?: string;
  reader?: string;
  from?: string;
  port?: number;
  count?: number;
  'write-pcap'?: string;
  size?: number;
  // probe-send
  dst?: string;
  'src-port'?: number;
  interval?: number;
}

/** Where node state comes from, the desired state, and which node of the leases "this node" is. */
export interface StateOptions {
  json: boolean;
  netns?: string;
  snapshot: string[];
  fromDir: string[];
  /** the device of pasted neigh/fdb lines with no `dev` and no command line naming one */
  dev?: string;
  /** --at LINE: of a command pasted more than once in a transcript, the output last printed before LINE */
  at?: number;
  cluster?: string;
  desired: DesiredOptions;
  /** this node's subnet.env file (with --cluster: the node --node names) */
  subnetEnv?: string;
  /** this node's name in the leases; default: matched by its addresses */
  node?: string;
}

export interface RepairOptions extends StateOptions {
  apply: boolean;
  yes: boolean;
  prune: boolean;
  undo: boolean;
  /** list the journals (repair --list) */
  list: boolean;
  journalDir: string;
  /** --cluster --apply: how to reach the nodes, from this command line (never replayed from the directory) */
  reach: ReachFlags;
}

/** collect --all: the cluster collector's own input, plus the flag that selects it. */
export interface CollectAllOptions extends CollectAllInput {
  all: boolean;
}

export interface CollectOptions extends StateOptions {
  output?: string;
  rawDir?: string;
  collectAll: CollectAllOptions;
}

export interface DecodeFlags {
  json: boolean;
  summary: boolean;
  ndjson: boolean;
  records: boolean;
  host?: string;
  vni?: number;
  proto?: string;
  limit?: number;
  vxlanPorts?: number[];
  knownVnis?: number[];
  mtu?: number;
  writeInner?: string;
  pcapParser: boolean;
}

export interface ProbeFlags {
  /** the source pod: netns name, pod name or pod IP */
  from?: string;
  proto: string;
  port?: number;
  count: number;
  timeoutSec: number;
  writePcap?: string;
  /** IPv4 packet size of each ICMP probe, sent with DF */
  size?: number;
}

export interface Options extends RepairOptions, CollectOptions {
  format?: string;
  decode: DecodeFlags;
  probe: ProbeFlags;
}

export const DEFAULT_JOURNAL_DIR = '/var/lib/flanctl/journal';

export function toOptions(f: FlagValues): Options {
  const json = f.json ?? false;
  return {
    json,
    netns: f.netns,
    snapshot: f.snapshot ?? [],
    fromDir: f['from-dir'] ?? [],
    dev: f.dev,
    at: f.at,
    cluster: f.cluster,
    desired: {
      nodes: f.nodes,
      kube: f.kube,
      kubeconfig: f.kubeconfig,
      context: f.context,
      etcd: f.etcd,
      etcdPrefix: f['etcd-prefix'],
      etcdCafile: f['etcd-cafile'],
      etcdCertfile: f['etcd-certfile'],
      etcdKeyfile: f['etcd-keyfile'],
    },
    subnetEnv: f['subnet-env'],
    node: f.node,
    format: f.format,
    apply: f.apply ?? false,
    yes: f.yes ?? false,
    prune: f.prune ?? false,
    undo: f.undo ?? false,
    list: f.list ?? false,
    journalDir: f['journal-dir'] ?? DEFAULT_JOURNAL_DIR,
    reach: {
      sshConfig: f['ssh-config'],
      sshIdentity: f['ssh-identity'],
      sshOptions: f['ssh-option'],
      kubeconfig: f.kubeconfig,
      context: f.context,
      selector: f['flannel-selector'],
      container: f['flannel-container'],
      debugImage: f['debug-image'],
    },
    output: f.output,
    rawDir: f['raw-dir'],
    collectAll: {
      all: f.all ?? false,
      output: f.output,
      'ssh-hosts': f['ssh-hosts'],
      'ssh-identity': f['ssh-identity'],
      'ssh-config': f['ssh-config'],
      'ssh-option': f['ssh-option'],
      kube: f.kube,
      kubeconfig: f.kubeconfig,
      context: f.context,
      'flannel-selector': f['flannel-selector'],
      'flannel-container': f['flannel-container'],
      'debug-image': f['debug-image'],
      parallel: f.parallel ?? 10,
      timeout: f.timeout ?? 30,
    },
    decode: {
      json,
      summary: f.summary ?? false,
      ndjson: f.ndjson ?? false,
      records: f.records ?? false,
      host: f.host,
      vni: f.vni,
      proto: f.proto,
      limit: f.limit,
      vxlanPorts: f['vxlan-port'],
      knownVnis: f['known-vni'],
      mtu: f.mtu,
      writeInner: f['write-inner'],
      pcapParser: f.reader === 'pcap-parser',
    },
    probe: {
      from: f.from,
      proto: f.proto ?? 'icmp',
      port: f.port,
      count: f.count ?? 3,
      timeoutSec: f.timeout ?? 2,
      writePcap: f['write-pcap'],
      size: f.size,
    },
  };
}

/** What a service hands back: the document (`--json` prints it; render/ draws it) and the exit status. */
export interface ServiceResult<T> {
  result: T;
  /** 0 healthy, 1 the tool worked and found a problem, 3 environment (a remote node failed) */
  exit: 0 | 1 | 3;
}
