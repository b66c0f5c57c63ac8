// The IPv6 half of a dual-stack vxlan node (reference §1.2 "Same logic for IPv6 with flannel-v6.1"): the device
// flannel-v6.<VNI> (this node's backend-v6-data VtepMAC, local = its public-ipv6) and, for every remote lease with
// an IPv6 half, neigh <subnet6 address> -> VtepMAC6 PERMANENT, fdb VtepMAC6 dst <public-ipv6> self permanent and
// route <subnet6> via <subnet6 address> dev flannel-v6.<VNI> onlink. Same codes as the IPv4 checks, the device
// named in every summary. Routes are judged only when the snapshot holds IPv6 routes (`ip -6 route` pasted or
// collected): without them the route part is not verified, never a finding. Until the shared peer-state
// evaluator has a family dimension this is the v6 counterpart of checks/peers.ts.
import type { Finding } from '../../model/finding.js';
import { normalizeIPv6, normalizeSubnet6 } from '../../model/ipv6.js';
import type { Lease } from '../../model/lease.js';
import { isKnownDown } from '../link-state.js';
import type { CheckContext } from './context.js';
import { fdbLine, linkLine, neighLine, routeLine } from './evidence.js';
import { type Check, finding } from './finding.js';

const v6Line = (l: Lease): string => `lease ${l.node ?? l.subnet}: ${l.subnet6} public-ipv6 ${l.publicIpv6 ?? '?'} VtepMAC ${l.vtepMac6 ?? '?'}`;
const base = (subnet6: string): string => subnet6.split('/')[0];

function ownDevice(ctx: CheckContext, dev: string, out: Finding[]): boolean {
  const link = ctx.links.get(dev);
  const own = ctx.leases?.local;
  if (!link) {
    out.push(finding(ctx, 'VXLAN_DEVICE_MISSING', `${dev} does not exist: no IPv6 overlay traffic leaves or enters this node`, [`ip link show ${dev}: Device "${dev}" does not exist.`, ...(own?.subnet6 ? [v6Line(own)] : [])], 'restart flanneld on this node (it recreates the device with its stored v6 VtepMAC)'));
    return false;
  }
  if (link.kind !== 'vxlan') return true;
  if (isKnownDown(link)) out.push(finding(ctx, 'VXLAN_DEVICE_DOWN', `${dev} is down: the kernel dropped every IPv6 route and neighbour on it`, [linkLine(link)], `ip link set dev ${dev} up; then restart flanneld to put its IPv6 routes and neighbours back`));
  if (own?.vtepMac6 && link.mac && link.mac !== own.vtepMac6) out.push(finding(ctx, 'LEASE_MAC_MISMATCH', `${dev} MAC ${link.mac} is not this node's backend-v6-data VtepMAC ${own.vtepMac6}: every peer sends to the lease MAC`, [linkLine(link), v6Line(own)], `restart flanneld (it re-annotates the lease), or: ip link set dev ${dev} address ${own.vtepMac6}`));
  const local = link.local ? normalizeIPv6(link.local) : undefined;
  if (own?.publicIpv6 && local && local !== own.publicIpv6) out.push(finding(ctx, 'VXLAN_LOCAL_MISMATCH', `${dev} local ${link.local} is not the lease's public-ipv6 ${own.publicIpv6}`, [linkLine(link), v6Line(own)], 'check --iface / --public-ipv6 of flanneld, then restart it'));
  return !isKnownDown(link);
}

export const peers6Check: Check = {
  name: 'per-lease neigh/fdb/route (IPv6)',
  run(ctx) {
    if (ctx.backend !== 'vxlan' || !ctx.leases) return [];
    const remotes = (ctx.leases.remotes ?? []).filter((l) => l.backendType === 'vxlan' && l.subnet6);
    const own = ctx.leases.local;
    // a v4-only cluster: nothing IPv6 to check
    if (!own?.subnet6 && remotes.length === 0) return [];
    const dev = `flannel-v6.${own?.vni6 ?? own?.vni ?? ctx.netConf?.Backend?.VNI ?? 1}`;
    const out: Finding[] = [];
    const up = ownDevice(ctx, dev, out);
    const neigh = new Map(ctx.snapshot.neigh.filter((n) => n.dev === dev).map((n) => [normalizeIPv6(n.dst), n]));
    const fdb = ctx.snapshot.fdb.filter((f) => f.dev === dev && f.self && !f.master);
    const v6Routes = ctx.snapshot.routes.filter((r) => r.dst.includes(':'));
    const direct = ctx.netConf?.Backend?.DirectRouting === true || String(ctx.netConf?.Backend?.DirectRouting).toLowerCase() === 'true';
    for (const lease of remotes) {
      const subnet6 = normalizeSubnet6(lease.subnet6!);
      if (!subnet6 || !lease.vtepMac6 || !lease.publicIpv6) continue;
      const who = lease.node ?? lease.subnet;
      const gw = base(subnet6);
      const ev = v6Line(lease);
      const n = neigh.get(gw);
      const unresolved = !n?.lladdr || n.state.includes('INCOMPLETE') || n.state.includes('FAILED');
      const neighFix = `ip -6 neigh replace ${gw} lladdr ${lease.vtepMac6} dev ${dev} nud permanent`;
      if (!up || !n || unresolved) out.push(finding(ctx, 'NEIGH_MISSING', `no neighbour ${gw} -> ${lease.vtepMac6} on ${dev} for ${who}`, [ev, n ? neighLine(n) : `ip -6 neigh show dev ${dev}: no entry for ${gw}`], neighFix));
      else if (n.lladdr !== lease.vtepMac6) out.push(finding(ctx, 'VTEP_MAC_MISMATCH', `neighbour ${gw} on ${dev} has lladdr ${n.lladdr}, the backend-v6-data of ${who} says VtepMAC ${lease.vtepMac6}`, [ev, neighLine(n)], neighFix));
      else if (!n.state.includes('PERMANENT')) out.push(finding(ctx, 'NEIGH_NOT_PERMANENT', `neighbour ${gw} on ${dev} is ${n.state.join(',')}, not PERMANENT`, [ev, neighLine(n)], neighFix));
      const entries = fdb.filter((f) => f.mac === lease.vtepMac6);
      const fdbFix = `bridge fdb replace ${lease.vtepMac6} dev ${dev} dst ${lease.publicIpv6} self permanent`;
      if (!up || entries.length === 0) out.push(finding(ctx, 'FDB_MISSING', `no fdb entry ${lease.vtepMac6} dst ${lease.publicIpv6} on ${dev} for ${who}`, [ev, `bridge fdb show dev ${dev}: no entry for ${lease.vtepMac6}`], fdbFix));
      else if (!entries.some((f) => f.dst !== undefined && normalizeIPv6(f.dst) === lease.publicIpv6)) out.push(finding(ctx, 'FDB_DST_MISMATCH', `fdb entry ${lease.vtepMac6} on ${dev} points to ${entries.map((e) => e.dst ?? 'no dst').join(',')}, the lease of ${who} says ${lease.publicIpv6}`, [ev, ...entries.map(fdbLine)], fdbFix));
      if (v6Routes.length === 0 || direct) continue;
      const seen = v6Routes.filter((r) => normalizeSubnet6(r.dst) === subnet6);
      const ok = seen.some((r) => r.dev === dev && r.gateway !== undefined && normalizeIPv6(r.gateway) === gw && r.onlink);
      const want = `${subnet6} via ${gw} dev ${dev} onlink`;
      if (!up || seen.length === 0) out.push(finding(ctx, 'ROUTE_MISSING', `no route ${want} for ${who}`, [ev, `ip -6 route show ${subnet6}: ${seen.length ? 'only on a device that is down' : 'no route'}`], `ip -6 route replace ${want}`));
      else if (!ok) out.push(finding(ctx, 'ROUTE_MISMATCH', `route to ${subnet6} is not ${want} (lease of ${who})`, [ev, ...seen.map(routeLine)], `ip -6 route replace ${want}`));
    }
    return out;
  },
};
