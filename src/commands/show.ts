import { Args } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { sourceFlags } from '../cli/flags.js';
import { renderShowNodes, SHOW_SUBJECTS, type ShowSubject } from '../render/state-tables.js';
import { toOptions } from '../services/options.js';
import { showService, type ShowJson } from '../services/show.js';

export default class Show extends BaseCommand {
  static description = `Print the node state flanctl reads, as tables: links, routes, neigh, fdb, bridges, iptables, nft or pods.

The same data every other command works on, from the live node, a --netns, saved outputs (--from-dir) or snapshots.`;

  static examples = [
    { description: "This node's routes (onlink shown in flags)", command: '<%= config.bin %> <%= command.id %> routes' },
    { description: 'The vxlan fdb of a node from a ticket', command: '<%= config.bin %> <%= command.id %> fdb --from-dir fixtures/nodes/k8snode028' },
    { description: 'Links inside a namespace, as JSON', command: '<%= config.bin %> <%= command.id %> links --netns node1 --json' },
    { description: "flannel's nftables tables (EnableNFTables) with their hooks and rules", command: '<%= config.bin %> <%= command.id %> nft' },
    { description: 'Neighbours of two nodes from snapshots', command: '<%= config.bin %> <%= command.id %> neigh --snapshot node1.json --snapshot node2.json' },
  ];

  static args = {
    what: Args.string({ description: 'what to show', required: true, options: [...SHOW_SUBJECTS] }),
  };

  static flags = { ...sourceFlags };

  async run(): Promise<ShowJson> {
    const { args, flags } = await this.parse(Show);
    const { result } = await showService(toOptions(flags), args.what as ShowSubject);
    // tables only when printed: cli-table3 is quadratic in rows (20k routes took 71 s)
    if (!this.jsonEnabled()) this.log(renderShowNodes(result.snapshots, result.doc.subject));
    return result.doc;
  }
}
