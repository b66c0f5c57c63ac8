// Without desired state, the node against itself, as seed 000 checks by hand: every route via the vxlan device
// has a PERMANENT neighbour for its gateway, every such neighbour's MAC an fdb entry with a dst, and no fdb entry
// on the device is one no neighbour refers to (a VtepMAC left from an earlier flannel.1). Same codes as the
// per-lease checks (model/codes.ts). A table not given, or given only filtered (`arp -e | grep X`), proves no
// absence: what it would have shown is unverified, never a finding.
import type { Finding } from '../../model/finding.js';
import { PASTE, partial } from '../collected.js';
import { evidenceOf, hiddenGateway, hiddenGatewayCouldBe } from '../peer-state.js';
import { type CheckContext, notApplicableV4 } from './context.js';
import { fdbLine, neighLine, routeLine } from './evidence.js';
import { type Check, finding } from './finding.js';

export const selfCheck: Check = {
  name: 'neigh/fdb behind each flannel route (no desired state)',
  run(ctx: CheckContext) {
    // with leases the per-lease checks judge every peer against its lease: nothing to add (grep'd annotation lines
    // that make no whole lease leave the node to be checked against itself)
    if (ctx.desired && ctx.desired.leases.length > 0) return [];
    if (ctx.v6Only) return { skipped: notApplicableV4(ctx.v6Only) };
    const dev = ctx.vxlanName;
    const ev = evidenceOf(ctx);
    const via = [...ctx.routesByDst.values()].flat().filter((r) => r.dev === dev && r.gateway !== undefined);
    if (!ev.routes) return { findings: [], unverified: [`the route table was not in the data given: paste \`${PASTE.routes}\``] };
    // a route whose gateway the paste hid (`via 10.xx.xx.0`): the neighbour behind it cannot be looked up
    const hidden = [...ctx.routesByDst.values()].flat().filter((r) => r.dev === dev && hiddenGateway(r) !== undefined);
    const missing = new Set<string>(hidden.map((r) => `the neighbour behind route ${r.dst} on ${dev}: its gateway is ${hiddenGateway(r)} in the data given: paste \`${PASTE.routes}\` unredacted`));
    if (via.length === 0) return missing.size ? { findings: [], unverified: [...missing] } : [];
    const out: Finding[] = [];
    const neighPartial = !ev.neigh || partial(ctx.snapshot, 'neigh', dev);
    const fdbPartial = !ev.fdb || partial(ctx.snapshot, 'fdb', dev);
    const neighPaste = `\`${PASTE.neigh} dev ${dev}\``;
    const fdbPaste = `\`${PASTE.fdb} dev ${dev}\``;
    const referenced = new Set<string>();
    for (const r of via) {
      const gw = r.gateway!;
      const n = ctx.neighByDst.get(gw);
      if (!n?.lladdr || n.state.includes('INCOMPLETE') || n.state.includes('FAILED')) {
        if (neighPartial) missing.add(`the neighbour ${gw} on ${dev} (route ${r.dst}) was not in the data given: paste ${neighPaste}`);
        else out.push(finding(ctx, 'NEIGH_MISSING', `route ${r.dst} via ${gw} dev ${dev} has no neighbour ${gw} with a MAC: packets to it are dropped`, [routeLine(r), ...(n ? [neighLine(n)] : [`ip neigh show dev ${dev}: no entry for ${gw}`])]));
        continue;
      }
      referenced.add(n.lladdr);
      if (!n.state.includes('PERMANENT')) out.push(finding(ctx, 'NEIGH_NOT_PERMANENT', `neighbour ${gw} on ${dev} is ${n.state.join(',') || 'NONE'}, not PERMANENT: flannel's entry is gone`, [routeLine(r), neighLine(n)]));
      const entries = ctx.fdbByMac.get(n.lladdr) ?? [];
      if (entries.some((f) => f.dst !== undefined || f.dstRedacted !== undefined)) continue;
      if (fdbPartial && entries.length === 0) missing.add(`the fdb entry for ${n.lladdr} (neighbour ${gw}) was not in the data given: paste ${fdbPaste}`);
      else out.push(finding(ctx, 'FDB_MISSING', `neighbour ${gw} on ${dev} resolves to ${n.lladdr}, which has no fdb entry with a dst: the kernel does not know where to send it`, [neighLine(n), ...(entries.length ? entries.map(fdbLine) : [`bridge fdb show dev ${dev}: no entry for ${n.lladdr}`])]));
    }
    // a neighbour a hidden gateway may be (its known octets agree) may be in use: not a leftover
    for (const r of hidden) for (const n of ctx.neighByDst.values()) if (n.lladdr && n.dev === dev && hiddenGatewayCouldBe(r, n.dst)) referenced.add(n.lladdr);
    // leftovers need both whole tables: an fdb entry no neighbour refers to
    if (!neighPartial && !fdbPartial) {
      const liveDsts = new Set([...referenced].flatMap((mac) => (ctx.fdbByMac.get(mac) ?? []).map((f) => f.dst)));
      for (const [mac, entries] of ctx.fdbByMac) {
        if (referenced.has(mac) || mac === '00:00:00:00:00:00') continue;
        for (const f of entries) {
          if (f.dst !== undefined && liveDsts.has(f.dst)) out.push(finding(ctx, 'FDB_OLD_MAC', `fdb entry ${mac} dst ${f.dst} on ${dev}: no neighbour uses this MAC, the node at ${f.dst} is reached through another (a VtepMAC from an earlier flannel.1)`, [fdbLine(f)]));
          else out.push(finding(ctx, 'STALE_FDB', `fdb entry ${mac}${f.dst ? ` dst ${f.dst}` : ''} on ${dev}: no neighbour and no route use it`, [fdbLine(f)]));
        }
      }
    }
    return { findings: out, unverified: [...missing] };
  },
};
