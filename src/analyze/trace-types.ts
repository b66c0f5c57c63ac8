// The trace result (DESIGN.md: { destination, ok, backend, targetNode, hops }) and the hop builder.
import type { Code } from '../model/codes.js';
import type { NetConf } from '../model/index.js';
import type { LeaseIndex, NodeIndex } from './trace-index.js';

export type TraceBackend = 'vxlan' | 'host-gw' | 'ipip' | 'wireguard' | 'local' | 'none' | 'unknown';

export interface TraceHop {
  /** route, vxlan-device, neigh, fdb, node, underlay, mtu, bridge, veth, pod, arrive, … */
  step: string;
  /** the node (snapshot host) this hop was checked on */
  node: string;
  device: string;
  detail: string;
  /** true: verified ok; false: broken (see `problem`); null: not verified (see `unverified`) */
  ok: boolean | null;
  /** what the data given lacks to check this hop, and what to paste */
  unverified?: string;
  /** stable code of the first problem: NO_ROUTE, NEIGH_MISSING, FDB_DST_MISMATCH, … */
  problem?: Code;
  /** every problem code of this hop when there is more than one */
  problems?: Code[];
}

export interface TraceTarget {
  ip: string;
  name?: string;
  vtepMac?: string;
  subnet?: string;
}

export interface TraceResult {
  destination: string;
  /** true when every hop is verified ok, false when one is broken, null otherwise */
  ok: boolean | null;
  backend: TraceBackend;
  /** the destination's family: IPv6 goes through flannel-v6.<VNI> and the IPv6 tables */
  family: 'v4' | 'v6';
  /** the answer in one line, printed first */
  summary: string;
  sourceNode: string;
  /** false when the destination is not a pod (default route, a node address, a service) */
  podTraffic: boolean;
  directRouting?: boolean;
  route?: { matched?: string; reason: string };
  targetNode?: TraceTarget;
  hops: TraceHop[];
  /** from the target node back to the source node's pod subnet, when the target's snapshot is given */
  reverse?: { ok: boolean | null; destination: string; hops: TraceHop[] };
  /** every problem code on the path, in hop order */
  problems: Code[];
}

export interface Problem {
  code: Code;
  text: string;
}

export function hop(step: string, node: NodeIndex, device: string, detail: string, problems: Problem[] = []): TraceHop {
  const h: TraceHop = { step, node: node.name, device, detail, ok: problems.length === 0 };
  if (problems.length) {
    h.detail = [detail, ...problems.map((p) => p.text)].filter(Boolean).join('; ');
    h.problem = problems[0].code;
    if (problems.length > 1) h.problems = problems.map((p) => p.code);
  }
  return h;
}

/** A hop whose evidence is not in the data given: neither ok nor broken. */
export function unverifiedHop(step: string, node: NodeIndex, device: string, detail: string, missing: string): TraceHop {
  return { step, node: node.name, device, detail: [detail, `not verified: ${missing}`].filter(Boolean).join('; '), ok: null, unverified: missing };
}

/** Three-valued: false when a hop is broken, true when every hop is verified ok, null otherwise. */
export const verdictOf = (hops: TraceHop[]): boolean | null => (hops.some((h) => h.ok === false) ? false : hops.every((h) => h.ok === true) ? true : null);

/** What a walk shares: the nodes by IP (for the cross-node continuation) and the desired state. */
export interface TraceContext {
  nodes: NodeIndex[];
  /** node IP -> snapshot that holds it (ambiguous addresses dropped) */
  byIp: Map<string, NodeIndex>;
  leases?: LeaseIndex;
  netConf?: NetConf;
}

export interface WalkResult {
  backend: TraceBackend;
  podTraffic: boolean;
  directRouting?: boolean;
  route?: { matched?: string; reason: string };
  target?: TraceTarget;
  /** the device the packet leaves on (for the summary) */
  via?: string;
  hops: TraceHop[];
  /** the host veth reached, for a local pod */
  hostVeth?: string;
  note?: string;
}
