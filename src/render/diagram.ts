// The trace as a path diagram: pod -> bridge -> flannel.1 -> node IP => node -> bridge -> veth -> pod.
// ASCII for the terminal, Graphviz dot and Mermaid for tickets and docs. Broken hops are marked `!CODE`.
import type { TraceHop, TraceResult } from '../analyze/trace.js';

export interface PathElement {
  label: string;
  node: string;
  /** null: not verified */
  ok: boolean | null;
  problem?: string;
  /** the edge into this element crosses the underlay (encapsulated, or routed node to node) */
  tunnel?: boolean;
}

const ALWAYS = new Set(['vxlan-device', 'ipip-device', 'underlay', 'bridge', 'veth', 'pod', 'arrive']);

function label(h: TraceHop, r: TraceResult): string {
  switch (h.step) {
    case 'node':
      return `node ${h.device}${r.targetNode?.name && r.targetNode.name !== h.device ? ` (${r.targetNode.name})` : ''}`;
    case 'pod':
      return `pod ${r.destination}`;
    case 'arrive':
      return `${h.node} ${h.device}`;
    case 'vxlan-device':
    case 'ipip-device':
    case 'bridge':
    case 'veth':
    case 'underlay':
      return h.device;
    default:
      return `${h.step} ${h.device}`;
  }
}

/** The elements of the forward path, in order; the remote node comes after the underlay device. */
export function pathElements(r: TraceResult): PathElement[] {
  const out: PathElement[] = [{ label: r.sourceNode, node: r.sourceNode, ok: true }];
  let nodeEl: PathElement | undefined;
  const flushNode = (): void => {
    if (nodeEl) out.push(nodeEl);
    nodeEl = undefined;
  };
  for (const h of r.hops) {
    const el: PathElement = { label: label(h, r), node: h.node, ok: h.ok, problem: h.problem };
    if (h.step === 'node' && h.node === r.sourceNode) {
      nodeEl = { ...el, tunnel: true };
      continue;
    }
    if (h.node !== r.sourceNode) flushNode();
    if (h.step === 'arrive') {
      // the remote node element already names the node: merge
      if (out.at(-1)?.label.startsWith('node ')) continue;
      el.tunnel = true;
    }
    if (ALWAYS.has(h.step) || h.ok !== true) out.push(el);
  }
  flushNode();
  if (r.backend === 'local' && !r.hops.some((h) => h.step === 'pod')) out.push({ label: `pod ${r.destination}`, node: r.sourceNode, ok: true });
  return out;
}

const mark = (e: PathElement): string => (e.ok === false ? ` !${e.problem}` : e.ok === null ? ' ?' : '');
const box = (e: PathElement): string => `[${e.label}${mark(e)}]`;

/** One line, `=>` where the packet crosses to another node. */
export function renderAscii(r: TraceResult): string {
  const els = pathElements(r);
  return els.map((e, i) => (i === 0 ? box(e) : `${e.tunnel ? ` =${r.backend}=> ` : ' -> '}${box(e)}`)).join('');
}

const quote = (s: string): string => JSON.stringify(s);

export function renderDot(r: TraceResult): string {
  const els = pathElements(r);
  const lines = ['digraph trace {', '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
  els.forEach((e, i) => lines.push(`  n${i} [label=${quote(e.ok !== false ? `${e.label}${mark(e)}` : `${e.label}\n${e.problem}`)}${e.ok === false ? ', color=red, fontcolor=red' : ''}];`));
  for (let i = 1; i < els.length; i++) lines.push(`  n${i - 1} -> n${i}${els[i].tunnel ? ` [style=bold, label=${quote(r.backend)}]` : ''};`);
  lines.push('}');
  return lines.join('\n');
}

export function renderMermaid(r: TraceResult): string {
  const els = pathElements(r);
  const esc = (s: string): string => s.replaceAll('"', "'");
  const lines = ['flowchart LR'];
  els.forEach((e, i) => lines.push(`  n${i}["${esc(`${e.label}${mark(e)}`)}"]`));
  for (let i = 1; i < els.length; i++) lines.push(`  n${i - 1} ${els[i].tunnel ? `==${r.backend}==>` : '-->'} n${i}`);
  els.forEach((e, i) => {
    if (e.ok === false) lines.push(`  style n${i} stroke:#c00,color:#c00`);
  });
  return lines.join('\n');
}
