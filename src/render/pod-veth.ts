import type { PodVethReport } from '../services/pod-veth.js';
import { fitText, type View } from './layout.js';
import { renderTable } from './table.js';

export function renderPodVeth(r: PodVethReport, view: View = {}): string {
  const out: string[] = [];
  if (r.notFound !== undefined) out.push(`no pod or veth matches ${JSON.stringify(r.notFound)}`);
  if (r.pods.length) {
    // an ipv6 column only on a dual-stack or IPv6 node
    const v6 = r.pods.some((p) => p.ip6);
    out.push(
      renderTable(
        ['pod', 'ip', ...(v6 ? ['ipv6'] : []), 'mac', 'host veth', 'ifindex', 'eth0 iflink', 'bridge', 'node', 'from'],
        r.pods.map((p) => [p.pod, p.ip, ...(v6 ? [p.ip6] : []), p.mac, p.hostVeth, p.hostIfindex, p.podIflink, p.bridge ?? (p.routed ? '(routed)' : '(no master)'), p.node, p.source]),
      ),
    );
  }
  if (r.unmapped.length) out.push('veths with no known pod:', renderTable(['host veth', 'ifindex', 'bridge', 'netns', 'node'], r.unmapped.map((u) => [u.hostVeth, u.hostIfindex, u.bridge, u.netns, u.node]), view));
  for (const p of r.problems) out.push(`${p.code}: ${p.detail}`);
  for (const u of r.unverified) out.push(`unverified: ${u}`);
  if (!out.length) out.push('no pods or veths found');
  return fitText(out.join('\n'), view.width);
}
