// The consistency matrix: for every ordered pair of nodes (A, B), does A's neigh / fdb / route for B's
// subnet match B's real flannel.1 MAC and public IP, read from B's own snapshot (flannel-node-state.md §2.5
// "cross-invariant", failure F1)? Pure: snapshots (+ optional desired leases) in, matrix out.
import type { Finding } from '../model/finding.js';
import type { DesiredState } from '../model/lease.js';
import type { Snapshot } from '../model/snapshot.js';
import { nodeFacts, type NodeFacts } from './node-facts.js';

export interface CellProblem {
  code: string;
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
  /** tables the row node's snapshot does not have (their step failed): not checked, not counted as missing */
  unverified?: ('routes' | 'neigh' | 'fdb')[];
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
  const nodes = facts.map((f): MatrixNode => ({ ...f, problems: selfProblems(f) }));
  const cells: MatrixCell[] = [];
  snapshots.forEach((a, i) => {
    facts.forEach((b, j) => {
      if (i !== j) cells.push(checkPair(a, facts[i], b));
    });
  });
  const ok = nodes.every((n) => n.problems.length === 0) && cells.every((c) => c.ok);
  return { ok, nodes, cells };
}

function selfProblems(f: NodeFacts): CellProblem[] {
  const out: CellProblem[] = [];
  if (!f.vtepDev) {
    out.push({ code: 'VTEP_MISSING', label: 'no flannel.1', summary: `${f.name} has no flannel vxlan device`, evidence: [] });
    return out;
  }
  if (!f.overlayIp) out.push({ code: 'VTEP_NO_ADDRESS', label: 'flannel.1 no IPv4', summary: `${f.name}: ${f.vtepDev} has no IPv4 address`, evidence: [] });
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

// Where each table comes from: a snapshot whose step failed (tool missing in a flannel image, a ticket without
// that file) has no data for it, which is not the same as an empty table.
const SOURCES = {
  routes: ['ip-route', 'route-n', 'ip-route.txt', 'route-n.txt'],
  neigh: ['ip-neigh', 'arp', 'ip-neigh.txt', 'arp.txt'],
  fdb: ['bridge-fdb', 'bridge-fdb.txt'],
} as const;

/** Did the snapshot read this table? Entries, or a step that worked; snapshots that record no steps are trusted. */
export function collected(s: Snapshot, table: keyof typeof SOURCES): boolean {
  if (s[table].length > 0 || s.commands.length === 0) return true;
  return s.commands.some((c) => c.ok && (SOURCES[table] as readonly string[]).includes(c.name));
}

/** A's kernel state for B, against B's own facts. */
function checkPair(a: Snapshot, af: NodeFacts, b: NodeFacts): MatrixCell {
  const cell: MatrixCell = { from: af.name, to: b.name, ok: true, problems: [] };
  const add = (p: CellProblem): void => {
    cell.problems.push(p);
    cell.ok = false;
  };
  if (!af.vtepDev) {
    add({ code: 'VTEP_MISSING', label: 'no flannel.1', summary: `${af.name} has no flannel vxlan device, so it cannot reach ${b.name}'s pods`, evidence: [] });
    return cell;
  }
  if (!b.vtepMac || !b.overlayIp || !b.publicIp) {
    add({ code: 'PEER_UNKNOWN', label: `? (${b.name} has no VTEP)`, summary: `${b.name}'s snapshot shows no usable flannel.1, nothing to compare ${af.name}'s view against`, evidence: [] });
    return cell;
  }
  const peer: Peer = { ...b, vtepMac: b.vtepMac, overlayIp: b.overlayIp, publicIp: b.publicIp, okIps: new Set([b.publicIp, b.lease?.publicIp].filter((x): x is string => x !== undefined)) };
  const pair: Pair = { a, name: af.name, dev: af.vtepDev, b: peer, add };
  // route: <subnet> via <sn>.0 dev flannel.1 onlink (or DirectRouting: via <publicIp> on the underlay)
  const route = a.routes.find((r) => r.table === 'main' && (b.subnet ? r.dst === b.subnet : r.gateway === b.overlayIp));
  if (route?.gateway && peer.okIps.has(route.gateway) && route.dev !== pair.dev) {
    cell.path = 'direct';
    return cell;
  }
  cell.path = 'vxlan';
  const unverified = (['routes', 'neigh', 'fdb'] as const).filter((t) => !collected(a, t));
  if (unverified.length) cell.unverified = unverified;
  if (collected(a, 'routes')) checkRoute(pair, route);
  if (collected(a, 'neigh')) checkNeigh(pair);
  if (collected(a, 'fdb')) checkFdb(pair);
  return cell;
}

interface Peer extends NodeFacts {
  vtepMac: string;
  overlayIp: string;
  publicIp: string;
  /** the peer's vxlan local IP, and its lease's PublicIP (NAT, public-ip-overwrite) */
  okIps: Set<string>;
}

interface Pair {
  a: Snapshot;
  name: string;
  dev: string;
  b: Peer;
  add: (p: CellProblem) => void;
}

function checkRoute({ name, dev, b, add }: Pair, route: Snapshot['routes'][number] | undefined): void {
  const fix = b.subnet ? ['ip', 'route', 'replace', b.subnet, 'via', b.overlayIp, 'dev', dev, 'onlink'] : undefined;
  if (!route) {
    add({ code: 'ROUTE_MISSING', label: 'route missing', summary: `${name} has no route to ${b.name}'s subnet ${b.subnet ?? `(via ${b.overlayIp})`}`, evidence: [], fix });
  } else if (route.gateway !== b.overlayIp || route.dev !== dev || !route.onlink) {
    add({
      code: 'ROUTE_WRONG',
      label: 'route wrong',
      summary: `${name} routes ${route.dst} ${route.gateway ? `via ${route.gateway} ` : ''}dev ${route.dev ?? '?'}, expected via ${b.overlayIp} dev ${dev} onlink`,
      evidence: [routeLine(route)],
      fix,
    });
  }
}

/** neigh: <sn>.0 lladdr <B's real MAC> PERMANENT */
function checkNeigh({ a, name, dev, b, add }: Pair): void {
  const fix = ['ip', 'neigh', 'replace', b.overlayIp, 'lladdr', b.vtepMac, 'dev', dev, 'nud', 'permanent'];
  const neigh = a.neigh.find((n) => n.dst === b.overlayIp && n.dev === dev);
  if (!neigh || !neigh.lladdr) {
    add({ code: 'NEIGH_MISSING', label: 'neigh missing', summary: `${name} has no neighbour entry for ${b.name}'s VTEP ${b.overlayIp}`, evidence: neigh ? [neighLine(neigh)] : [], fix });
  } else if (neigh.lladdr.toLowerCase() !== b.vtepMac) {
    add({
      code: 'NEIGH_STALE_MAC',
      label: 'neigh MAC stale',
      summary: `${name} resolves ${b.name}'s VTEP ${b.overlayIp} to ${neigh.lladdr}, but ${b.name}'s ${b.vtepDev} is ${b.vtepMac}`,
      evidence: [neighLine(neigh), peerMac(b)],
      fix,
    });
  } else if (!neigh.state.includes('PERMANENT')) {
    add({ code: 'NEIGH_NOT_PERMANENT', label: 'neigh not permanent', summary: `${name}'s entry for ${b.overlayIp} is ${neigh.state.join(',') || 'NONE'}, not PERMANENT: flannel did not write it`, evidence: [neighLine(neigh)], fix });
  }
}

/** fdb: <B's real MAC> dst <B's public IP> self permanent */
function checkFdb({ a, name, dev, b, add }: Pair): void {
  const fix = ['bridge', 'fdb', 'replace', b.vtepMac, 'dev', dev, 'dst', b.publicIp, 'self', 'permanent'];
  const onDev = a.fdb.filter((e) => e.dev === dev);
  const forMac = onDev.filter((e) => e.mac.toLowerCase() === b.vtepMac);
  if (forMac.length === 0) {
    const stale = onDev.filter((e) => e.dst !== undefined && b.okIps.has(e.dst));
    add({
      code: stale.length ? 'FDB_STALE_MAC' : 'FDB_MISSING',
      label: stale.length ? 'fdb MAC stale' : 'fdb missing',
      summary: stale.length
        ? `${name} forwards to ${b.publicIp} only for ${stale.map((e) => e.mac).join(', ')}, not for ${b.name}'s ${b.vtepDev} ${b.vtepMac}`
        : `${name} has no fdb entry for ${b.name}'s VtepMAC ${b.vtepMac}`,
      evidence: [...stale.map(fdbLine), peerMac(b)],
      fix,
    });
  } else if (!forMac.some((e) => e.dst !== undefined && b.okIps.has(e.dst))) {
    add({
      code: 'FDB_DST_MISMATCH',
      label: 'fdb dst wrong',
      summary: `${name} sends ${b.vtepMac} to ${forMac.map((e) => e.dst ?? '(no dst)').join(', ')}, but ${b.name} is ${b.publicIp}`,
      evidence: forMac.map(fdbLine),
      fix,
    });
  }
}

const peerMac = (b: Peer): string => `${b.vtepDev} link/ether ${b.vtepMac} (on ${b.name})`;
const routeLine = (r: Snapshot['routes'][number]): string =>
  [r.dst, r.gateway && `via ${r.gateway}`, r.dev && `dev ${r.dev}`, r.onlink && 'onlink'].filter(Boolean).join(' ');
const neighLine = (n: Snapshot['neigh'][number]): string => [n.dst, `dev ${n.dev}`, n.lladdr && `lladdr ${n.lladdr}`, ...n.state].filter(Boolean).join(' ');
const fdbLine = (e: Snapshot['fdb'][number]): string => [e.mac, `dev ${e.dev}`, e.dst && `dst ${e.dst}`, e.self && 'self', e.state].filter(Boolean).join(' ');

/** The matrix as doctor findings (one per problem, `node` = the node whose state is wrong or unknown). */
export function matrixFindings(m: ConsistencyMatrix): Finding[] {
  const out: Finding[] = [];
  for (const n of m.nodes) for (const p of n.problems) out.push(toFinding(p, n.name, p.code === 'LEASE_IP_MISMATCH' ? 'warning' : 'error'));
  for (const c of m.cells) for (const p of c.problems) out.push(toFinding(p, c.from, p.code === 'PEER_UNKNOWN' ? 'warning' : 'error'));
  return out;
}

function toFinding(p: CellProblem, node: string, severity: Finding['severity']): Finding {
  return { code: p.code, severity, summary: p.summary, evidence: p.evidence, node, ...(p.fix ? { fix: `on ${node}: ${p.fix.join(' ')}` } : {}) };
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
