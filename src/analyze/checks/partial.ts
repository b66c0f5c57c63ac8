// Annotation lines a user grep'd (`kubectl get node x -o yaml | grep flannel`) that make no whole lease: the known
// parts are checked where they are enough, the rest is unverified with the command to paste. A missing field is
// never a finding. This node's own VtepMAC against its vxlan device is flannel #1795; a peer's VtepMAC must reach
// its public IP through the fdb and be the lladdr of its subnet's neighbour.
import type { Finding } from '../../model/finding.js';
import type { PartialLease } from '../../model/lease.js';
import { nodeAddressesShown, PASTE, partial as filtered } from '../collected.js';
import { evidenceOf } from '../peer-state.js';
import { type CheckContext, subnetAddress } from './context.js';
import { fdbLine, linkLine, neighLine } from './evidence.js';
import { type Check, finding } from './finding.js';

const leaseText = (p: PartialLease): string =>
  `node ${p.node} (annotation lines):${p.publicIp ? ` public-ip ${p.publicIp}` : ''}${p.vtepMac ? ` VtepMAC ${p.vtepMac}` : ''}${p.subnet ? ` podCIDR ${p.subnet}` : ''}`;

/** Whether the partial lease is this node's: true, false, or undefined when the data given cannot tell. */
function isLocal(ctx: CheckContext, p: PartialLease): boolean | undefined {
  if (ctx.nodeName !== undefined) return ctx.nodeName === p.node;
  if (p.node === ctx.snapshot.host) return true;
  const mine = ctx.snapshot.addresses.some((a) => a.local === p.publicIp);
  if (mine) return true;
  return p.publicIp !== undefined && nodeAddressesShown(ctx.snapshot) ? false : undefined;
}

export const partialLeaseCheck: Check = {
  name: "partial leases (grep'd annotation lines)",
  run(ctx) {
    const leases = ctx.desired?.partial ?? [];
    if (leases.length === 0) return [];
    const dev = ctx.vxlanName;
    const ev = evidenceOf(ctx);
    const link = ctx.links.get(dev);
    const out: Finding[] = [];
    const missing: string[] = [];
    for (const p of leases) {
      const local = isLocal(ctx, p);
      if (p.missing.length) missing.push(`node ${p.node}: ${p.missing.join(', ')} not in the annotation lines given, so the checks that need them are not done: paste \`kubectl get node ${p.node} -o yaml\``);
      if (local === undefined) {
        missing.push(`whether node ${p.node}'s annotations are this node's: name it with --node ${p.node}, or paste \`${PASTE.addresses}\``);
        continue;
      }
      if (!p.vtepMac) continue;
      if (local) {
        // flannel #1795: peers send to the annotated MAC; the device must carry it
        if (!link?.mac) missing.push(`${dev}'s MAC against node ${p.node}'s VtepMAC ${p.vtepMac}: paste \`${PASTE.links} ${dev}\``);
        else if (link.mac !== p.vtepMac) out.push(finding(ctx, 'LEASE_MAC_MISMATCH', `${dev} MAC ${link.mac} is not this node's annotated VtepMAC ${p.vtepMac}: every peer sends to the annotated MAC and this node drops it (flannel #1795)`, [linkLine(link), leaseText(p)], 'restart flanneld (it re-annotates the lease), or set the device MAC back: ip link set dev flannel.1 address <VtepMAC>'));
        continue;
      }
      // a peer: its VtepMAC's fdb entries point to its public IP
      const entries = ctx.fdbByMac.get(p.vtepMac) ?? [];
      const dsts: string[] = [...new Set(entries.flatMap((f) => (f.dst === undefined ? [] : [String(f.dst)])))];
      if (p.publicIp && dsts.length > 0 && !dsts.includes(p.publicIp)) out.push(finding(ctx, 'FDB_DST_MISMATCH', `fdb entry ${p.vtepMac} on ${dev} points to ${dsts.join(',')}, node ${p.node}'s public IP is ${p.publicIp}`, [...entries.map(fdbLine), leaseText(p)]));
      else if (p.publicIp && entries.length === 0 && ev.fdb && !filtered(ctx.snapshot, 'fdb', dev)) out.push(finding(ctx, 'FDB_MISSING', `no fdb entry ${p.vtepMac} dst ${p.publicIp} on ${dev} for node ${p.node}`, [`bridge fdb show dev ${dev}: no entry for ${p.vtepMac}`, leaseText(p)]));
      else if (entries.length === 0) missing.push(`an fdb entry for node ${p.node}'s VtepMAC ${p.vtepMac}: paste \`${PASTE.fdb} dev ${dev}\``);
      // and its subnet's neighbour resolves to it (the subnet only when the podCIDR was given)
      const n = p.subnet ? ctx.neighByDst.get(subnetAddress(p.subnet)) : undefined;
      if (n?.lladdr && n.lladdr !== p.vtepMac) out.push(finding(ctx, 'VTEP_MAC_MISMATCH', `neighbour ${n.dst} on ${dev} has lladdr ${n.lladdr}, node ${p.node}'s VtepMAC is ${p.vtepMac}`, [neighLine(n), leaseText(p)]));
    }
    return { findings: out, unverified: missing };
  },
};
