// Runs the cluster services from inside a namespace (`ip netns exec CLIENT node --import tsx driver.ts JSON`),
// printing one JSON result. The CLI commands call exactly these services; this lets the integration test
// reach the nodes' underlay addresses without the CLI wiring.
import { loadClusterDir } from '../../src/cluster/dir.js';
import { doctorCluster } from '../../src/cluster/doctor.js';
import { collectAll, type CollectAllInput } from '../../src/cluster/service.js';
import { traceCluster } from '../../src/cluster/trace.js';
import { toOptions } from '../../src/services/options.js';
import { repairService } from '../../src/services/repair.js';

type Req = { cmd: 'collect'; flags: CollectAllInput } | { cmd: 'doctor'; dir: string } | { cmd: 'trace'; dir: string; src: string; dst: string } | { cmd: 'repair'; dir: string; apply: boolean; journalDir: string };

const req = JSON.parse(process.argv[2]) as Req;
let out: unknown;
const started = performance.now();
if (req.cmd === 'collect') out = { ...(await collectAll(req.flags)), wallMs: Math.round(performance.now() - started) };
else {
  const cluster = await loadClusterDir(req.dir);
  if (req.cmd === 'doctor') out = doctorCluster(cluster);
  else if (req.cmd === 'trace') out = traceCluster(cluster.snapshots, req.src, req.dst);
  else out = (await repairService(toOptions({ cluster: req.dir, apply: req.apply, yes: true, json: true, 'journal-dir': req.journalDir }), async () => true)).result.doc;
}
process.stdout.write(JSON.stringify(out) + '\n');
