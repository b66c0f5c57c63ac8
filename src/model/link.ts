import { z } from 'zod';
import { Mac } from './net.js';

// One schema per link kind, discriminated on `kind` (as vishvananda/netlink has one struct per kind).
// `.loose()` keeps fields a parser found but the model does not name, so nothing is dropped silently.

const LinkBase = z
  .object({
    ifindex: z.number().int().nonnegative(),
    name: z.string(),
    flags: z.array(z.string()).default([]),
    mtu: z.number().int().optional(),
    operstate: z.string().optional(),
    /** link/ether address, lower case; absent for ipip/none links */
    mac: Mac.optional(),
    /** the bridge (or bond) this link is enslaved to */
    master: z.string().optional(),
    /** `@ifN` / iflink: ifindex of the parent or veth peer (in the peer's namespace) */
    linkIndex: z.number().int().optional(),
    /** `@name`: parent device name when in the same namespace (`eth0.10@eth0`), `NONE` for tunnels */
    linkName: z.string().optional(),
    /** `link-netnsid N`: the peer lives in another namespace */
    linkNetnsid: z.number().int().optional(),
    /** `link-netns NAME` (text output names the namespace when it is a named one) */
    linkNetns: z.string().optional(),
    /** `master` bridge port state etc. from `ip -d link`, e.g. info_slave_kind */
    slaveKind: z.string().optional(),
  })
  .loose();

const DeviceLink = LinkBase.extend({ kind: z.literal('device') }).loose();
const LoopbackLink = LinkBase.extend({ kind: z.literal('loopback') }).loose();
const VethLink = LinkBase.extend({ kind: z.literal('veth') }).loose();
const BridgeLink = LinkBase.extend({
  kind: z.literal('bridge'),
  stp: z.boolean().optional(),
  bridgeId: z.string().optional(),
}).loose();
const VxlanLink = LinkBase.extend({
  kind: z.literal('vxlan'),
  vni: z.number().int().optional(),
  local: z.string().optional(),
  remote: z.string().optional(),
  /** underlay device name (`dev eth0`) */
  dev: z.string().optional(),
  port: z.number().int().optional(),
  learning: z.boolean().optional(),
}).loose();
const IpipLink = LinkBase.extend({
  kind: z.literal('ipip'),
  local: z.string().optional(),
  remote: z.string().optional(),
}).loose();
const WireguardLink = LinkBase.extend({ kind: z.literal('wireguard') }).loose();
const DummyLink = LinkBase.extend({ kind: z.literal('dummy') }).loose();
const OtherLink = LinkBase.extend({ kind: z.literal('other'), infoKind: z.string().optional() }).loose();

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
