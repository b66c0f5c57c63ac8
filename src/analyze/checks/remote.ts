// Findings for the per-lease triplet and for stale entries (C-route, C-neigh, C-fdb of reference §7).
import type { Finding } from '../../model/finding.js';
import { leaseName } from '../../model/lease.js';
import { type Cmd, fdbDel, fdbReplace, neighDel, neighReplace, routeDel, routeReplace } from '../../model/fix.js';
import { type CheckContext, notApplicableV4 } from './context.js';
import { fdbLine, leaseLine, neighLine, routeLine } from './evidence.js';
import { type Check, finding, fixCommands } from './finding.js';
import { PASTE } from '../collected.js';
import { evidenceOf, peerStates, staleEntries, type Verdict } from '../peer-state.js';

const needLeases = (ctx: CheckContext): string | undefined =>
  ctx.v6Only ? notApplicableV4(ctx.v6Only) : !ctx.desired ? 'no desired state (give --nodes, --kube or --etcd)' : !ctx.backend ? 'backend type unknown' : undefined;

export const peersCheck: Check = {
  name: 'per-lease neigh/fdb/route',
  run(ctx) {
    const why = needLeases(ctx);
    if (why) return { skipped: why };
    const out: Finding[] = [];
    const missing = new Set<string>();
    const { peers, unusable, unsupported } = peerStates(ctx);
    if (peers.length === 0 && unusable.length === 0 && unsupported.length > 0) return { skipped: `backend ${unsupported[0].lease.backendType}: ${unsupported[0].reason}` };
    for (const lease of unusable) out.push(finding(ctx, 'LEASE_NO_VTEP_MAC', `lease ${leaseName(lease)} has no VtepMAC: this node cannot program it`, [leaseLine(lease)]));
    const dev = ctx.vxlanName;
    for (const p of peers) {
      const who = leaseName(p.lease);
      const lease = leaseLine(p.lease);
      const report = (v: Verdict, evidence: string[], fix: (() => Cmd)[]): void => {
        if (v.ok === null) missing.add(v.missing);
        else if (v.ok === false) out.push(finding(ctx, v.code, `${v.why} (lease of ${who})`, [lease, ...evidence], fixCommands(ctx, fix)));
      };
      if (p.neigh) {
        const n = p.neigh;
        report(n.verdict, n.seen ? [neighLine(n.seen)] : [`ip neigh show dev ${dev}: no entry for ${n.want.ip}`], [() => neighReplace(dev, n.want.ip, n.want.mac)]);
      }
      if (p.fdb) {
        const f = p.fdb;
        const extra = f.seen.filter((e) => e.dst && e.dst !== f.want.dst);
        const fix = f.verdict.ok === false && f.verdict.code === 'FDB_DUPLICATE' ? extra.map((e) => () => fdbDel(dev, f.want.mac, e.dst)) : [() => fdbReplace(dev, f.want.mac, f.want.dst)];
        report(f.verdict, f.seen.length ? f.seen.map(fdbLine) : [`bridge fdb show dev ${dev}: no entry for ${f.want.mac}`], fix);
      }
      const r = p.route;
      report(r.verdict, r.seen.length ? r.seen.map(routeLine) : [`ip route show ${r.want.dst}: no route`], [() => routeReplace(r.want)]);
    }
    return { findings: out, unverified: [...missing] };
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
    // leases from a grep or one Node object are not all the cluster's: an entry none of them holds proves nothing
    if (ctx.desired?.incomplete) {
      const n = s.routes.length + s.neigh.length + s.fdb.length + s.oldMacFdb.length;
      return { findings: [], unverified: n ? [`whether ${n} route/neigh/fdb entr${n === 1 ? 'y' : 'ies'} on ${dev} belong to a current lease: the desired state given is ${ctx.desired.incomplete}: paste \`kubectl get nodes -o yaml\``] : [] };
    }
    const out: Finding[] = [];
    // a table not read, or read only narrowed, cannot show what is left over in it
    const ev = evidenceOf(ctx);
    const unverified = (['routes', 'neigh', 'fdb'] as const)
      .filter((t) => !ev[t] || ev.partial[t])
      .map((t) => `leftover ${t === 'routes' ? 'routes' : t === 'neigh' ? 'neighbours' : 'fdb entries'} on ${dev}: the whole table was not in the data given: paste \`${PASTE[t]}${t === 'routes' ? '' : ` dev ${dev}`}\``);
    const hint = ' (repair --prune removes it)';
    for (const r of s.routes)
      out.push(finding(ctx, 'STALE_ROUTE', `route ${r.dst} on ${dev} belongs to no current lease (departed node?)${hint}`, [routeLine(r)], fixCommands(ctx, [() => routeDel({ dst: r.dst, gateway: r.gateway, dev, onlink: r.onlink })])));
    for (const n of s.neigh)
      out.push(finding(ctx, 'STALE_NEIGH', `neighbour ${n.dst} on ${dev} belongs to no current lease${hint}`, [neighLine(n)], fixCommands(ctx, [() => neighDel(dev, n.dst)])));
    for (const f of s.fdb)
      out.push(finding(ctx, 'STALE_FDB', `fdb entry ${f.mac}${f.dst ? ` dst ${f.dst}` : ''} on ${dev}: no lease holds this VtepMAC or public IP${hint}`, [fdbLine(f)], fixCommands(ctx, [() => fdbDel(dev, f.mac, f.dst)])));
    for (const f of s.oldMacFdb)
      out.push(finding(ctx, 'FDB_OLD_MAC', `fdb entry ${f.mac} dst ${f.dst} is a previous VtepMAC of a live node (flannel never deletes it; harmless)${hint}`, [fdbLine(f)], fixCommands(ctx, [() => fdbDel(dev, f.mac, f.dst)])));
    return { findings: out, unverified };
  },
};
