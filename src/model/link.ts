import * as z from './zod.js';
import { Mac } from './net.js';

// One schema per link kind, discriminated on `kind` (as vishvananda/netlink has one struct per kind).
// `looseObject` keeps fields a parser found but the model does not name, so nothing is dropped silently;
// `z.extend` of it stays loose.

const LinkBase = z.looseObject({
  ifindex: z.number().check(z.int(), z.nonnegative()),
  name: z.string(),
  flags: z._default(z.array(z.string()), []),
  mtu: z.optional(z.number().check(z.int())),
  operstate: z.optional(z.string()),
  /** link/ether address, lower case; absent for ipip/none links */
  mac: z.optional(Mac),
  /** the bridge (or bond) this link is enslaved to */
  master: z.optional(z.string()),
  /** `@ifN` / iflink: ifindex of the parent or veth peer (in the peer's namespace) */
  linkIndex: z.optional(z.number().check(z.int())),
  /** `@name`: parent device name when in the same namespace (`eth0.10@eth0`), `NONE` for tunnels */
  linkName: z.optional(z.string()),
  /** `link-netnsid N`: the peer lives in another namespace */
  linkNetnsid: z.optional(z.number().check(z.int())),
  /** `link-netns NAME` (text output names the namespace when it is a named one) */
  linkNetns: z.optional(z.string()),
  /** `master` bridge port state etc. from `ip -d link`, e.g. info_slave_kind */
  slaveKind: z.optional(z.string()),
});

const DeviceLink = z.extend(LinkBase, { kind: z.literal('device') });
const LoopbackLink = z.extend(LinkBase, { kind: z.literal('loopback') });
const VethLink = z.extend(LinkBase, { kind: z.literal('veth') });
const BridgeLink = z.extend(LinkBase, {
  kind: z.literal('bridge'),
  stp: z.optional(z.boolean()),
  bridgeId: z.optional(z.string()),
});
const VxlanLink = z.extend(LinkBase, {
  kind: z.literal('vxlan'),
  vni: z.optional(z.number().check(z.int())),
  local: z.optional(z.string()),
  remote: z.optional(z.string()),
  /** underlay device name (`dev eth0`) */
  dev: z.optional(z.string()),
  port: z.optional(z.number().check(z.int())),
  learning: z.optional(z.boolean()),
});
const IpipLink = z.extend(LinkBase, {
  kind: z.literal('ipip'),
  local: z.optional(z.string()),
  remote: z.optional(z.string()),
});
const WireguardLink = z.extend(LinkBase, { kind: z.literal('wireguard') });
const DummyLink = z.extend(LinkBase, { kind: z.literal('dummy') });
const OtherLink = z.extend(LinkBase, { kind: z.literal('other'), infoKind: z.optional(z.string()) });

export const Link = z.discriminatedUnion('kind', [
  DeviceLink,
  LoopbackLink,
  VethLink,
  BridgeLink,
  VxlanLink,
  IpipLink,
  WireguardLink,
  DummyLink,
  OtherLink,
]);
export type Link = z.infer<typeof Link>;
export type VxlanLink = z.infer<typeof VxlanLink>;
export type BridgeLink = z.infer<typeof BridgeLink>;
