import type { CommandSpec } from '../cli/spec.js';
import { stateFlags } from '../cli/flags.js';
import { terminalView } from '../cli/terminal.js';
import { renderLeases } from '../render/leases.js';
import { renderSourceLoads } from '../render/sources.js';
import { renderShowNodes, SHOW_SUBJECTS, type ShowSubject } from '../render/state-tables.js';
import { toOptions } from '../services/options.js';
import { showService, type ShowJson, type ShowWhat } from '../services/show.js';

const SUBJECTS = [...SHOW_SUBJECTS, 'leases', 'sources'] as const;

export default {
  description: `Print the node state flanctl reads, as tables: links, addresses, routes, neigh, fdb, bridges, iptables, nft, pods, subnet-env, leases, or the sources themselves.

The same data every other command works on, from the live node, a --netns, saved outputs (--from-dir) or snapshots.
\`show sources --from-dir PATH\` lists every file or transcript block: what it was read as, for which node, lines read and skipped, and what a full trace still needs.`,

  examples: [
    { description: "This node's routes (flags, onlink, named gateways)", command: '<%= config.bin %> <%= command.id %> routes' },
    { description: 'The vxlan fdb of a node from a ticket', command: '<%= config.bin %> <%= command.id %> fdb --from-dir fixtures/nodes/k8snode028' },
    { description: 'What flanctl read from a pasted ticket', command: '<%= config.bin %> <%= command.id %> sources --from-dir fixtures/tickets/seed-000-k8snode028.txt' },
    { description: 'The leases of a nodes file', command: '<%= config.bin %> <%= command.id %> leases --nodes nodes.yaml --from-dir fixtures/nodes/k8snode028' },
    { description: 'Links inside a namespace, as JSON', command: '<%= config.bin %> <%= command.id %> links --netns node1 --json' },
    { description: "flannel's nftables tables (EnableNFTables) with their hooks and rules", command: '<%= config.bin %> <%= command.id %> nft' },
    { description: 'Neighbours of two nodes from snapshots', command: '<%= config.bin %> <%= command.id %> neigh --snapshot node1.json --snapshot node2.json' },
  ],

  args: {
    what: { description: 'what to show', required: true, options: [...SUBJECTS] },
  },

  flags: { ...stateFlags },

  async run({ args, flags }, out): Promise<ShowJson> {
    const what = args.what as ShowWhat;
    const { result } = await showService(toOptions(flags), what);
    // tables only when printed: cli-table3 is quadratic in rows (20k routes took 71 s)
    if (!out.json) {
      if (what === 'sources') out.log(renderSourceLoads(result.loads, terminalView()));
      else if (what === 'leases') out.log(renderLeases(result.desired, terminalView()));
      else out.log(renderShowNodes(result.snapshots, what as ShowSubject, terminalView()));
    }
    return result.doc;
  },
} satisfies CommandSpec;
