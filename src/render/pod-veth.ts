import type { PodVethReport } from '../services/pod-veth.js';
import { fitText, type View } from './layout.js';
import { renderTable } from './table.js';

export function renderPodVeth(r: PodVethReport, view: View = {}): string {
  const out: string[] = [];
  if (r.notFound !== undefined) out.push(`no pod or veth matches ${JSON.stringify(r.notFound)}`);
  if (r.pods.length) {
    out.push(
      renderTable(
        ['pod', 'ip', 'mac', 'host veth', 'ifindex', 'eth0 iflink', 'bridge', 'node', 'from'],
        r.pods.map((p) => [p.pod, p.ip, p.mac, p.hostVeth, p.hostIfindex, p.podIflink, p.bridge ?? (p.routed ? '(routed)' : '(no master)'), p.node, p.source]),
      ),
    );
  }
  if (r.unmapped.length) out.push('veths with no known pod:', renderTable(['host veth', 'ifindex', 'bridge', 'netns', 'node'], r.unmapped.map((u) => [u.hostVeth, u.hostIfindex, u.bridge, u.netns, u.node]), view));
  for (const p of r.problems) out.push(`${p.code}: ${p.detail}`);
  if (!out.length) out.push('no pods or veths found');
  return fitText(out.join('\n'), view.width);
}
