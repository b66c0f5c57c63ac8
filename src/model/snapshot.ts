import * as z from './zod.js';
import { Address } from './address.js';
import { BridgeInfo, BridgePort } from './bridge.js';
import { CniConflist } from './cni.js';
import { FdbEntry } from './fdb.js';
import { EthtoolStats, Iflink } from './iflink.js';
import { IptablesRuleset } from './iptables.js';
import { Link } from './link.js';
import { Neigh } from './neigh.js';
import { NftRuleset } from './nft.js';
import { IpamAllocation, PodNetns } from './pod.js';
import { Route } from './route.js';
import { SubnetEnv } from './subnet-env.js';
import { WgDevice } from './wireguard.js';
import { SNAPSHOT_SCHEMA_VERSION } from './snapshot-version.js';

export { SNAPSHOT_SCHEMA_VERSION };

/** What happened to one collection step: which program or file, and whether it worked. */
export const CommandResult = z.looseObject({
  /** logical name, e.g. `ip-route`, `bridge-fdb`, `subnet-env` */
  name: z.string(),
  argv: z.optional(z.array(z.string())),
  file: z.optional(z.string()),
  ok: z.boolean(),
  /** json | text: which output form was parsed; `fallback` when an iproute2 equivalent replaced a missing tool */
  form: z.optional(z.string()),
  error: z.optional(z.string()),
  /** the program hung: stopped at its time limit (by flanctl, or by the launcher while it ran), never started again */
  timedOut: z.optional(z.boolean()),
  ms: z.optional(z.number()),
});
export type CommandResult = z.infer<typeof CommandResult>;

const SnapshotSource = z.object({
  kind: z.enum(['live', 'netns', 'dir', 'snapshot', 'ssh', 'kube']),
  /** netns name, directory, file path or host */
  name: z.optional(z.string()),
});

export const Snapshot = z.looseObject({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  host: z.string(),
  kernel: z.optional(z.string()),
  time: z.string(),
  source: SnapshotSource,
  links: z._default(z.array(Link), []),
  addresses: z._default(z.array(Address), []),
  routes: z._default(z.array(Route), []),
  neigh: z._default(z.array(Neigh), []),
  fdb: z._default(z.array(FdbEntry), []),
  bridges: z._default(z.array(BridgeInfo), []),
  bridgePorts: z._default(z.array(BridgePort), []),
  iptables: z.optional(IptablesRuleset),
  /** nft list ruleset (flannel's nftables mode, EnableNFTables) */
  nft: z.optional(NftRuleset),
  /** wg show all dump (wireguard backend), private keys never kept */
  wireguard: z._default(z.array(WgDevice), []),
  subnetEnv: z.optional(SubnetEnv),
  cniConflist: z.optional(CniConflist),
  iflinks: z._default(z.array(Iflink), []),
  ethtool: z._default(z.record(z.string(), EthtoolStats), {}),
  /** net.ipv4.ip_forward, net.bridge.bridge-nf-call-iptables, … as read ('1', '0') */
  sysctls: z._default(z.record(z.string(), z.string()), {}),
  /** `ethtool -k` features per device, e.g. { 'flannel.1': { 'tx-checksum-ip-generic': 'on' } } */
  features: z._default(z.record(z.string(), z.record(z.string(), z.string())), {}),
  pods: z._default(z.array(PodNetns), []),
  ipam: z._default(z.array(IpamAllocation), []),
  commands: z._default(z.array(CommandResult), []),
});
export type Snapshot = z.infer<typeof Snapshot>;
export type SnapshotInput = z.input<typeof Snapshot>;
