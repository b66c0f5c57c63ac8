// --summary as tables: tunnels, inner flows, DNS, anomalies.
import { severityColour } from '../render/colour.js';
import { fitText, type View } from '../render/layout.js';
import { renderTable } from '../render/table.js';
import type { DecodeResult } from './service.js';

const hhmmss = (iso: string): string => iso.slice(11, -1);

export function renderSummary(r: DecodeResult, view: View = {}, maxFlows = 50): string {
  const out: string[] = [];
  const lt = r.linkTypes.length > 1 ? r.linkTypes.join(', ') : r.linkType;
  out.push(`${r.file}: ${r.format}${r.gzip ? ' (gzip)' : ''}, ${lt}, ${r.packets} packets${r.matched !== r.packets ? ` (${r.matched} matched)` : ''}${r.truncated ? `, ${r.truncated} truncated` : ''}`);
  const { vxlan, ipip } = r.tunnels;
  if (vxlan.length || ipip.length) {
    out.push('', 'Tunnels');
    const rows = [
      ...vxlan.map((t) => ['vxlan', t.vni, t.src, t.dst, t.packets, t.bytes, hhmmss(t.firstSeen), hhmmss(t.lastSeen)]),
      ...ipip.map((t) => ['ipip', '', t.src, t.dst, t.packets, t.bytes, hhmmss(t.firstSeen), hhmmss(t.lastSeen)]),
    ];
    out.push(renderTable(['tunnel', 'vni', 'node', 'peer', 'packets', 'bytes', 'first', 'last'], rows, view));
  }
  if (r.flows.length) {
    const flows = [...r.flows].sort((a, b) => b.packets - a.packets);
    out.push('', `Flows${flows.length > maxFlows ? ` (top ${maxFlows} of ${flows.length} by packets; --json for all)` : ''}`);
    out.push(
      renderTable(
        ['proto', 'source', 'destination', 'via', 'packets', 'bytes', 'first', 'last'],
        flows.slice(0, maxFlows).map((f) => [
          f.proto,
          f.srcPort === undefined ? f.src : `${f.src}:${f.srcPort}`,
          f.dstPort === undefined ? f.dst : `${f.dst}:${f.dstPort}`,
          f.tunnel === 'vxlan' ? `vxlan ${f.vni}` : f.tunnel,
          f.packets,
          f.bytes,
          hhmmss(f.firstSeen),
          hhmmss(f.lastSeen),
        ]),
        view,
      ),
    );
  }
  if (r.dns.length) {
    out.push('', 'DNS');
    out.push(
      renderTable(
        ['name', 'type', 'queries', 'responses', 'rcode', 'answers', 'timeouts', 'latency ms (min/avg/max)'],
        r.dns.map((d) => [d.name, d.type, d.queries, d.responses, d.rcodes.join(','), d.answers.join(', '), d.timeouts, d.latencyMs ? `${d.latencyMs.min}/${d.latencyMs.avg}/${d.latencyMs.max}` : '']),
        view,
      ),
    );
  }
  out.push('', r.anomalies.length ? 'Anomalies' : 'Anomalies: none');
  if (r.anomalies.length) {
    out.push(renderTable(['severity', 'kind', 'count', 'first packet', 'what'], r.anomalies.map((a) => [a.severity, a.kind, a.count, a.firstPacket, a.summary]), { ...view, paint: { 0: severityColour } }));
  }
  if (r.innerWritten !== undefined) out.push('', `wrote ${r.innerWritten} inner frames`);
  return fitText(out.join('\n'), view.width);
}
