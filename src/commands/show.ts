import { Args } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { sourceFlags } from '../cli/flags.js';
import { loadSnapshots } from '../collect/index.js';
import { stderrProgress } from '../render/progress.js';
import { renderShow, SHOW_SUBJECTS, type ShowSubject, showItems } from '../render/state-tables.js';

export interface ShowJson {
  subject: ShowSubject;
  nodes: { host: string; source: { kind: string; name?: string }; items: unknown[] }[];
}

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
    const subject = args.what as ShowSubject;
    const progress = stderrProgress('collecting');
    let snapshots;
    try {
      snapshots = await loadSnapshots({ netns: flags.netns, snapshot: flags.snapshot, fromDir: flags['from-dir'], onProgress: progress.update });
    } finally {
      progress.done();
    }
    for (const s of snapshots) {
      if (snapshots.length > 1) this.log(`== ${s.host} ==`);
      this.log(renderShow(s, subject));
    }
    return { subject, nodes: snapshots.map((s) => ({ host: s.host, source: s.source, items: showItems(s, subject) })) };
  }
}
