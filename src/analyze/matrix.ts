// The consistency matrix: for every ordered pair of nodes (A, B), does A's neigh / fdb / route for B's subnet match
// B's real flannel.1 MAC and public IP, read from B's own snapshot (flannel-node-state.md §2.5 "cross-invariant",
// failure F1)? Judged by analyze/peer-state, as doctor and trace judge it. Pure: snapshots (+ desired leases) in.
import { type Code, severityOf } from '../model/codes.js';
import type { Finding } from '../model/finding.js';
import { type Cmd, fdbReplace, neighReplace, render, routeReplace, UnsafeValue } from '../model/fix.js';
import type { DesiredState, Lease } from '../model/lease.js';
import type { Snapshot } from '../model/snapshot.js';
import { buildContext, type CheckContext } from './checks/context.js';
import { absenceProves } from './collected.js';
import { fdbLine, neighLine, routeLine } from './checks/evidence.js';
import { nodeFacts, type NodeFacts } from './node-facts.js';
import { type Evidence, evidenceOf, peerState, type Verdict } from './peer-state.js';

export interface CellProblem {
  code: Code;
  /** a few words for the grid */
  label: string;
  summary: string;
  evidence: string[];
  /** the command that fixes it, run on the row's node */
  fix?: string[];
}

/** Row node `from`'s view of column node `to`. */
export interface MatrixCell {
  from: string;
  to: string;
  ok: boolean;
  /** `vxlan` (neigh + fdb + route) or `direct` (DirectRouting: one route via the peer's public IP) */
  path?: 'vxlan' | 'direct';
  /** tables the row node's snapshot does not have (their step failed), or `peer` when the column node shows no
   * usable flannel.1: not checked, not counted as missing */
  unverified?: ('routes' | 'neigh' | 'fdb' | 'peer')[];
  problems: CellProblem[];
}

export interface MatrixNode extends NodeFacts {
  /** the node's own problems (no flannel.1, annotation ≠ real MAC): the diagonal of the grid */
  problems: CellProblem[];
}

export interface ConsistencyMatrix {
  ok: boolean;
  nodes: MatrixNode[];
  cells: MatrixCell[];
}

export function consistencyMatrix(snapshots: Snapshot[], desired?: DesiredState): ConsistencyMatrix {
  const leases = desired?.leases ?? [];
  const facts = snapshots.map((s) => nodeFacts(s, leases));
  const nodes = facts.map((f, i): MatrixNode => ({ ...f, problems: selfProblems(f, absenceProves(snapshots[i])) }));
  const cells: MatrixCell[] = [];
  snapshots.forEach((a, i) => {
    // the row node's tables indexed once, not once per peer
    const ctx = buildContext({ snapshot: a });
    const ev = evidenceOf(ctx);
    facts.forEach((b, j) => {
      if (i !== j) cells.push(checkPair(ctx, ev, facts[i], b));
    });
  });
  const ok = nodes.every((n) => n.problems.length === 0) && cells.every((c) => c.ok);
  return { ok, nodes, cells };
}

/** `linksShown`: the node's link list was read whole, so a missing flannel.1 is really missing. */
function selfProblems(f: NodeFacts, linksShown: boolean): CellProblem[] {
  const out: CellProblem[] = [];
  if (!f.vtepDev && !linksShown) return out;
  if (!f.vtepDev) {
    out.push({ code: 'VXLAN_DEVICE_MISSING', label: 'no flannel.1', summary: `${f.name} has no flannel vxlan device`, evidence: [] });
    return out;
  }
  if (f.vtepDown) out.push({ code: 'VXLAN_DEVICE_DOWN', label: `${f.vtepDev} down`, summary: `${f.name}: ${f.vtepDev} is down: the kernel dropped every route and neighbour on it`, evidence: [] });
  if (!f.overlayIp) out.push({ code: 'VXLAN_ADDR_MISSING', label: 'flannel.1 no IPv4', summary: `${f.name}: ${f.vtepDev} has no IPv4 address`, evidence: [] });
  const l = f.lease;
  if (l?.vtepMac && f.vtepMac && l.vtepMac.toLowerCase() !== f.vtepMac) {
    out.push({
      code: 'LEASE_MAC_MISMATCH',
      label: 'annotation MAC stale',
      summary: `${f.name}: its lease says VtepMAC ${l.vtepMac} but its ${f.vtepDev} is ${f.vtepMac}; peers programmed from the lease point at a MAC nobody has`,
      evidence: [`lease ${l.subnet} VtepMAC ${l.vtepMac} (${l.source ?? 'desired state'})`, `${f.vtepDev} link/ether ${f.vtepMac} (on ${f.name})`],
    });
  }
  if (l && f.publicIp && l.publicIp !== f.publicIp) {
    out.push({
      code: 'LEASE_IP_MISMATCH',
      label: 'annotation IP differs',
      summary: `${f.name}: its lease says PublicIP ${l.publicIp} but ${f.vtepDev} is local ${f.publicIp} (fine only behind NAT with public-ip-overwrite)`,
      evidence: [`lease ${l.subnet} PublicIP ${l.publicIp}`, `${f.vtepDev} vxlan local ${f.publicIp}`],
    });
  }
  return out;
}

/** A's kernel state for B, judged by peer-state against B's own facts (its real MAC, its lease's public IP). */
function checkPair(ctx: CheckContext, ev: Evidence, af: NodeFacts, b: NodeFacts): MatrixCell {
  const cell: MatrixCell = { from: af.name, to: b.name, ok: true, problems: [] };
  const publicIp = b.lease?.publicIp ?? b.publicIp;
  if (!b.vtepMac || !b.subnet || !publicIp) {
    // nothing to compare A's view against: unverified, not a problem of A's
    cell.unverified = ['peer'];
    return cell;
  }
  // flannel programs the lease's public IP; B's vxlan local is the same unless B is behind NAT (public-ip-overwrite)
  const okIps = new Set([b.publicIp, b.lease?.publicIp].filter((x): x is string => x !== undefined));
  const lease: Lease = { node: b.name, subnet: b.subnet, publicIp, backendType: 'vxlan', vtepMac: b.vtepMac };
  const dev = ctx.vxlanName;
  const route = ctx.routesByDst.get(b.subnet)?.[0];
  // DirectRouting: A routes B's subnet via B's IP on the underlay; one route, no neigh/fdb
  const direct = route?.gateway !== undefined && okIps.has(route.gateway) && route.dev !== dev;
  const state = peerState(ctx, direct ? { ...lease, publicIp: route.gateway! } : lease, direct, ev);
  if (!state) return cell;
  cell.path = direct ? 'direct' : 'vxlan';
  const unverified: ('routes' | 'neigh' | 'fdb')[] = [];
  const judge = (table: 'routes' | 'neigh' | 'fdb', v: Verdict, evidence: string[], fix: () => Cmd): void => {
    if (v.ok === null) unverified.push(table);
    else if (v.ok === false) {
      cell.ok = false;
      cell.problems.push({ code: v.code, label: LABELS[v.code] ?? v.code, summary: `${af.name}: ${v.why} (${b.name})`, evidence, fix: argv(fix) });
    }
  };
  if (state.neigh) {
    const n = state.neigh;
    judge('neigh', n.verdict, [...(n.seen ? [neighLine(n.seen)] : []), peerMac(b)], () => neighReplace(dev, n.want.ip, n.want.mac));
  }
  if (state.fdb) {
    const f = state.fdb;
    // a NAT'd peer: A may send to either of B's addresses
    const natOk = f.verdict.ok === false && f.verdict.code === 'FDB_DST_MISMATCH' && f.seen.some((e) => e.dst !== undefined && okIps.has(e.dst));
    const stale = ctx.snapshot.fdb.filter((e) => e.dev === dev && e.mac !== f.want.mac && e.dst !== undefined && okIps.has(e.dst));
    if (!natOk) judge('fdb', f.verdict, [...f.seen.map(fdbLine), ...stale.map(fdbLine), peerMac(b)], () => fdbReplace(dev, f.want.mac, f.want.dst));
  }
  judge('routes', state.route.verdict, state.route.seen.map(routeLine), () => routeReplace(state.route.want));
  if (unverified.length) cell.unverified = unverified;
  return cell;
}

/** A few words for the grid. */
const LABELS: Partial<Record<Code, string>> = {
  NEIGH_MISSING: 'neigh missing',
  NEIGH_NOT_PERMANENT: 'neigh not permanent',
  VTEP_MAC_MISMATCH: 'neigh MAC stale',
  FDB_MISSING: 'fdb missing',
  FDB_DST_MISMATCH: 'fdb dst wrong',
  FDB_DUPLICATE: 'fdb duplicate',
  ROUTE_MISSING: 'route missing',
  ROUTE_MISMATCH: 'route wrong',
};

/** The fix through the validated builders; a value unsafe on a command line gets no fix. */
function argv(build: () => Cmd): string[] | undefined {
  try {
    return render(build()).argv;
  } catch (e) {
    if (e instanceof UnsafeValue) return undefined;
    throw e;
  }
}

const peerMac = (b: NodeFacts): string => `${b.vtepDev} link/ether ${b.vtepMac} (on ${b.name})`;

/** The matrix as doctor findings (one per problem, `node` = the node whose state is wrong or unknown). */
export function matrixFindings(m: ConsistencyMatrix): Finding[] {
  const out: Finding[] = [];
  for (const n of m.nodes) for (const p of n.problems) out.push(toFinding(p, n.name));
  for (const c of m.cells) for (const p of c.problems) out.push(toFinding(p, c.from));
  return out;
}

function toFinding(p: CellProblem, node: string): Finding {
  return { code: p.code, severity: severityOf(p.code), summary: p.summary, evidence: p.evidence, node, ...(p.fix ? { fix: `on ${node}: ${p.fix.join(' ')}` } : {}) };
}

/** The grid: rows = the node whose kernel state is read, columns = the peer it should reach. */
export function matrixGrid(m: ConsistencyMatrix): { head: string[]; rows: string[][] } {
  const names = m.nodes.map((n) => n.name);
  const head = ['view of →', ...names];
  const rows = m.nodes.map((row) => [
    row.name,
    ...names.map((col) => {
      if (col === row.name) return row.problems.length ? row.problems.map((p) => p.label).join(', ') : '·';
      const cell = m.cells.find((c) => c.from === row.name && c.to === col);
      const unverified = cell?.unverified?.length ? ` (${cell.unverified.join('/')} n/a)` : '';
      return (!cell || cell.ok ? '✓' : cell.problems.map((p) => p.label).join(', ')) + unverified;
    }),
  ]);
  return { head, rows };
}
