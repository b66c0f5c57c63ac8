// The IPv6 half of a dual-stack vxlan node (reference §1.2 "Same logic for IPv6 with flannel-v6.1"): the device
// flannel-v6.<VNI> (this node's backend-v6-data VtepMAC, local = its public-ipv6) is checked here; every remote
// lease's neigh/fdb/route on it is judged by analyze/peer-state (family v6), with the IPv4 codes, the device named
// in every summary. A table not in the data given (IPv6 routes unless `ip -6 route` was pasted) is unverified.
import type { Address } from '../../model/address.js';
import type { Finding } from '../../model/finding.js';
import { normalizeIPv6, normalizeSubnet6 } from '../../model/ipv6.js';
import { type Lease, leaseName } from '../../model/lease.js';
import { addrReplace, linkMtu } from '../../model/fix.js';
import type { Link } from '../../model/link.js';
import { absenceProves, deviceAddressesShown, PASTE, underlayAddressesShown } from '../collected.js';
import { isKnownDown, VXLAN_OVERHEAD } from '../link-state.js';
import { peerStates6, v6DeviceName, type Verdict } from '../peer-state.js';
import { type CheckContext, subnetAddress } from './context.js';
import { fdbLine, linkLine, neighLine, routeLine } from './evidence.js';
import { type Check, finding, fixCommands } from './finding.js';

const v6Line = (l: Lease): string => `lease ${leaseName(l)}: ${l.subnet6} public-ipv6 ${l.publicIpv6 ?? '?'} VtepMAC ${l.vtepMac6 ?? '?'}`;

// the kernel's VXLAN6_HEADROOM: flanneld sets no MTU, the device takes the underlay's − 70
const VXLAN6_OVERHEAD = VXLAN_OVERHEAD.v6;

/** flannel-v6.<VNI> itself, judged as device.ts judges flannel.<VNI>: each fact only from the input that shows it. */
function ownDevice(ctx: CheckContext, dev: string, out: Finding[], missing: Set<string>): void {
  const link = ctx.links.get(dev);
  const own = ctx.leases?.local;
  if (!link) {
    // a link list not read, or a ticket's grep'd paste, does not show that the device is gone
    if (!absenceProves(ctx.snapshot)) missing.add(`${dev}: the link list given does not show it: paste \`${PASTE.links} ${dev}\``);
    else out.push(finding(ctx, 'VXLAN_DEVICE_MISSING', `${dev} does not exist: no IPv6 overlay traffic leaves or enters this node`, [`ip link show ${dev}: Device "${dev}" does not exist.`, ...(own?.subnet6 ? [v6Line(own)] : [])], 'restart flanneld on this node (it recreates the device with its stored v6 VtepMAC)'));
    return;
  }
  if (link.kind !== 'vxlan') return;
  if (isKnownDown(link)) out.push(finding(ctx, 'VXLAN_DEVICE_DOWN', `${dev} is down: the kernel dropped every IPv6 route and neighbour on it`, [linkLine(link)], `ip link set dev ${dev} up; then restart flanneld to put its IPv6 routes and neighbours back`));
  if (own?.vtepMac6 && link.mac && link.mac !== own.vtepMac6) out.push(finding(ctx, 'LEASE_MAC_MISMATCH', `${dev} MAC ${link.mac} is not this node's backend-v6-data VtepMAC ${own.vtepMac6}: every peer sends to the lease MAC`, [linkLine(link), v6Line(own)], `restart flanneld (it re-annotates the lease), or: ip link set dev ${dev} address ${own.vtepMac6}`));
  const local = link.local ? normalizeIPv6(link.local) : undefined;
  if (local) {
    // as for flannel.<VNI>: the lease's public-ipv6 may differ behind NAT; only this node's own addresses tell
    const mine = new Set(ctx.snapshot.addresses.filter((a) => a.family === 'inet6').map((a) => normalizeIPv6(a.local)));
    if (own?.publicIpv6 && mine.has(own.publicIpv6) && local !== own.publicIpv6) out.push(finding(ctx, 'VXLAN_LOCAL_MISMATCH', `${dev} local ${link.local} is not the lease's public-ipv6 ${own.publicIpv6}`, [linkLine(link), v6Line(own)], 'check --iface / --public-ipv6 of flanneld, then restart it'));
    else if (!mine.has(local)) {
      if (underlayAddressesShown(ctx.snapshot, link)) out.push(finding(ctx, 'VXLAN_LOCAL_NOT_OURS', `${dev} local ${link.local} is not an address of this node`, [linkLine(link)]));
      else missing.add(`${dev} local ${link.local}: the underlay's addresses were not in the data given: paste \`${PASTE.addresses}\``);
    }
  }
  overlayAddress6(ctx, dev, link, out, missing);
  const under = link.dev ? ctx.links.get(link.dev) : undefined;
  // as repair's plan6 recreates it: Backend.MTU, else the underlay's, less the IPv6 vxlan header
  const base = ctx.netConf?.Backend?.MTU ?? under?.mtu;
  if (base !== undefined && link.mtu !== undefined && link.mtu !== base - VXLAN6_OVERHEAD) {
    out.push(finding(ctx, 'MTU_MISMATCH', `${dev} mtu ${link.mtu} is not ${base - VXLAN6_OVERHEAD} (${ctx.netConf?.Backend?.MTU ? 'Backend.MTU' : `${link.dev} mtu ${base}`} − 70, the IPv6 vxlan header)`, [linkLine(link), ...(under ? [linkLine(under)] : [])], fixCommands(ctx, [() => linkMtu(dev, base - VXLAN6_OVERHEAD)])));
  }
}

/** Whether `addrs` hold the lease's `<subnet6>/128` (`subnet6` normalised), as flanneld puts it on flannel-v6.<VNI>. */
export const hasOverlay6 = (addrs: Address[], subnet6: string): boolean =>
  addrs.some((a) => a.family === 'inet6' && a.prefixlen === 128 && normalizeIPv6(a.local) === subnetAddress(subnet6));

/**
 * The lease's `<subnet6>/128` on flannel-v6.<VNI> (flanneld's vxlan_network.go), judged as device.ts judges
 * flannel.<VNI>'s /32: only addresses shown count. A device that is down has lost it with its other IPv6 addresses:
 * that is VXLAN_DEVICE_DOWN's to name (repair's plan6 codes the re-add so too).
 */
function overlayAddress6(ctx: CheckContext, dev: string, link: Link, out: Finding[], missing: Set<string>): void {
  const subnet6 = ctx.leases?.local?.subnet6 ? normalizeSubnet6(ctx.leases.local.subnet6) : undefined;
  if (!subnet6 || isKnownDown(link)) return;
  const want = `${subnetAddress(subnet6)}/128`;
  // `ip link` (and a grep'd `ip a`) never prints this device's addresses: no address is not a missing address
  if (!deviceAddressesShown(ctx.snapshot, dev)) {
    missing.add(`${dev}'s overlay address ${want}: its addresses were not in the data given: paste \`${PASTE.addresses} dev ${dev}\``);
    return;
  }
  const addrs = (ctx.addrsByDev.get(dev) ?? []).filter((a) => a.family === 'inet6');
  if (hasOverlay6(addrs, subnet6)) return;
  const ev = addrs.length ? addrs.map((a) => `inet6 ${a.local}/${a.prefixlen} dev ${dev}`) : [`ip -6 addr show dev ${dev}: no address`];
  out.push(finding(ctx, 'VXLAN_ADDR_MISSING', `${dev} lacks the overlay address ${want} of this node's IPv6 lease ${subnet6}`, ev, fixCommands(ctx, [() => addrReplace(dev, want)])));
}

export const peers6Check: Check = {
  name: 'per-lease neigh/fdb/route (IPv6)',
  run(ctx) {
    if (ctx.backend !== 'vxlan') return [];
    if (!ctx.leases) {
      // no leases: the peers cannot be judged, the device itself can when the node shows it runs IPv6
      const link = ctx.snapshot.links.find((l) => /^flannel-v6\.\d+$/.test(l.name));
      if (!link && !ctx.subnetEnv?.ipv6Subnet) return [];
      const out: Finding[] = [];
      const missing = new Set<string>();
      ownDevice(ctx, link?.name ?? v6DeviceName(ctx), out, missing);
      return { findings: out, unverified: [...missing] };
    }
    const own = ctx.leases.local;
    const peers = peerStates6(ctx);
    // a v4-only cluster: nothing IPv6 to check
    if (!own?.subnet6 && peers.length === 0) return [];
    const dev = v6DeviceName(ctx);
    const out: Finding[] = [];
    const missing = new Set<string>();
    ownDevice(ctx, dev, out, missing);
    for (const p of peers) {
      const who = leaseName(p.lease);
      const ev = v6Line(p.lease);
      const report = (v: Verdict, evidence: string[], fix: string): void => {
        if (v.ok === null) missing.add(v.missing);
        else if (v.ok === false) out.push(finding(ctx, v.code, `${v.why} (lease of ${who})`, [ev, ...evidence], fix));
      };
      // DirectRouting to a peer on a connected network: the route alone, no neigh/fdb on the device
      const n = p.neigh;
      if (n) report(n.verdict, [n.seen ? neighLine(n.seen) : `ip -6 neigh show dev ${dev}: no entry for ${n.want.ip}`], `ip -6 neigh replace ${n.want.ip} lladdr ${n.want.mac} dev ${dev} nud permanent`);
      const f = p.fdb;
      if (f) report(f.verdict, f.seen.length ? f.seen.map(fdbLine) : [`bridge fdb show dev ${dev}: no entry for ${f.want.mac}`], `bridge fdb replace ${f.want.mac} dev ${dev} dst ${f.want.dst} self permanent`);
      const r = p.route;
      const want = p.path === 'direct' ? `${r.want.dst} via ${r.want.gateway}` : `${r.want.dst} via ${r.want.gateway} dev ${dev} onlink`;
      report(r.verdict, r.seen.length ? r.seen.map(routeLine) : [`ip -6 route show ${r.want.dst}: no route`], `ip -6 route replace ${want}`);
    }
    return { findings: out, unverified: [...missing] };
  },
};
