import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { sourceFlags } from '../cli/flags.js';
import { collectOne, readSnapshotFile, snapshotJson, writeSnapshotFile } from '../collect/index.js';
import { checkRawDir, writeRawDir } from '../collect/raw-dir.js';
import { UsageError } from '../errors.js';
import type { Snapshot } from '../model/index.js';
import { stderrProgress } from '../render/progress.js';
import { collectAllFlags } from '../cluster/flags.js';
import type { CollectAllResult } from '../cluster/service.js';

export default class Collect extends BaseCommand {
  static description = `Snapshot this node's network state (links, addresses, routes, neigh, fdb, bridges, iptables, subnet.env, pods) as JSON.

Reads only; needs root for a live node or --netns. Every step's outcome (program, json/text/fallback form, error, time) is recorded in the snapshot's "commands".

--raw-dir also saves each raw output under the file names --from-dir reads, so the directory can be attached to a ticket and read back with \`flanctl show --from-dir DIR\`.`;

  static examples = [
    { description: 'Snapshot this node into a file', command: '<%= config.bin %> <%= command.id %> -o node1.json' },
    { description: 'Snapshot a network namespace and keep the raw outputs', command: '<%= config.bin %> <%= command.id %> --netns node1 -o node1.json --raw-dir node1-raw' },
    { description: 'Every node at once over ssh (one [user@]host[:port] per line, or an ansible inventory), one snapshot per node', command: '<%= config.bin %> <%= command.id %> --all --ssh-hosts hosts.txt -o cluster/' },
    { description: 'Every node at once through kubectl (exec into the flannel pod on each node)', command: '<%= config.bin %> <%= command.id %> --all --kube --context prod -o cluster/' },
    { description: 'Turn saved outputs from a ticket into a snapshot', command: '<%= config.bin %> <%= command.id %> --from-dir fixtures/nodes/k8snode028 -o k8snode028.json' },
  ];

  static flags = {
    output: Flags.string({ char: 'o', description: 'write the snapshot JSON to FILE (default: stdout)' }),
    'raw-dir': Flags.string({ description: 'also save the raw outputs in DIR, named as --from-dir reads them' }),
    ...sourceFlags,
    ...collectAllFlags,
  };

  async run(): Promise<Snapshot | CollectAllResult> {
    const { flags } = await this.parse(Collect);
    if (flags.all) {
      const { collectAll, renderCollectAll } = await import('../cluster/service.js');
      const r = await collectAll(flags);
      if (r.nodes.some((n) => !n.ok)) this.foundProblem();
      this.log(renderCollectAll(r));
      return r;
    }
    const dirs = flags['from-dir'] ?? [];
    const files = flags.snapshot ?? [];
    if (dirs.length + files.length > 1) throw new UsageError('collect reads one node at a time: give one --from-dir or --snapshot');
    if (files.length === 1 && flags['raw-dir'] !== undefined) throw new UsageError('--raw-dir needs raw outputs: use it with a live node, --netns or --from-dir');

    if (flags['raw-dir'] !== undefined) await checkRawDir(flags['raw-dir']);

    let snapshot: Snapshot;
    if (files.length === 1) {
      snapshot = await readSnapshotFile(files[0]);
    } else {
      const progress = stderrProgress('collecting');
      try {
        const collection = await collectOne({ netns: flags.netns, fromDir: dirs[0], onProgress: progress.update });
        snapshot = collection.snapshot;
        if (flags['raw-dir'] !== undefined) await writeRawDir(flags['raw-dir'], collection.raw);
      } finally {
        progress.done();
      }
    }

    if (flags.output !== undefined) {
      await writeSnapshotFile(flags.output, snapshot);
      const failed = snapshot.commands.filter((c) => !c.ok);
      this.log(
        `wrote ${flags.output}: ${snapshot.host}, ${snapshot.links.length} links, ${snapshot.routes.length} routes, ${snapshot.neigh.length} neigh, ${snapshot.fdb.length} fdb, ${snapshot.pods.length} pods` +
          (failed.length ? `; not collected: ${failed.map((c) => `${c.name} (${c.error})`).join(', ')}` : ''),
      );
    } else {
      this.log(snapshotJson(snapshot).trimEnd());
    }
    return snapshot;
  }
}
