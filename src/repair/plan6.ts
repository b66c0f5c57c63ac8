// The IPv6 half of a dual-stack vxlan node's repair (flannel's vxlan.go / vxlan_network.go with EnableIPv6):
// flannel-v6.<VNI> recreated or brought up as flanneld makes it — this node's own backend-v6-data VtepMAC, local =
// its public-ipv6 on the underlay that holds it, the lease's `<subnet6>/128` on it — then per peer the same
// neigh -> fdb -> route as IPv4 on that device (peer-state family v6). Only when this node's lease has an IPv6
// half: a v4-only node has nothing here. Pure.
import { type CheckContext, deviceWithAddress, subnetAddress } from '../analyze/checks/context.js';
import { hasOverlay6 } from '../analyze/checks/peers6.js';
import { isKnownDown, VXLAN_OVERHEAD } from '../analyze/link-state.js';
import { peerStates6, staleEntries6, v6DeviceName } from '../analyze/peer-state.js';
import { normalizeIPv6, normalizeSubnet6 } from '../model/ipv6.js';
import type { Link } from '../model/link.js';
import * as c from '../model/fix.js';
import { type Add, type FamilyDevice, planPeer, prunePeers, type Skip, type Skipped } from './plan-peer.js';

const VXLAN_PORT = 8472;

/** The interface holding IPv6 address `ip` (addresses compared in RFC 5952 form). */
function deviceWithAddress6(ctx: CheckContext, ip: string): Link | undefined {
  for (const [dev, addrs] of ctx.addrsByDev) if (addrs.some((a) => a.family === 'inet6' && normalizeIPv6(a.local) === ip)) return ctx.links.get(dev);
  return deviceWithAddress(ctx, ip);
}

/** flannel-v6.<VNI>; false when it is missing and cannot be recreated (its peers are then not planned). */
function planDevice6(ctx: CheckContext, fam: FamilyDevice, subnet6: string, add: Add, skip: Skip): boolean {
  const name = fam.dev;
  const own = ctx.leases!.local!;
  const link = fam.link;
  const overlay = `${subnetAddress(subnet6)}/128`;
  if (!link) {
    if (!own.vtepMac6) return (skip(name, "missing, and this node's lease has no backend-v6-data VtepMAC: a random MAC would break every peer"), false);
    const under = own.publicIpv6 ? deviceWithAddress6(ctx, own.publicIpv6) : undefined;
    if (!own.publicIpv6 || !under) return (skip(name, `missing, and no interface of this node has the lease's public-ipv6 ${own.publicIpv6 ?? '(none)'}: restart flanneld`), false);
    const base = ctx.netConf?.Backend?.MTU ?? under.mtu;
    if (base === undefined) return (skip(name, `missing, and the MTU of ${under.name} is unknown`), false);
    const spec: c.VxlanSpec = { name, mac: own.vtepMac6, mtu: base - VXLAN_OVERHEAD.v6, vni: own.vni6 ?? own.vni ?? ctx.netConf?.Backend?.VNI ?? 1, local: own.publicIpv6, dev: under.name, port: ctx.netConf?.Backend?.Port || VXLAN_PORT };
    add('link-add', 'VXLAN_DEVICE_MISSING', name, `${name} is missing: recreate it with VNI ${spec.vni}, local ${spec.local}, dev ${under.name}, VtepMAC ${own.vtepMac6}`, () => c.linkAddVxlan(spec), () => [c.linkDel(name)]);
    add('addr-replace', 'VXLAN_DEVICE_MISSING', `${overlay} dev ${name}`, `overlay address of IPv6 lease ${subnet6}`, () => c.addrReplace(name, overlay), () => []);
    add('link-up', 'VXLAN_DEVICE_MISSING', name, `bring the new ${name} up`, () => c.linkUp(name), () => []);
    return true;
  }
  if (link.kind !== 'vxlan') return (skip(name, `is a ${link.kind} device (kind unknown or not vxlan): not touched`), false);
  if (own.vtepMac6 && link.mac && link.mac !== own.vtepMac6) skip(name, `MAC ${link.mac} is not the lease's backend-v6-data VtepMAC ${own.vtepMac6}: restart flanneld on this node (it re-annotates the lease)`);
  const vni = own.vni6 ?? own.vni ?? ctx.netConf?.Backend?.VNI;
  if (vni !== undefined && link.vni !== undefined && link.vni !== vni) skip(name, `VNI ${link.vni} is not ${vni}: restart flanneld (it recreates the device)`);
  // a device taken down loses its IPv6 addresses (keep_addr_on_down=0): the snapshot shows it without
  const addrs = ctx.addrsByDev.get(name) ?? [];
  // a down device's lost address is part of that fault (doctor names it VXLAN_DEVICE_DOWN alone)
  if (!hasOverlay6(addrs, subnet6)) add('addr-replace', isKnownDown(link) ? 'VXLAN_DEVICE_DOWN' : 'VXLAN_ADDR_MISSING', `${overlay} dev ${name}`, `${name} lacks the overlay address of IPv6 lease ${subnet6}`, () => c.addrReplace(name, overlay), () => [c.addrDel(name, overlay)], addrs);
  if (isKnownDown(link)) add('link-up', 'VXLAN_DEVICE_DOWN', name, `${name} is down (the kernel dropped its IPv6 routes and neighbours; they are re-added below)`, () => c.linkUp(name), () => [c.linkDown(name)], [link]);
  return true;
}

/** Device, peers and (--prune) stale entries of flannel-v6.<VNI>; `add` tags every action v6. */
export function planFamily6(ctx: CheckContext, add: Add, skip: Skip, skipped: Skipped, prune: boolean): void {
  const subnet6 = ctx.leases?.local?.subnet6 ? normalizeSubnet6(ctx.leases.local.subnet6) : undefined;
  if (!subnet6) return;
  const dev = v6DeviceName(ctx);
  const fam: FamilyDevice = { dev, link: ctx.links.get(dev) };
  if (!planDevice6(ctx, fam, subnet6, add, skip)) return;
  const peers = peerStates6(ctx);
  for (const p of peers) planPeer(fam, p, add, skipped);
  if (!prune || !fam.link) return;
  // no usable v6 peer lease (a v4-only desired state): pruning would delete every IPv6 peer's entries
  if (peers.length === 0) return skip(dev, '--prune not applied to IPv6: the desired state has no usable IPv6 peer lease');
  prunePeers(dev, staleEntries6(ctx), add);
}
