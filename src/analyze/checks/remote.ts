// Findings for the per-lease triplet and for stale entries (C-route, C-neigh, C-fdb of reference §7).
import type { Finding } from '../../model/finding.js';
import { fdbDel, fdbReplace, neighDel, neighReplace, routeDel, routeReplace } from '../../model/fix.js';
import type { CheckContext } from './context.js';
import { fdbLine, leaseLine, neighLine, routeLine } from './evidence.js';
import { type Check, finding, fixCommands } from './finding.js';
import { peerDiffs, staleEntries } from './peers.js';

const needLeases = (ctx: CheckContext): string | undefined =>
  !ctx.desired ? 'no desired state (give --nodes, --kube or --etcd)' : !ctx.backend ? 'backend type unknown' : undefined;

export const peersCheck: Check = {
  name: 'per-lease neigh/fdb/route',
  run(ctx) {
    const why = needLeases(ctx);
    if (why) return { skipped: why };
    const out: Finding[] = [];
    const { diffs, unusable, unsupported } = peerDiffs(ctx);
    if (diffs.length === 0 && unusable.length === 0 && unsupported.length > 0) return { skipped: `backend ${unsupported[0].backendType}: per-peer state is not neigh/fdb/route` };
    for (const lease of unusable) {
      out.push(finding(ctx, 'LEASE_NO_VTEP_MAC', 'warning', `lease ${lease.node ?? lease.subnet} has no VtepMAC: this node cannot program it`, [leaseLine(lease)]));
    }
    const dev = ctx.vxlanName;
    for (const d of diffs) {
      const who = d.lease.node ?? d.lease.subnet;
      const lease = leaseLine(d.lease);
      if (d.neigh && d.neigh.state !== 'ok') {
        const n = d.neigh;
        const seen = n.seen ? [neighLine(n.seen)] : [`ip neigh show dev ${dev}: no entry for ${n.ip}`];
        const fix = fixCommands(ctx, [() => neighReplace(dev, n.ip, n.mac)]);
        if (n.state === 'missing') out.push(finding(ctx, 'NEIGH_MISSING', 'error', `no neighbour ${n.ip} -> ${n.mac} on ${dev} for ${who}${n.seen ? ' (only the kernel\'s unanswered ARP entry)' : ''}`, [lease, ...seen], fix));
        else if (n.state === 'wrong') out.push(finding(ctx, 'VTEP_MAC_MISMATCH', 'error', `neighbour ${n.ip} on ${dev} has lladdr ${n.seen?.lladdr ?? 'none'}, lease of ${who} says VtepMAC ${n.mac}`, [lease, ...seen], fix));
        else out.push(finding(ctx, 'NEIGH_NOT_PERMANENT', 'error', `neighbour ${n.ip} on ${dev} is ${n.seen?.state.join(',')}, not PERMANENT: flannel's entry is gone and the kernel is resolving it`, [lease, ...seen], fix));
      }
      if (d.fdb && d.fdb.state !== 'ok') {
        const f = d.fdb;
        const fix = fixCommands(ctx, [() => fdbReplace(dev, f.mac, f.dst)]);
        if (f.state === 'missing') out.push(finding(ctx, 'FDB_MISSING', 'error', `no fdb entry ${f.mac} dst ${f.dst} on ${dev} for ${who}`, [lease, `bridge fdb show dev ${dev}: no entry for ${f.mac}`], fix));
        else out.push(finding(ctx, 'FDB_DST_MISMATCH', 'error', `fdb entry ${f.mac} on ${dev} points to ${f.seen.map((e) => e.dst ?? 'no dst').join(',')}, lease of ${who} says ${f.dst}`, [lease, ...f.seen.map(fdbLine)], fix));
      }
      if (d.routeState !== 'ok') {
        const r = d.route;
        const fix = fixCommands(ctx, [() => routeReplace(r)]);
        const want = `${r.dst} via ${r.gateway}${r.dev ? ` dev ${r.dev}` : ''}${r.onlink ? ' onlink' : ''}`;
        if (d.routeState === 'missing') out.push(finding(ctx, 'ROUTE_MISSING', 'error', `no route ${want} for ${who}`, [lease, `ip route show ${r.dst}: ${d.routeSeen.length ? `${d.routeSeen.length} route(s) on a device that is down or gone` : 'no route'}`, ...d.routeSeen.map(routeLine)], fix));
        else out.push(finding(ctx, 'ROUTE_MISMATCH', 'error', `route to ${r.dst} is not ${want} (lease of ${who})`, [lease, ...d.routeSeen.map(routeLine)], fix));
      }
    }
    return out;
  },
};

export const staleCheck: Check = {
  name: 'stale entries on the vxlan device',
  run(ctx) {
    const why = needLeases(ctx);
    if (why) return { skipped: why };
    if (ctx.backend !== 'vxlan') return { skipped: `backend ${ctx.backend}: stale host-gw/ipip routes cannot be told from the admin's` };
    const dev = ctx.vxlanName;
    const s = staleEntries(ctx);
    const out: Finding[] = [];
    const hint = ' (repair --prune removes it)';
    for (const r of s.routes)
      out.push(finding(ctx, 'STALE_ROUTE', 'warning', `route ${r.dst} on ${dev} belongs to no current lease (departed node?)${hint}`, [routeLine(r)], fixCommands(ctx, [() => routeDel({ dst: r.dst, gateway: r.gateway, dev, onlink: r.onlink })])));
    for (const n of s.neigh)
      out.push(finding(ctx, 'STALE_NEIGH', 'warning', `neighbour ${n.dst} on ${dev} belongs to no current lease${hint}`, [neighLine(n)], fixCommands(ctx, [() => neighDel(dev, n.dst)])));
    for (const f of s.fdb)
      out.push(finding(ctx, 'STALE_FDB', 'warning', `fdb entry ${f.mac}${f.dst ? ` dst ${f.dst}` : ''} on ${dev}: no lease holds this VtepMAC or public IP${hint}`, [fdbLine(f)], fixCommands(ctx, [() => fdbDel(dev, f.mac, f.dst)])));
    for (const f of s.oldMacFdb)
      out.push(finding(ctx, 'FDB_OLD_MAC', 'info', `fdb entry ${f.mac} dst ${f.dst} is a previous VtepMAC of a live node (flannel never deletes it; harmless)${hint}`, [fdbLine(f)], fixCommands(ctx, [() => fdbDel(dev, f.mac, f.dst)])));
    return out;
  },
};
