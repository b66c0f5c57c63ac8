import { createInterface } from 'node:readline/promises';
import { Args, Flags, type Interfaces } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { desiredFlags } from '../cli/flags.js';
import { UsageError } from '../errors.js';
import type { UndoResult } from '../repair/apply.js';
import { journalDir } from '../repair/journal.js';
import { acquireLock } from '../repair/lock.js';
import { planRepair, type PlannedAction } from '../repair/plan.js';
import { renderTable } from '../render/table.js';
import { loadState, stateFlags } from '../cli/state.js';

type RepairFlags = Interfaces.InferredFlags<typeof Repair.flags>;
type Status = 'planned' | 'applied' | 'failed' | 'not-run';

export interface RepairJson {
  /** true when --apply ran every action */
  applied: boolean;
  node?: string;
  journal?: string;
  actions: { op: string; target: string; command: string; reason: string; argv: string[]; status: Status }[];
  skipped: { target: string; reason: string; code?: string }[];
  failed?: { index: number; command: string; error: string };
  undo?: UndoResult;
}

export default class Repair extends BaseCommand {
  static description = `Put flannel's missing state back: a plan (dry run by default) of the exact ip/bridge commands that make this
node match the leases — per peer, in flannel's order: ip neigh replace <subnet>.0 ... nud permanent, bridge fdb
replace <VtepMAC> ... dst <publicIP> self permanent, ip route replace <subnet> via <subnet>.0 dev flannel.1 onlink;
flannel.1 recreated (with this node's own VtepMAC from its lease) when gone, brought up when down.
--apply runs it (asks on a terminal unless --yes) under a lock, after journaling the current state of every object
it touches; --undo [ID] restores that state. Entries for departed nodes are removed only with --prune.
Exit 1 when the dry run plans changes, 3 when another repair holds the lock or a command failed.`;

  static examples = [
    { description: 'What would be repaired on this node (nothing is changed)', command: '<%= config.bin %> repair --kube' },
    { description: 'Repair inside a namespace from saved node objects, without asking', command: '<%= config.bin %> repair --netns node1 --nodes nodes.json --apply --yes' },
    { description: 'Also remove routes/neigh/fdb of nodes that left the cluster', command: '<%= config.bin %> repair --etcd http://10.0.0.1:2379 --prune --apply' },
    { description: 'Every node of a cluster directory, applied node by node over the ssh/kubectl it was collected with', command: '<%= config.bin %> repair --cluster cluster/ --apply' },
    { description: 'Restore what the last repair changed', command: '<%= config.bin %> repair --undo' },
    { description: 'Restore a given repair', command: '<%= config.bin %> repair --undo 2026-11-23T17-25-00-123Z --journal-dir /tmp/journal' },
  ];

  static args = { id: Args.string({ description: 'journal id for --undo (default: the newest)', required: false }) };

  static flags = {
    ...stateFlags,
    node: desiredFlags.node,
    apply: Flags.boolean({ description: 'run the plan (default: only show it)' }),
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation on a terminal' }),
    prune: Flags.boolean({ description: 'also remove neigh/fdb/route entries no lease explains (departed nodes, old VtepMACs)' }),
    undo: Flags.boolean({ description: 'restore the state journaled by a repair (the newest, or the ID argument)', exclusive: ['apply', 'prune'] }),
    'journal-dir': Flags.string({ description: 'where journals and the lock live', env: 'FLANCTL_JOURNAL_DIR', default: '/var/lib/flanctl/journal' }),
  };

  async run(): Promise<RepairJson> {
    const { args, flags } = await this.parse(Repair);
    const dir = journalDir(flags['journal-dir']);
    if (flags.undo) return this.undo(dir, args.id);
    if (args.id !== undefined) throw new UsageError(`unexpected argument ${args.id} (a journal id goes with --undo)`);
    if (flags.cluster !== undefined) {
      const { repairCluster } = await import('../cluster/service.js');
      const r = await repairCluster({ dir: flags.cluster, apply: flags.apply, yes: flags.yes, json: flags.json ?? false, journalDir: dir, timeout: 120, desired: { nodes: flags.nodes, kube: flags.kube, kubeconfig: flags.kubeconfig, context: flags.context, etcd: flags.etcd, etcdPrefix: flags['etcd-prefix'] } });
      if (r.exitCode) process.exitCode = r.exitCode;
      this.log(r.text);
      return r.json;
    }
    if (flags.apply && (flags.snapshot?.length || flags['from-dir']?.length)) throw new UsageError('--apply changes a live node: use it without --snapshot/--from-dir (or with --netns)');
    // the lock first: a second --apply fails before reading state another repair is changing
    const release = flags.apply ? await acquireLock(dir) : undefined;
    try {
      return await this.repair(flags, dir);
    } finally {
      await release?.();
    }
  }

  private async repair(flags: RepairFlags, dir: string): Promise<RepairJson> {
    const { snapshots, desired } = await loadState(flags);
    if (!desired) throw new UsageError('repair needs the desired state: give --nodes FILE, --kube or --etcd ENDPOINTS');
    if (snapshots.length !== 1) throw new UsageError('repair works on one node: give one --snapshot/--from-dir');
    const plan = planRepair({ snapshot: snapshots[0], desired, nodeName: flags.node, prune: flags.prune, netns: flags.netns });
    const doc: RepairJson = { applied: false, node: plan.node, actions: plan.actions.map((a) => view(a, 'planned')), skipped: plan.skipped };
    // a refused lease or route is a problem left in place, whatever else ran
    if (plan.skipped.some((s) => s.code)) this.foundProblem();

    if (!flags.apply) {
      if (plan.actions.length) this.foundProblem();
      if (!this.jsonEnabled()) this.log(renderPlan(doc, 'dry run: nothing was changed; run with --apply to execute'));
      return doc;
    }
    if (plan.actions.length === 0) {
      doc.applied = true;
      if (!this.jsonEnabled()) this.log(renderPlan(doc, 'nothing to repair'));
      return doc;
    }
    if (process.stdin.isTTY && !flags.yes && !this.jsonEnabled() && !(await confirm(renderPlan(doc, ''), plan.actions.length))) {
      this.log('aborted: nothing was changed');
      return doc;
    }
    // apply runs programs (execa, ~100 modules): loaded only when there is something to apply
    const { applyPlan } = await import('../repair/apply.js');
    const r = await applyPlan(plan, dir);
    doc.journal = r.journalId;
    doc.actions = plan.actions.map((a, i) => view(a, i < r.applied ? 'applied' : r.failed && i === r.failed.index ? 'failed' : 'not-run'));
    doc.applied = r.failed === undefined;
    if (r.failed) {
      doc.failed = r.failed;
      process.exitCode = 3;
    }
    const summary = r.failed
      ? `FAILED at action ${r.failed.index + 1}: ${r.failed.command}: ${r.failed.error}\n${r.applied} action(s) applied before it; undo them with: flanctl repair --undo ${r.journalId}`
      : `applied ${r.applied} action(s); journal ${r.journalFile} (undo: flanctl repair --undo ${r.journalId})`;
    if (!this.jsonEnabled()) this.log(renderPlan(doc, summary));
    return doc;
  }

  private async undo(dir: string, id?: string): Promise<RepairJson> {
    const { undoJournal } = await import('../repair/apply.js');
    const r = await undoJournal(dir, id);
    if (r.errors.length) process.exitCode = 3;
    this.log(`undid repair ${r.journalId} on ${r.node}${r.netns ? ` (netns ${r.netns})` : ''}: ${r.restored} command(s)`);
    for (const c of r.commands) this.log(`  ${c}`);
    for (const e of r.errors) this.log(`  failed: ${e}`);
    return { applied: r.errors.length === 0, node: r.node, journal: r.journalId, actions: [], skipped: [], undo: r };
  }
}

const view = (a: PlannedAction, status: Status): RepairJson['actions'][number] => ({ op: a.op, target: a.target, command: a.command, reason: a.reason, argv: a.argv, status });

// cli-table3's layout is quadratic in rows: past this many actions the table shows counts per op and status
const TABLE_ROWS = 200;

function renderPlan(doc: RepairJson, footer: string): string {
  const out: string[] = [];
  if (doc.actions.length === 0) out.push(`node ${doc.node ?? '?'}: nothing to repair`);
  else if (doc.actions.length <= TABLE_ROWS) {
    out.push(renderTable(['#', 'OP', 'TARGET', 'STATUS', 'REASON'], doc.actions.map((a, i) => [i + 1, a.op, a.target, a.status, a.reason])));
  } else {
    const counts = new Map<string, number>();
    for (const a of doc.actions) counts.set(`${a.op}\t${a.status}`, (counts.get(`${a.op}\t${a.status}`) ?? 0) + 1);
    out.push(renderTable(['OP', 'STATUS', 'ACTIONS'], [...counts].map(([k, n]) => [...k.split('\t'), n])));
  }
  if (doc.actions.length) {
    out.push('', 'Commands:');
    for (const a of doc.actions) out.push(`  ${a.command}`);
  }
  if (doc.skipped.length) out.push('', 'Skipped:', ...doc.skipped.map((s) => `  ${s.target}: ${s.reason}`));
  if (footer) out.push('', footer);
  return out.join('\n');
}

async function confirm(plan: string, n: number): Promise<boolean> {
  process.stderr.write(`${plan}\n\n`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`Run these ${n} command(s)? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
