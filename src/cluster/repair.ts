// `repair --cluster DIR [--apply]`: each node's repair plan (the repair helper's planRepair over that node's
// snapshot), applied over the transport that collected it, node by node, stopping at the first failure.
// The journal is the repair helper's format, written on the node itself before anything runs
// (<journal-dir>/<id>.json, same lock file), so `flanctl repair --undo` there can put it back.
import { type DesiredState, hasV4, type Lease } from '../model/lease.js';
import { normalizeIPv6 } from '../model/ipv6.js';
import type { Snapshot } from '../model/snapshot.js';
import { gzipSync } from 'node:zlib';
import { finishDesired } from '../leases/lease.js';
import { resolveLocal } from '../leases/local.js';
import { type Journal, newJournalId } from '../repair/journal.js';
import { planRepair, type RepairPlan } from '../repair/plan.js';
import { errorLine } from './fanout.js';
import { nodeFacts } from '../analyze/node-facts.js';
import { buildContext } from '../analyze/checks/context.js';
import { UsageError } from '../errors.js';
import { checkArgs } from './ssh.js';
import type { Transport } from './transport.js';
import { newNonce } from '../collect/frame.js';

/**
 * Leases as the nodes themselves show them: each node's real flannel.1 MAC, vxlan local IP and subnet.
 * The default desired state in cluster mode: what peers must program for the data path to work. Pure.
 */
export function leasesFromSnapshots(snapshots: Snapshot[]): DesiredState {
  const leases: Lease[] = [];
  for (const s of snapshots) {
    const f = nodeFacts(s);
    if (!f.subnet || !f.publicIp || !f.vtepMac) continue;
    const link = s.links.find((l) => l.name === f.vtepDev);
    const vni = link?.kind === 'vxlan' ? link.vni : undefined;
    leases.push({ node: s.host, subnet: f.subnet, publicIp: f.publicIp, backendType: 'vxlan', vtepMac: f.vtepMac, ...(vni !== undefined ? { vni } : {}), source: 'cluster-snapshots' });
  }
  // each node writes its own snapshot: a forged subnet.env is refused like any hostile lease
  return finishDesired(leases, []);
}

const GIVE_LEASES = "give the nodes' leases: --nodes FILE from `kubectl get nodes -o json`, --kube or --etcd";

/** Why a node's own state gives no lease (leasesFromSnapshots): a wireguard, host-gw or ipip node has no flannel.1. */
function noOwnLease(s: Snapshot): string {
  const backend = buildContext({ snapshot: s }).backend;
  return backend && backend !== 'vxlan' ? `backend ${backend}, no flannel.1` : 'no flannel.1 with a MAC, local IP and subnet in its snapshot';
}

/**
 * The desired state taken from the nodes' own flannel.1 (no leases given) when no node has one: nothing can be
 * planned, and "no lease for this node" on every node would not say why. One error naming the nodes (grouped by
 * why) and what to give instead. Pure.
 */
export function checkOwnLeases(snapshots: Snapshot[], derived: DesiredState): void {
  if (derived.leases.length || derived.refused?.length) return;
  const why = new Map<string, string[]>();
  for (const s of snapshots) {
    const w = noOwnLease(s);
    why.set(w, [...(why.get(w) ?? []), s.host]);
  }
  const nodes = [...why].map(([w, names]) => `${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}: ${w}`).join('; ');
  const wireguard = snapshots.some((s) => buildContext({ snapshot: s }).backend === 'wireguard');
  // with the leases, a wireguard node's plan lists each WG_* problem with its `wg set` line (repair/plan.ts skipWireguard)
  const peers = wireguard ? "; WireGuard peers are flanneld's: with the leases repair lists each WG_* problem and its `wg set` fix, never runs it" : '';
  throw new UsageError(`repair --cluster: no node has a flannel.1 to take the desired state from without leases (${nodes})`, `${GIVE_LEASES}${peers}`);
}

/**
 * Each node's plan exactly as `repair` on that node plans it: its own lease matched by its addresses (as local
 * repair does), the same --prune. With --node NAME only that node: the snapshot of that name, else the one
 * holding NAME's lease public IP. A node whose own lease is absent or was refused (leases/validate.ts) is
 * not planned: nothing to plan it from.
 */
export function planCluster(snapshots: Snapshot[], desired: DesiredState, o: { node?: string; prune?: boolean; derived?: boolean } = {}): RepairPlan[] {
  let chosen = snapshots;
  if (o.node !== undefined) {
    const lease = desired.leases.find((l) => l.node === o.node);
    const ips = new Set([lease?.publicIp, lease?.publicIpv6].filter((ip) => ip !== undefined));
    const named = snapshots.find((s) => s.host === o.node) ?? snapshots.find((s) => s.addresses.some((a) => ips.has((a.family === 'inet6' ? normalizeIPv6(a.local) : a.local) ?? '')));
    if (!named) throw new UsageError(`--node ${o.node}: no node of that name (or holding its lease's public IP) in the cluster directory`, `nodes: ${snapshots.map((s) => s.host).join(', ')}`);
    chosen = [named];
  }
  return chosen.map((s) => {
    if (resolveLocal(desired, s, o.node).local) return planRepair({ snapshot: s, desired, nodeName: o.node, prune: o.prune });
    const mine = new Set(s.addresses.map((a) => (a.family === 'inet6' ? normalizeIPv6(a.local) : a.local)));
    // a whole lease refused: its IPv4 half, or a v6-only lease's IPv6 one
    const refused = desired.refused?.find((r) => (r.family === undefined || !hasV4(r.lease)) && (r.lease.node === s.host || mine.has(r.lease.publicIp ?? r.lease.publicIpv6)));
    // derived from the nodes' own flannel.1: say why this one gave none, and what to give instead
    const none = o.derived ? `no lease for this node in the desired state: it is taken from the nodes' own flannel.1, and ${s.host} has none (${noOwnLease(s)}): ${GIVE_LEASES}` : 'no lease for this node in the desired state';
    const reason = refused ? `its own lease was refused: ${refused.reason}` : none;
    return { node: s.host, actions: [], skipped: [{ target: s.host, reason: `not repaired: ${reason}`, code: refused?.code ?? 'LOCAL_LEASE_NOT_FOUND' }] };
  });
}

export interface NodeApply {
  node: string;
  status: 'applied' | 'failed' | 'nothing-to-do' | 'not-run';
  applied: number;
  journal?: string;
  error?: string;
}

/**
 * POSIX sh run on the node (`sh -s -- NONCE DIR ID`, the script on stdin): take the repair lock, then the data
 * part of the script (`repairScript`) writes the journal and one batch file per run of one program into the
 * private journal directory, each a gzip stream checked whole by gunzip; only then does the last line, `main`,
 * run the batches (`ip -batch FILE`, `bridge -batch FILE`) in order, stop at the first failure and record the
 * outcome in the journal. The plan travels on stdin, so its size has no argv limit; a stream cut anywhere
 * leaves `main` unread or a file that fails gunzip, and a batch child only ever reads complete lines.
 */
export const REPAIR_HEAD = [
  'm="$1"; dir="$2"; id="$3"',
  'PATH="$PATH:/usr/sbin:/sbin"',
  'say() { printf "%s %s\\n" "@@flanctl-$m" "$*"; }',
  'mkdir -p "$dir" && chmod 700 "$dir" || { say error "cannot create $dir"; exit 3; }',
  // the repair lock exactly as repair/lock.ts takes it: `PID NONCE` linked into place; a stale one removed only
  // by the contender that creates repair.lock.break.<its nonce> and still reads the same lock
  'lock="$dir/repair.lock"; j="$dir/$id.json"; me="$$ $m"; tmp="$lock.$$.$m"',
  'printf "%s\\n" "$me" > "$tmp" || { say error "cannot create $tmp"; exit 3; }',
  'i=0',
  'until ln "$tmp" "$lock" 2>/dev/null; do',
  '  i=$((i+1)); if [ $i -gt 20 ]; then rm -f "$tmp"; say error "cannot take the repair lock $lock: a stale lock is being taken over"; exit 3; fi',
  '  cur=$(cat "$lock" 2>/dev/null) || continue',
  '  case "$cur" in ""|*[!0-9a-f\\ ]*) rm -f "$tmp"; say error "the repair lock $lock holds no process id"; exit 3;; esac',
  '  pid=${cur%% *}; own=${cur##* }',
  '  if kill -0 "$pid" 2>/dev/null; then rm -f "$tmp"; say error "another flanctl repair is running (pid $pid, lock $lock)"; exit 3; fi',
  '  if mkdir "$lock.break.$own" 2>/dev/null; then [ "$(cat "$lock" 2>/dev/null)" = "$cur" ] && rm -f "$lock"; rmdir "$lock.break.$own"; else sleep 1; fi',
  'done',
  'rm -f "$tmp"',
  'trap \'[ "$(cat "$lock" 2>/dev/null)" = "$me" ] && rm -f "$lock"; rm -f "$j".b*\' EXIT',
  'unpack() { base64 -d | gunzip > "$1" || { say error "cannot unpack $1"; exit 3; }; }',
  'n=0',
  // the journal is one line of JSON whose first "status"/"applied" keys are the top-level ones; `|` is in no
  // command word nor in the filtered error text
  'finish() { sed -i -e "s|\\"status\\":\\"applying\\",|\\"status\\":\\"$1\\",|" -e "s|\\"applied\\":0,|\\"applied\\":$n,$2|" "$j"; }',
  // iproute2 names the failing line (`Command failed FILE:N`) and ran the lines before it
  'batch() { e=$("$1" -batch "$2" 2>&1 </dev/null); rc=$?; if [ $rc -ne 0 ]; then k=$(printf "%s\\n" "$e" | sed -n "s/^Command failed .*:\\([0-9][0-9]*\\)$/\\1/p" | head -n 1); [ -n "$k" ] || k=1; n=$((n + k - 1)); c="$1 $(sed -n "${k}p" "$2")"; e=$(printf "%s\\n" "$e" | grep -v "^Command failed" | head -n 1 | tr -cd "A-Za-z0-9 ._:/=-"); finish failed "\\"failed\\":{\\"index\\":$n,\\"command\\":\\"$c\\",\\"error\\":\\"$e\\"},"; say failed "$n" "$e"; exit 1; fi; n=$((n + $3)); }',
  '',
].join('\n');

const DATA_END = '@@flanctl-data';

/** A gzip + base64 heredoc written to `file` (a name under "$j"); base64 never contains the end word. */
const dataPart = (file: string, text: string): string => {
  const b64 = gzipSync(Buffer.from(text)).toString('base64').replace(/.{1,76}/g, '$&\n');
  return `unpack "${file}" <<'${DATA_END}'\n${b64}${DATA_END}\n`;
};

/** The script for one node's plan and its arguments. Every command word is checked as a plain word first. Pure. */
export function repairScript(nonce: string, journalDir: string, journal: Journal, plan: RepairPlan): { script: string; args: string[] } {
  const runs: { program: 'ip' | 'bridge'; lines: string[] }[] = [];
  for (const a of plan.actions) {
    const line = checkArgs([...a.args]).join(' ');
    const last = runs[runs.length - 1];
    if (last?.program === a.program) last.lines.push(line);
    else runs.push({ program: a.program, lines: [line] });
  }
  const parts = [REPAIR_HEAD, ...runs.map((r, i) => dataPart(`$j.b${i}`, r.lines.join('\n') + '\n'))];
  // the journal last: once it says `applying`, every batch file is there
  parts.push(dataPart('$j.tmp', JSON.stringify(journal) + '\n'), 'mv "$j.tmp" "$j" || { say error "cannot write the journal $j"; exit 3; }\n');
  const body = runs.map((r, i) => `  batch ${r.program} "$j.b${i}" ${r.lines.length}`).join('\n');
  parts.push(`main() {\n  say journal "$j"\n${body}\n  finish applied ""\n  say done "$n"\n}\nmain\n`);
  return { script: parts.join(''), args: checkArgs([nonce, journalDir, journal.id]) };
}

/** The journal the repair helper's `repair --undo` reads, for a plan run remotely. Pure. */
export function remoteJournal(plan: RepairPlan, id: string, now: Date): Journal {
  return {
    id,
    time: now.toISOString(),
    node: plan.node,
    status: 'applying',
    applied: 0,
    actions: plan.actions.map((a) => ({ op: a.op, family: a.family, code: a.code, target: a.target, command: a.command, program: a.program, args: a.args, undo: a.undo, before: a.before })),
  };
}

/** Apply each node's plan in turn; the first node that fails stops the run (later nodes: not-run). */
export async function applyCluster(
  plans: RepairPlan[],
  transport: Transport,
  o: { journalDir: string; now: () => Date; timeoutMs: number; onNode?: (r: NodeApply) => void },
): Promise<NodeApply[]> {
  const out: NodeApply[] = [];
  let stopped = false;
  for (const plan of plans) {
    let r: NodeApply;
    if (plan.actions.length === 0) r = { node: plan.node, status: 'nothing-to-do', applied: 0 };
    else if (stopped) r = { node: plan.node, status: 'not-run', applied: 0 };
    else r = await applyNode(plan, transport, o);
    if (r.status === 'failed') stopped = true;
    o.onNode?.(r);
    out.push(r);
  }
  return out;
}

async function applyNode(plan: RepairPlan, transport: Transport, o: { journalDir: string; now: () => Date; timeoutMs: number }): Promise<NodeApply> {
  const now = o.now();
  // one id per node: several "nodes" may share a journal directory (tests, shared /var/lib)
  const id = `${newJournalId(now)}-${plan.node.replace(/[^0-9A-Za-z-]/g, '-')}`.slice(0, 64);
  const nonce = newNonce();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), o.timeoutMs);
  try {
    const { script, args } = repairScript(nonce, o.journalDir, remoteJournal(plan, id, now), plan);
    const r = await transport.runScript(plan.node, script, args, controller.signal);
    const said = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const m = new RegExp(`^@@flanctl-${nonce} (\\w+) ?(.*)$`).exec(line);
      if (m) said.set(m[1], m[2]);
    }
    const journal = said.get('journal');
    if (said.has('done')) return { node: plan.node, status: 'applied', applied: Number(said.get('done')), journal };
    const failed = said.get('failed');
    if (failed !== undefined) {
      const [index, ...why] = failed.split(' ');
      return { node: plan.node, status: 'failed', applied: Number(index), journal, error: `${plan.actions[Number(index)]?.command ?? '?'}: ${why.join(' ') || 'failed'}` };
    }
    const error = said.get('error') ?? r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`;
    return { node: plan.node, status: 'failed', applied: 0, journal, error };
  } catch (error) {
    return { node: plan.node, status: 'failed', applied: 0, error: controller.signal.aborted ? `timed out after ${o.timeoutMs / 1000} s` : errorLine(error) };
  } finally {
    clearTimeout(timer);
  }
}

type ActionStatus = 'planned' | 'applied' | 'failed' | 'not-run';

/** The DESIGN.md repair shape (as `repair --json` prints it), every node's actions in one list. */
export function clusterRepairJson(plans: RepairPlan[], applied: NodeApply[] | undefined) {
  const statusOf = (node: string, i: number): ActionStatus => {
    const r = applied?.find((a) => a.node === node);
    if (!r) return 'planned';
    if (i < r.applied) return 'applied';
    return r.status === 'failed' && i === r.applied ? 'failed' : 'not-run';
  };
  return {
    applied: applied !== undefined && applied.every((a) => a.status === 'applied' || a.status === 'nothing-to-do'),
    actions: plans.flatMap((p) => p.actions.map((a, i) => ({ op: a.op, family: a.family, code: a.code, target: a.target, command: a.command, reason: a.reason, argv: a.argv, status: statusOf(p.node, i), node: p.node }))),
    skipped: plans.flatMap((p) => p.skipped.map((s) => ({ ...s, node: p.node }))),
    nodes: applied ?? plans.map((p): NodeApply => ({ node: p.node, status: p.actions.length ? 'not-run' : 'nothing-to-do', applied: 0 })),
  };
}
