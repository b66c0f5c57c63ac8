// repair: one node's plan (dry run, or --apply under the lock with a journal), --undo, or with --cluster every
// node's plan built exactly as on the node itself (same options: --prune, --node, the desired-state flags,
// --subnet-env) and applied node by node over the transport that collected the directory.
import type { Confirm } from '../cli/confirm.js';
import type { ClusterManifest } from '../cluster/collect.js';
import type { NodeApply } from '../cluster/repair.js';
import { UsageError } from '../errors.js';
import type { ApplyResult, UndoResult } from '../repair/apply.js';
import { type JournalSummary, listJournals } from '../repair/journal.js';
import { acquireLock } from '../repair/lock.js';
import { type PlannedAction, planRepair, type RepairPlan } from '../repair/plan.js';
import { renderClusterPlan, renderPlan } from '../render/repair.js';
import type { RepairOptions, ServiceResult } from './options.js';
import { loadState } from './state.js';

type Status = 'planned' | 'applied' | 'failed' | 'not-run';

export interface RepairJson {
  /** true when --apply ran every action */
  applied: boolean;
  node?: string;
  journal?: string;
  /** family: v4 (flannel.<VNI>) or v6 (flannel-v6.<VNI>) */
  actions: { op: string; family?: 'v4' | 'v6'; code?: string; target: string; command: string; reason: string; argv: string[]; status: Status; node?: string }[];
  skipped: { target: string; reason: string; code?: string; node?: string }[];
  failed?: { index: number; command: string; error: string };
  undo?: UndoResult;
  /** --list: the journals in --journal-dir, newest first */
  journals?: JournalSummary[];
  /** --cluster: each node's outcome, the nodes not collected, where the desired state came from */
  nodes?: NodeApply[];
  unreachable?: { name: string; error: string }[];
  desiredFrom?: string;
}

export interface RepairOutcome {
  kind: 'node';
  doc: RepairJson;
  apply: boolean;
  aborted?: boolean;
  applyResult?: ApplyResult;
}

export interface UndoOutcome {
  kind: 'undo';
  doc: RepairJson;
  undo: UndoResult;
}

export interface ClusterRepairOutcome {
  kind: 'cluster';
  doc: RepairJson;
  plans: RepairPlan[];
  unreachable: { name: string; error: string }[];
  desiredFrom: string;
  manifest?: ClusterManifest;
  journalDir: string;
  applied?: NodeApply[];
  aborted?: boolean;
}

export interface ListOutcome {
  kind: 'list';
  doc: RepairJson;
  dir: string;
  journals: JournalSummary[];
}

export type RepairResult = RepairOutcome | UndoOutcome | ClusterRepairOutcome | ListOutcome;

// seconds allowed per node for a remote apply
const CLUSTER_TIMEOUT = 120;

export async function repairService(o: RepairOptions, confirm: Confirm, id?: string): Promise<ServiceResult<RepairResult>> {
  const dir = o.journalDir;
  // the journal of a cluster repair is on each node (remote journal): undone there, where its lock is
  if (o.undo && o.cluster !== undefined) throw new UsageError('--undo restores one node from its own journal: run `flanctl repair --undo` on that node (the cluster repair printed its journal there)');
  if (o.list) {
    if (o.cluster !== undefined) throw new UsageError('--list shows the journals of this node: run `flanctl repair --list` on each node (the cluster repair printed its journal there)');
    if (id !== undefined) throw new UsageError(`unexpected argument ${id} (--list lists every journal)`);
    const journals = await listJournals(dir);
    return { result: { kind: 'list', doc: { applied: false, actions: [], skipped: [], journals }, dir, journals }, exit: 0 };
  }
  if (o.undo) return undo(dir, id);
  if (id !== undefined) throw new UsageError(`unexpected argument ${id} (a journal id goes with --undo)`);
  if (o.cluster !== undefined) return repairCluster(o, dir, confirm);
  if (o.apply && (o.snapshot.length || o.fromDir.length)) throw new UsageError('--apply changes a live node: use it without --snapshot/--from-dir (or with --netns)');
  // the lock first: a second --apply fails before reading state another repair is changing
  const release = o.apply ? await acquireLock(dir) : undefined;
  try {
    return await repairNode(o, dir, confirm);
  } finally {
    await release?.();
  }
}

const view = (a: PlannedAction, status: Status): RepairJson['actions'][number] => ({ op: a.op, family: a.family, code: a.code, target: a.target, command: a.command, reason: a.reason, argv: a.argv, status });

async function repairNode(o: RepairOptions, dir: string, confirm: Confirm): Promise<ServiceResult<RepairOutcome>> {
  const { snapshots, desired } = await loadState(o);
  if (!desired) throw new UsageError('repair needs the desired state: give --nodes FILE, --kube or --etcd ENDPOINTS');
  if (snapshots.length !== 1) throw new UsageError('repair works on one node: give one --snapshot/--from-dir');
  const plan = planRepair({ snapshot: snapshots[0], desired, nodeName: o.node, prune: o.prune, netns: o.netns });
  const doc: RepairJson = { applied: false, node: plan.node, actions: plan.actions.map((a) => view(a, 'planned')), skipped: plan.skipped };
  const outcome: RepairOutcome = { kind: 'node', doc, apply: o.apply };
  // a refused lease or route is a problem left in place, whatever else ran: exit 1 at least
  const problem = plan.skipped.some((s) => s.code) ? 1 : 0;
  if (!o.apply) return { result: outcome, exit: plan.actions.length ? 1 : problem };
  if (plan.actions.length === 0) {
    doc.applied = true;
    return { result: outcome, exit: problem };
  }
  if (process.stdin.isTTY && !o.yes && !o.json && !(await confirm(renderPlan(doc, ''), `Run these ${plan.actions.length} command(s)?`))) {
    return { result: { ...outcome, aborted: true }, exit: problem };
  }
  // apply runs programs (execa, ~100 modules): loaded only when there is something to apply
  const { applyPlan } = await import('../repair/apply.js');
  const r = await applyPlan(plan, dir);
  doc.journal = r.journalId;
  doc.actions = plan.actions.map((a, i) => view(a, i < r.applied ? 'applied' : r.failed && i === r.failed.index ? 'failed' : 'not-run'));
  doc.applied = r.failed === undefined;
  if (r.failed) doc.failed = r.failed;
  return { result: { ...outcome, applyResult: r }, exit: r.failed ? 3 : problem };
}

async function undo(dir: string, id?: string): Promise<ServiceResult<UndoOutcome>> {
  const { undoJournal } = await import('../repair/apply.js');
  const r = await undoJournal(dir, id);
  const doc: RepairJson = { applied: r.errors.length === 0, node: r.node, journal: r.journalId, actions: [], skipped: [], undo: r };
  // errors (a command or the re-check could not run) are the environment's; a state not as recorded is a problem
  return { result: { kind: 'undo', doc, undo: r }, exit: r.errors.length ? 3 : r.mismatches.length ? 1 : 0 };
}

/**
 * Desired state: the flags (or the directory's nodes.json) when given, else the leases as the nodes themselves
 * show them (each node's real flannel.1 MAC and IP — what the matrix checks).
 */
async function repairCluster(o: RepairOptions, dir: string, confirm: Confirm): Promise<ServiceResult<ClusterRepairOutcome>> {
  // the cluster modules load execa and the transports: only with --cluster
  const { applyCluster, checkOwnLeases, clusterRepairJson, leasesFromSnapshots, planCluster } = await import('../cluster/repair.js');
  const { cluster, snapshots, desired: given } = await loadState(o);
  if (!cluster) throw new Error('unreachable: --cluster loads a cluster directory');
  // the nodes' own flannel.1 name no departed node: without leases an unreachable node would look departed
  if (o.prune && !given) throw new UsageError('--prune with --cluster needs the leases: give --nodes FILE, --kube or --etcd (or collect with --kube, which saves nodes.json)');
  const desired = given ?? leasesFromSnapshots(snapshots);
  if (!given) checkOwnLeases(snapshots, desired);
  const desiredFrom = given ? 'the given desired state' : "the nodes' own flannel.1 (MAC, local IP, subnet)";
  const plans = planCluster(snapshots, desired, { node: o.node, prune: o.prune, derived: !given });
  const total = plans.reduce((n, p) => n + p.actions.length, 0);
  // a refused lease or route (leases/validate.ts, repair/plan routeGuard) stays a problem: exit 1 at least
  const problem = plans.some((p) => p.skipped.some((s) => s.code)) ? 1 : 0;
  const base = { kind: 'cluster' as const, plans, unreachable: cluster.unreachable, desiredFrom, manifest: cluster.manifest, journalDir: dir };
  const docOf = (applied?: NodeApply[]): RepairJson => ({ ...clusterRepairJson(plans, applied), unreachable: cluster.unreachable, desiredFrom });
  if (!o.apply || total === 0) {
    const doc = docOf();
    if (total === 0) doc.applied = o.apply;
    return { result: { ...base, doc }, exit: total && !o.apply ? 1 : problem };
  }
  // refused before asking: a directory whose configs or credentials are not given again changes nothing
  const { reachFromFlags } = await import('../cluster/reach.js');
  if (cluster.manifest?.reach) reachFromFlags(cluster.manifest.reach, o.reach, o.cluster!);
  if (process.stdin.isTTY && !o.yes && !o.json && !(await confirm(renderClusterPlan(plans, cluster.unreachable, desiredFrom, cluster.manifest), `Run these ${total} command(s), node by node?`))) {
    return { result: { ...base, doc: docOf(), aborted: true }, exit: problem };
  }
  const { transportFromManifest } = await import('../cluster/service.js');
  const transport = await transportFromManifest(cluster.manifest, o.cluster!, o.reach);
  const applied = await applyCluster(plans, transport, { journalDir: dir, now: () => new Date(), timeoutMs: CLUSTER_TIMEOUT * 1000 });
  return { result: { ...base, doc: docOf(applied), applied }, exit: applied.some((a) => a.status === 'failed') ? 3 : problem };
}
