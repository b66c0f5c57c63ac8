// The consistency matrix: for every ordered pair of nodes (A, B), does A's neigh / fdb / route for B's subnet match
// B's real flannel.1 MAC and public IP, read from B's own snapshot (flannel-node-state.md §2.5 "cross-invariant",
// failure F1)? Judged by analyze/peer-state, as doctor and trace judge it. Pure: snapshots (+ desired leases) in.
import { type Code, severityOf } from '../model/codes.js';
import type { Finding } from '../model/finding.js';
import { type Cmd, fdbReplace, neighReplace, render, routeReplace, UnsafeValue } from '../model/fix.js';
import type { DesiredState, Lease, LeaseV4 } from '../model/lease.js';
import type { Snapshot } from '../model/snapshot.js';
import { buildContext, type CheckContext, v6OnlyWhy } from './checks/context.js';
import { absenceProves, deviceAddressesShown, PASTE, type Table } from './collected.js';
import { fdbLine, neighLine, routeLine } from './checks/evidence.js';
import { nodeFacts, nodeFacts6, type NodeFacts, type NodeFacts6 } from './node-facts.js';
import { directRoutingOn, type Evidence, evidenceOf, peerState, peerStateFor, peerStates6, type Verdict } from './peer-state.js';
import { type WgFacts, wireguardMatrix } from './matrix-wireguard.js';

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
  /** set on the IPv6 cells (`cells6`, flannel-v6.<VNI>); the IPv4 cells carry none */
  family?: 'v6';
  /** `vxlan` (neigh + fdb + route), `direct` (DirectRouting: one route via the peer's public IP) or `wireguard`
   * (the row node's flannel-wg / flannel-wg-v6 peer for the column node) */
  path?: 'vxlan' | 'direct' | 'wireguard';
  /** tables the row node's snapshot does not have (their step failed); `peer` when the column node shows no
   * usable flannel.1 (wireguard: no device, key, subnet or public IP of its own); `wireguard` when the row node's
   * peers were not read (no `wg show all dump`, or IPv6 peers in a Mode not judged); `endpoint` when its peer's
   * endpoint is not judged (Mode auto/ipv6): not checked, not counted as missing */
  unverified?: ('routes' | 'neigh' | 'fdb' | 'peer' | 'wireguard' | 'endpoint')[];
  problems: CellProblem[];
}

export interface MatrixNode extends NodeFacts {
  /** set on a node whose backend is not vxlan (its lease, net-conf or links say so: `wireguard`, `host-gw`,
   * `ipip`…): no flannel.1 is judged; a wireguard node's flannel-wg peers are */
  backend?: string;
  /** wireguard: its flannel-wg as its own dump shows it (public key, listen port) */
  wg?: WgFacts;
  /** wireguard, IPv6 (Mode separate): its flannel-wg-v6 */
  wg6?: WgFacts;
  /** the node's own problems (no flannel.1, annotation ≠ real MAC): the diagonal of the grid */
  problems: CellProblem[];
  /** dual-stack: its flannel-v6.<VNI> as its own snapshot shows it */
  v6?: NodeFacts6;
  /** its own IPv6 problems (flannel-v6.<VNI> down, MAC ≠ backend-v6-data): the diagonal of the IPv6 grid */
  problems6?: CellProblem[];
  /** its own checks the data given cannot settle (no link list: flannel.1 itself), with what to paste */
  unverified?: string[];
}

export interface ConsistencyMatrix {
  ok: boolean;
  nodes: MatrixNode[];
  cells: MatrixCell[];
  /** dual-stack: the same for the IPv6 half (flannel-v6.<VNI>), present when any node has one */
  cells6?: MatrixCell[];
}

export function consistencyMatrix(snapshots: Snapshot[], desired?: DesiredState): ConsistencyMatrix {
  const leases = desired?.leases ?? [];
  const facts = snapshots.map((s) => nodeFacts(s, leases));
  // a v6-only node (checks/context.ts v6OnlyWhy) has no IPv4 half: no flannel.1 of its own, no IPv4 cell either way
  const v6Only = facts.map((f, i) => v6OnlyWhy(f.lease, desired?.netConf, snapshots[i].subnetEnv, leases) !== undefined);
  // a node on another backend has no flannel.1 or flannel-v6.<VNI> to miss: a wireguard node's peers are judged on
  // flannel-wg(-v6) instead (matrix-wireguard.ts); host-gw / ipip routes are left to doctor on the node
  const contexts = snapshots.map((s) => buildContext({ snapshot: s, desired }));
  const wg = contexts.map((c) => c.backend === 'wireguard');
  const notVxlan = contexts.map((c) => c.backend !== undefined && c.backend !== 'vxlan');
  const nodes = facts.map((f, i): MatrixNode => {
    const s = snapshots[i];
    const backend = contexts[i].backend;
    if (wg[i]) return { ...f, problems: [] };
    if (notVxlan[i]) return { ...f, backend, problems: [], unverified: [`${f.name}'s peers (backend ${backend}): the matrix judges vxlan and wireguard peers only; doctor's per-lease check on ${f.name} judges its routes`] };
    if (v6Only[i]) return { ...f, problems: [] };
    const linksShown = absenceProves(s);
    // as doctor's device address check: `ip link` and a ticket's grep'd `ip a` never show a missing address
    const addrsShown = deviceAddressesShown(s, f.vtepDev);
    const open: string[] = [];
    // no flannel.1 seen in a link list not read whole: its device, MAC and vxlan local are open, not missing
    if (!f.vtepDev && !linksShown) open.push(`${f.name}'s flannel vxlan device (present, up, MAC against its lease, vxlan local against its lease's PublicIP): paste \`ip -d link show\``);
    if (f.vtepDev && !f.overlayIp && !addrsShown) open.push(`${f.name}'s ${f.vtepDev} address: paste \`${PASTE.addresses} dev ${f.vtepDev}\``);
    return { ...f, problems: selfProblems(f, linksShown, addrsShown), ...(open.length ? { unverified: open } : {}) };
  });
  const cells: MatrixCell[] = [];
  // net-conf (DirectRouting, VNI) is the cluster's: every row node programs its peers by it
  // each row node's tables indexed once, for its IPv4 and IPv6 pairs alike, not once per peer
  const rows = snapshots.map((snapshot): CheckContext => ({ ...buildContext({ snapshot }), ...(desired?.netConf ? { netConf: desired.netConf } : {}) }));
  rows.forEach((ctx, i) => {
    if (v6Only[i] || notVxlan[i]) return;
    const ev = evidenceOf(ctx);
    facts.forEach((b, j) => {
      if (i !== j && !v6Only[j] && !notVxlan[j]) cells.push(checkPair(ctx, ev, facts[i], b));
    });
  });
  const w = wireguardMatrix(snapshots, nodes, contexts, wg);
  cells.push(...w.cells);
  const v6x = matrix6(snapshots, nodes, rows, notVxlan);
  const v6 = w.cells6.length ? [...(v6x ?? []), ...w.cells6] : v6x;
  openTables(nodes, cells, v6);
  const ok = nodes.every((n) => n.problems.length === 0 && !n.problems6?.length) && cells.every((c) => c.ok) && (v6 ?? []).every((c) => c.ok);
  return v6 ? { ok, nodes, cells, cells6: v6 } : { ok, nodes, cells };
}

/**
 * The IPv6 half: each node's flannel-v6.<VNI> neigh / fdb / route for every other node's subnet6, against that
 * node's real flannel-v6 MAC and local address, judged by peer-state (family v6) as doctor judges it.
 */
function matrix6(snapshots: Snapshot[], nodes: MatrixNode[], rows: CheckContext[], skip: boolean[]): MatrixCell[] | undefined {
  nodes.forEach((n, i) => {
    const f = skip[i] ? undefined : nodeFacts6(snapshots[i], n.lease);
    if (!f) return;
    n.v6 = f;
    n.problems6 = selfProblems6(n, f);
  });
  if (!nodes.some((n) => n.v6)) return undefined;
  const cells: MatrixCell[] = [];
  rows.forEach((ctx, i) => {
    nodes.forEach((b, j) => {
      if (i !== j && !skip[i] && !skip[j]) cells.push(checkPair6(ctx, nodes[i], b));
    });
  });
  return cells;
}

function selfProblems6(n: MatrixNode, f: NodeFacts6): CellProblem[] {
  const out: CellProblem[] = [];
  if (f.missing) return [{ code: 'VXLAN_DEVICE_MISSING', label: `no ${f.dev}`, summary: `${n.name} has no ${f.dev}: no IPv6 overlay traffic leaves or enters it`, evidence: [] }];
  if (f.down) out.push({ code: 'VXLAN_DEVICE_DOWN', label: `${f.dev} down`, summary: `${n.name}: ${f.dev} is down: the kernel dropped every IPv6 route and neighbour on it`, evidence: [] });
  const l = n.lease;
  if (l?.vtepMac6 && f.mac && l.vtepMac6 !== f.mac) {
    out.push({
      code: 'LEASE_MAC_MISMATCH',
      label: 'v6 annotation MAC stale',
      summary: `${n.name}: its lease says backend-v6-data VtepMAC ${l.vtepMac6} but its ${f.dev} is ${f.mac}; peers programmed from the lease point at a MAC nobody has`,
      evidence: [`lease ${l.subnet6 ?? l.subnet} VtepMAC ${l.vtepMac6} (${l.source ?? 'desired state'})`, `${f.dev} link/ether ${f.mac} (on ${n.name})`],
    });
  }
  return out;
}

/** A's flannel-v6 state for B against B's own flannel-v6 MAC, local address and subnet6. */
function checkPair6(ctx: CheckContext, a: MatrixNode, b: MatrixNode): MatrixCell {
  const cell: MatrixCell = { from: a.name, to: b.name, family: 'v6', ok: true, problems: [] };
  const bf = b.v6;
  const publicIp = b.lease?.publicIpv6 ?? bf?.publicIp;
  // a row node with no flannel-v6 device: its own problem (doctor names it), nothing per peer to add here
  if (!a.v6 || !bf?.mac || !bf.subnet || !publicIp) {
    cell.unverified = ['peer'];
    return cell;
  }
  const lease: Lease = { node: b.name, subnet: b.subnet ?? bf.subnet, publicIp: b.publicIp ?? publicIp, backendType: 'vxlan', subnet6: bf.subnet, publicIpv6: publicIp, vtepMac6: bf.mac };
  // the row node's own VNI names its device (flannel-v6.<VNI>); the lease shown to peer-state is B's alone
  const backend = { ...ctx.netConf?.Backend, Type: 'vxlan', VNI: a.v6.vni };
  const ctx6: CheckContext = { ...ctx, backend: 'vxlan', netConf: { ...ctx.netConf, Backend: backend }, leases: { remotes: [lease], how: 'matrix', refused: [] } };
  const state = peerStates6(ctx6)[0];
  if (!state) return cell;
  // DirectRouting (flanneld's v6DirectRoute): the route alone, decided by the same route lookup doctor makes
  cell.path = state.path === 'direct' ? 'direct' : 'vxlan';
  const dev = a.v6.dev;
  const unverified: ('routes' | 'neigh' | 'fdb')[] = [];
  const judge = (table: 'routes' | 'neigh' | 'fdb', v: Verdict, evidence: string[], fix: () => Cmd): void => {
    if (v.ok === null) unverified.push(table);
    else if (v.ok === false) {
      cell.ok = false;
      cell.problems.push({ code: v.code, label: LABELS[v.code] ?? v.code, summary: `${a.name}: ${v.why} (${b.name}, IPv6)`, evidence, fix: argv(fix) });
    }
  };
  const peer = `${bf.dev} link/ether ${bf.mac} (on ${b.name})`;
  const n = state.neigh;
  if (n) judge('neigh', n.verdict, [...(n.seen ? [neighLine(n.seen)] : []), peer], () => neighReplace(dev, n.want.ip, n.want.mac));
  const f = state.fdb;
  if (f) judge('fdb', f.verdict, [...f.seen.map(fdbLine), peer], () => fdbReplace(dev, f.want.mac, f.want.dst));
  judge('routes', state.route.verdict, state.route.seen.map(routeLine), () => routeReplace(state.route.want));
  if (unverified.length) cell.unverified = unverified;
  return cell;
}

/** `linksShown`: the node's link list was read whole, so a missing flannel.1 is really missing. */
/** A row node's tables its cells could not read, said once per node with what to paste (never a problem). */
function openTables(nodes: MatrixNode[], cells: MatrixCell[], cells6: MatrixCell[] | undefined): void {
  for (const n of nodes) {
    const open = new Set<Table>();
    for (const c of [...cells, ...(cells6 ?? [])]) {
      if (c.from !== n.name) continue;
      // `peer`, `wireguard`, `endpoint`: said on the node where it is open, not a table of this one
      for (const t of c.unverified ?? []) if (t === 'routes' || t === 'neigh' || t === 'fdb') open.add(c.family === 'v6' && t === 'routes' ? 'routes6' : t);
    }
    if (!open.size) continue;
    const what: Partial<Record<Table, string>> = { routes: 'routes', routes6: 'IPv6 routes', neigh: 'neighbours', fdb: 'fdb entries' };
    n.unverified = [...(n.unverified ?? []), ...[...open].map((t) => `${n.name}'s ${what[t]} for its peers: paste \`${PASTE[t]}\``)];
  }
}

function selfProblems(f: NodeFacts, linksShown: boolean, addrsShown: boolean): CellProblem[] {
  const out: CellProblem[] = [];
  if (!f.vtepDev && !linksShown) return out;
  if (!f.vtepDev) {
    out.push({ code: 'VXLAN_DEVICE_MISSING', label: 'no flannel.1', summary: `${f.name} has no flannel vxlan device`, evidence: [] });
    return out;
  }
  if (f.vtepDown) out.push({ code: 'VXLAN_DEVICE_DOWN', label: `${f.vtepDev} down`, summary: `${f.name}: ${f.vtepDev} is down: the kernel dropped every route and neighbour on it`, evidence: [] });
  if (!f.overlayIp && addrsShown) out.push({ code: 'VXLAN_ADDR_MISSING', label: 'flannel.1 no IPv4', summary: `${f.name}: ${f.vtepDev} has no IPv4 address`, evidence: [] });
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
  const lease: LeaseV4 = { node: b.name, subnet: b.subnet, publicIp, backendType: 'vxlan', vtepMac: b.vtepMac };
  const dev = ctx.vxlanName;
  const route = ctx.routesByDst.get(b.subnet)?.[0];
  // DirectRouting known on: as flanneld decides it (B's public IP reached without a gateway), as doctor judges it;
  // not known: A's route via B's IP on the underlay says it (one route, no neigh/fdb)
  const direct = !directRoutingOn(ctx) && route?.gateway !== undefined && okIps.has(route.gateway) && route.dev !== dev;
  const state = directRoutingOn(ctx) ? peerStateFor(ctx, lease, ev) : peerState(ctx, direct ? { ...lease, publicIp: route.gateway! } : lease, direct, ev);
  if (!state) return cell;
  cell.path = state.path === 'direct' ? 'direct' : 'vxlan';
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
  for (const n of m.nodes) for (const p of n.problems6 ?? []) out.push(toFinding(p, n.name));
  for (const c of m.cells6 ?? []) for (const p of c.problems) out.push(toFinding(p, c.from));
  return out;
}

function toFinding(p: CellProblem, node: string): Finding {
  return { code: p.code, severity: severityOf(p.code), summary: p.summary, evidence: p.evidence, node, ...(p.fix ? { fix: `on ${node}: ${p.fix.join(' ')}` } : {}) };
}

/** The grid: rows = the node whose kernel state is read, columns = the peer it should reach. */
export function matrixGrid(m: ConsistencyMatrix, family: 'v4' | 'v6' = 'v4'): { head: string[]; rows: string[][] } {
  const names = m.nodes.map((n) => n.name);
  const head = [family === 'v6' ? 'IPv6 view of →' : 'view of →', ...names];
  const cells = family === 'v6' ? (m.cells6 ?? []) : m.cells;
  const rows = m.nodes.map((row) => [
    row.name,
    ...names.map((col) => {
      const own = family === 'v6' ? (row.problems6 ?? []) : row.problems;
      // several stale peers: one label
      if (col === row.name) return own.length ? [...new Set(own.map((p) => p.label))].join(', ') : family === 'v6' && !row.v6 && !row.backend ? 'no flannel-v6' : '·';
      const cell = cells.find((c) => c.from === row.name && c.to === col);
      const unverified = cell?.unverified?.length ? ` (${cell.unverified.join('/')} n/a)` : '';
      // no cell: the pair is not judged (an IPv6-only or a wireguard node): never shown as matching
      if (!cell) return 'n/a';
      // nothing of the pair judged (no peer facts, the row's peers not read): not a ✓
      if (cell.unverified?.some((t) => t === 'peer' || t === 'wireguard')) return `n/a (${cell.unverified.join('/')})`;
      // a wireguard row node without its device: the diagonal says why
      if (!cell.ok && cell.problems.length === 0) return `✗ (no ${family === 'v6' ? 'flannel-wg-v6' : 'flannel-wg'})`;
      return (cell.ok ? '✓' : cell.problems.map((p) => p.label).join(', ')) + unverified;
    }),
  ]);
  return { head, rows };
}
