import type { WhohasResult } from '../analyze/whohas.js';
import { fitText, type View } from './layout.js';
import { renderTable } from './table.js';

export function renderWhohas(r: WhohasResult, view: View = {}): string {
  const out = [r.summary];
  if (r.owners.length) out.push(renderTable(['kind', 'node', 'device', 'ip', 'where it leads'], r.owners.map((o) => [o.kind, o.node, o.device, o.ip, o.detail]), view));
  for (const c of r.conflicts) out.push(`conflict: ${c}`);
  return fitText(out.join('\n'), view.width);
}
