import type { CommandSpec } from '../cli/spec.js';
import { terminalView } from '../cli/terminal.js';
import { sourceFlags } from '../cli/flags.js';
import { collectAllFlags } from '../cluster/flags.js';
import type { CollectAllResult } from '../cluster/service.js';
import type { Snapshot } from '../model/index.js';
import { renderCollect } from '../render/collect.js';
import { collectService } from '../services/collect.js';
import { toOptions } from '../services/options.js';

export default {
  description: `Snapshot this node's network state (links, addresses, routes, neigh, fdb, bridges, iptables, subnet.env, pods) as JSON.

Reads only; needs root for a live node or --netns. Every step's outcome (program, json/text/fallback form, error, time) is recorded in the snapshot's "commands".

--raw-dir also saves each raw output under the file names --from-dir reads, so the directory can be attached to a ticket and read back with \`flanctl show --from-dir DIR\`.`,

  examples: [
    { description: 'Snapshot this node into a file', command: '<%= config.bin %> <%= command.id %> -o node1.json' },
    { description: 'Snapshot a network namespace and keep the raw outputs', command: '<%= config.bin %> <%= command.id %> --netns node1 -o node1.json --raw-dir node1-raw' },
    { description: 'Every node at once over ssh (one [user@]host[:port] per line, or an ansible inventory), one snapshot per node', command: '<%= config.bin %> <%= command.id %> --all --ssh-hosts hosts.txt -o cluster/' },
    { description: 'Every node at once through kubectl (exec into the flannel pod on each node)', command: '<%= config.bin %> <%= command.id %> --all --kube --context prod -o cluster/' },
    { description: 'Turn saved outputs from a ticket into a snapshot', command: '<%= config.bin %> <%= command.id %> --from-dir fixtures/nodes/k8snode028 -o k8snode028.json' },
  ],

  flags: {
    output: { type: 'string', char: 'o', description: 'write the snapshot JSON to FILE (default: stdout)' },
    'raw-dir': { type: 'string', description: 'also save the raw outputs in DIR, named as --from-dir reads them' },
    ...sourceFlags,
    ...collectAllFlags,
  },

  async run({ flags }, out): Promise<Snapshot | CollectAllResult> {
    const { result, exit } = await collectService(toOptions(flags));
    out.finish(exit);
    if (!out.json) out.log(renderCollect(result, terminalView()));
    return result.kind === 'all' ? result.all : result.snapshot;
  },
} satisfies CommandSpec;
