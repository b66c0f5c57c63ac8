import { z } from 'zod';
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

export const SNAPSHOT_SCHEMA_VERSION = 1;

/** What happened to one collection step: which program or file, and whether it worked. */
export const CommandResult = z
  .object({
    /** logical name, e.g. `ip-route`, `bridge-fdb`, `subnet-env` */
    name: z.string(),
    argv: z.array(z.string()).optional(),
    file: z.string().optional(),
    ok: z.boolean(),
    /** json | text: which output form was parsed; `fallback` when an iproute2 equivalent replaced a missing tool */
    form: z.string().optional(),
    error: z.string().optional(),
    ms: z.number().optional(),
  })
  .loose();
export type CommandResult = z.infer<typeof CommandResult>;

const SnapshotSource = z.object({
  kind: z.enum(['live', 'netns', 'dir', 'snapshot', 'ssh', 'kube']),
  /** netns name, directory, file path or host */
  name: z.string().optional(),
});

export const Snapshot = z
  .object({
    schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
    host: z.string(),
    kernel: z.string().optional(),
    time: z.string(),
    source: SnapshotSource,
    links: z.array(Link).default([]),
    addresses: z.array(Address).default([]),
    routes: z.array(Route).default([]),
    neigh: z.array(Neigh).default([]),
    fdb: z.array(FdbEntry).default([]),
    bridges: z.array(BridgeInfo).default([]),
    bridgePorts: z.array(BridgePort).default([]),
    iptables: IptablesRuleset.optional(),
    /** nft list ruleset (flannel's nftables mode, EnableNFTables) */
    nft: NftRuleset.optional(),
    /** wg show all dump (wireguard backend), private keys never kept */
    wireguard: z.array(WgDevice).default([]),
    subnetEnv: SubnetEnv.optional(),
    cniConflist: CniConflist.optional(),
    iflinks: z.array(Iflink).default([]),
    ethtool: z.record(z.string(), EthtoolStats).default({}),
    /** net.ipv4.ip_forward, net.bridge.bridge-nf-call-iptables, … as read ('1', '0') */
    sysctls: z.record(z.string(), z.string()).default({}),
    /** `ethtool -k` features per device, e.g. { 'flannel.1': { 'tx-checksum-ip-generic': 'on' } } */
    features: z.record(z.string(), z.record(z.string(), z.string())).default({}),
    pods: z.array(PodNetns).default([]),
    ipam: z.array(IpamAllocation).default([]),
    commands: z.array(CommandResult).default([]),
  })
  .loose();
export type Snapshot = z.infer<typeof Snapshot>;
export type SnapshotInput = z.input<typeof Snapshot>;
