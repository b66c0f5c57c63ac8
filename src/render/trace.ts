// The human view of a trace: the answer first, the evidence under it.
import type { TraceHop, TraceResult } from '../analyze/trace.js';
import { verdictColour } from './colour.js';
import { renderAscii } from './diagram.js';
import { fitText, type View } from './layout.js';
import { renderTable } from './table.js';

function hopRows(hops: TraceHop[], multiNode: boolean): (string | undefined)[][] {
  return hops.map((h) => [h.step, ...(multiNode ? [h.node] : []), h.device, h.ok === null ? 'unverified' : h.ok ? 'ok' : (h.problems ?? [h.problem]).join(' '), h.detail]);
}

export function renderTrace(r: TraceResult, view: View = {}): string {
  const multi = new Set([...r.hops, ...(r.reverse?.hops ?? [])].map((h) => h.node)).size > 1;
  const head = ['step', ...(multi ? ['node'] : []), 'device', 'verdict', 'evidence'];
  const table = { ...view, paint: { [head.indexOf('verdict')]: verdictColour } };
  const out = [view.colour ? r.summary.replace(/(OK|BROKEN)$/, verdictColour) : r.summary, ''];
  if (r.route?.matched) out.push(`route: ${r.route.matched} — ${r.route.reason}`);
  if (r.targetNode) {
    const t = r.targetNode;
    out.push(`target node: ${t.ip}${t.name ? ` (${t.name})` : ''}${t.subnet ? `, subnet ${t.subnet}` : ''}${t.vtepMac ? `, VtepMAC ${t.vtepMac}` : ''}`);
  }
  out.push(renderTable(head, hopRows(r.hops, multi), table));
  if (r.reverse) {
    const back = r.reverse.ok === null ? 'NOT VERIFIED' : r.reverse.ok ? 'OK' : 'BROKEN';
    out.push('', `way back to ${r.reverse.destination}: ${view.colour ? verdictColour(back) : back}`, renderTable(head, hopRows(r.reverse.hops, multi), table));
  }
  out.push('', `path: ${renderAscii(r)}`);
  return fitText(out.join('\n'), view.width);
}
