// The probe for people: the answer first, the path marked where the probe stopped, then what each hop heard.
import type { ProbeHop, ProbeResult } from '../analyze/probe-verdict.js';
import { fitText, type View } from './layout.js';
import { renderTable } from './table.js';

const mark = (h: ProbeHop): string => (h.seen === null ? '?' : h.seen ? 'seen' : 'NOT SEEN');

function evidence(h: ProbeHop): string {
  const parts: string[] = [];
  if (h.unverified) parts.push(h.unverified);
  if (h.seen !== null) parts.push(`${h.requests} request${h.requests === 1 ? '' : 's'}, ${h.replies} answer${h.replies === 1 ? '' : 's'}`);
  const o = h.outer;
  if (o) parts.push(`${o.encap}${o.vni !== undefined ? ` vni ${o.vni}` : ''} ${o.src} → ${o.dst}${o.innerDstMac ? ` inner ${o.innerSrcMac ?? '?'} → ${o.innerDstMac}` : ''}`);
  for (const e of h.errors ?? []) parts.push(`ICMP type ${e.type} code ${e.code}${e.mtu ? ` mtu ${e.mtu}` : ''} from ${e.from}`);
  for (const a of h.anomalies ?? []) parts.push(`${a.kind}: ${a.summary}${a.count > 1 ? ` ×${a.count}` : ''}`);
  return parts.join('; ');
}

/** `pod 10.244.1.2 → veth1 ✓ → cni0 ✓ → flannel.1 ✓ ✗ eth0 · → node 192.168.56.12`: ✗ marks where it stopped. */
export function probePath(r: ProbeResult): string {
  const out = [`pod ${r.source.ip}`];
  let stopped = r.lostAfter?.pod !== undefined;
  if (stopped) out.push('✗');
  let node = r.source.node;
  for (const h of r.hops) {
    if (h.node !== node) {
      out.push(`=> [${h.node}]`);
      node = h.node;
    }
    const sym = h.seen === null ? '?' : h.seen ? '✓' : stopped ? '·' : '✗';
    if (h.seen === false) stopped = true;
    out.push(`→ ${h.device} ${sym}`);
    if (r.lostAfter && r.lostAfter.direction === 'request' && h.device === r.lostAfter.device && h.node === r.lostAfter.node && !stopped) {
      out.push('✗');
      stopped = true;
    }
  }
  out.push(`→ ${r.ok ? '' : stopped ? '· ' : ''}${r.destination}${r.replied ? ' (answered)' : ''}`);
  return out.join(' ');
}

export function renderProbe(r: ProbeResult, view: View = {}): string {
  const lines = [r.summary, ''];
  const v6 = r.destination.includes(':');
  const tag = r.proto === 'icmp' ? `ICMP${v6 ? 'v6' : ''} echo id ${r.tag.id}` : `${r.proto.toUpperCase()} source port ${r.tag.id} → ${v6 ? `[${r.destination}]` : r.destination}:${r.tag.port}`;
  lines.push(`probe: ${tag} from pod ${r.source.pod} (${r.source.ip}) on ${r.source.node}; sent ${r.sent ?? '?'}, answered ${r.received ?? '?'}`);
  const multi = new Set(r.hops.map((h) => h.node)).size > 1;
  // each node's clock is its own: across nodes `at` restarts at 0 on each (never a difference of two hosts' clocks)
  const head = [...(multi ? ['node'] : []), 'device', 'role', 'probe', 'direction', multi ? 'at (ms, per node)' : 'at (ms)', 'evidence'];
  lines.push(renderTable(head, r.hops.map((h) => [...(multi ? [h.node] : []), h.device, h.role, mark(h), h.direction, h.at, evidence(h)]), view));
  if (multi) lines.push('at: ms after the probe was first seen on the same node; the nodes\' clocks are not compared');
  lines.push('', `path: ${probePath(r)}`);
  return fitText(lines.join('\n'), view.width);
}
