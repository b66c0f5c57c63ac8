import type { CommandSpec } from '../cli/spec.js';
import { terminalView } from '../cli/terminal.js';
import { confirmOnTerminal } from '../cli/confirm.js';
import { desiredFlags, stateFlags } from '../cli/flags.js';
import { collectAllFlags } from '../cluster/flags.js';
import { renderClusterRepair, renderJournals, renderRepair, renderUndo } from '../render/repair.js';
import { DEFAULT_JOURNAL_DIR, toOptions } from '../services/options.js';
import { type RepairJson, repairService } from '../services/repair.js';

export default {
  description: `Put flannel's missing state back: a plan (dry run by default) of the exact ip/bridge commands that make this
node match the leases — per peer, in flannel's order: ip neigh replace <subnet>.0 ... nud permanent, bridge fdb
replace <VtepMAC> ... dst <publicIP> self permanent, ip route replace <subnet> via <subnet>.0 dev flannel.1 onlink;
flannel.1 recreated (with this node's own VtepMAC from its lease) when gone, brought up when down.
--apply runs it (asks on a terminal unless --yes) under a lock, after journaling the current state of every object
it touches; --undo [ID] restores that state. Entries for departed nodes are removed only with --prune.
Exit 1 when the dry run plans changes, 3 when another repair holds the lock or a command failed.`,

  examples: [
    { description: 'What would be repaired on this node (nothing is changed)', command: '<%= config.bin %> repair --kube' },
    { description: 'Repair inside a namespace from saved node objects, without asking', command: '<%= config.bin %> repair --netns node1 --nodes nodes.json --apply --yes' },
    { description: 'Also remove routes/neigh/fdb of nodes that left the cluster', command: '<%= config.bin %> repair --etcd http://10.0.0.1:2379 --prune --apply' },
    { description: 'Every node of a cluster directory, applied node by node over the ssh/kubectl it was collected with', command: '<%= config.bin %> repair --cluster cluster/ --apply' },
    { description: 'Restore what the last repair changed', command: '<%= config.bin %> repair --undo' },
    { description: 'Restore a given repair', command: '<%= config.bin %> repair --undo 2026-11-23T17-25-00-123Z --journal-dir /tmp/journal' },
    { description: 'The journals: what each repair ran, and whether its undo brought the recorded state back', command: '<%= config.bin %> repair --list' },
  ],

  args: { id: { description: 'journal id for --undo (default: the newest)', required: false } },

  flags: {
    ...stateFlags,
    node: desiredFlags.node,
    apply: { type: 'boolean', description: 'run the plan (default: only show it)' },
    yes: { type: 'boolean', char: 'y', description: 'do not ask for confirmation on a terminal' },
    prune: { type: 'boolean', description: 'also remove neigh/fdb/route entries no lease explains (departed nodes, old VtepMACs)' },
    undo: { type: 'boolean', description: 'restore the state journaled by a repair (the newest, or the ID argument)', exclusive: ['apply', 'prune'] },
    // --cluster --apply: how to reach the nodes, given again (a directory's recorded options are never replayed)
    'ssh-config': collectAllFlags['ssh-config'],
    'ssh-identity': collectAllFlags['ssh-identity'],
    'ssh-option': collectAllFlags['ssh-option'],
    'flannel-selector': collectAllFlags['flannel-selector'],
    'flannel-container': collectAllFlags['flannel-container'],
    'debug-image': collectAllFlags['debug-image'],
    list: { type: 'boolean', description: 'list the journals in --journal-dir, newest first, with how each undo ended', exclusive: ['apply', 'prune', 'undo'] },
    'journal-dir': { type: 'string', description: 'where journals and the lock live', env: 'FLANCTL_JOURNAL_DIR', default: DEFAULT_JOURNAL_DIR },
  },

  async run({ args, flags }, out): Promise<RepairJson> {
    const { result, exit } = await repairService(toOptions(flags), confirmOnTerminal, args.id);
    out.finish(exit);
    if (result.kind === 'list') out.log(renderJournals(result, terminalView()));
    else if (result.kind === 'undo') out.log(renderUndo(result, terminalView()));
    else if (result.kind === 'cluster') out.log(renderClusterRepair(result, terminalView()));
    else if (!out.json) out.log(renderRepair(result, terminalView()));
    return result.doc;
  },
} satisfies CommandSpec;
