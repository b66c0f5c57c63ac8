// Benchmark 4: apply. `flanctl repair --apply --netns` restoring 5,000 missing peers (flannel.1 present but empty,
// desired state from a nodes.json) against the same ip/bridge commands run one by one from a shell loop in the
// namespace (bench/shell-loop.sh), and against ip -batch + bridge -batch (the floor). Before every timed run the
// namespace's flannel.1 is deleted and re-created, which drops every peer entry. A logging PATH shim shows how
// many programs repair ran and whether it used -batch. `--json` is timed too: it skips the plan table.
// Target: repair of 5,000 peers at least 5× faster than the shell loop. Also run at 500 peers to show the growth.
import { readFileSync } from 'node:fs';
import type { Lab } from '../test/netns/lab.js';
import { join } from 'node:path';
import { writeState } from './gen-state.js';
import { FLANCTL, OUT, QUICK, ROOT, exec, flanctl, hyperfine, ms, q, ratio, record } from './lib.js';
import { addNode, argvShim, countPeers, flannelLinkCommands, runLive } from './netns-node.js';

function measure(lab: Lab, peers: number): void {
  const dir = join(OUT, 'live', `n${peers}`);
  writeState(dir, { peers });
  {
    const ns = addNode(lab, `apply${peers}`);
    const reset = [['ip', '-n', ns, 'link', 'del', 'flannel.1'], ...flannelLinkCommands(ns)].map((a) => a.map(q).join(' ')).join(' && ');
    const resetNow = (): void => {
      const r = exec(['sh', '-c', reset]);
      if (r.status !== 0) throw new Error(`reset failed: ${r.stderr}`);
    };
    const repairArgs = ['repair', '--apply', '--yes', '--netns', ns, '--nodes', join(dir, 'nodes.json'), '--journal-dir', join(OUT, 'journal')];

    // one checked run with the argv shim: did it restore every peer, and how did it run the commands?
    resetNow();
    const argvLog = join(OUT, `apply-argv-${peers}.log`);
    const r = exec([FLANCTL, ...repairArgs, '--json'], { env: argvShim(argvLog) });
    const counts = countPeers(ns);
    const ran = readFileSync(argvLog, 'utf8').split('\n').filter(Boolean);
    const usesBatch = ran.some((l) => / -batch /.test(` ${l} `) || / -b /.test(` ${l} `));
    let actions = -1;
    try {
      actions = (JSON.parse(r.stdout) as { actions: unknown[] }).actions.length;
    } catch {
      /* reported below through the check line */
    }
    const check = `exit ${r.status}; ${actions} actions; kernel after: ${counts.routes} routes, ${counts.neigh} neigh, ${counts.fdb} fdb; ran ${ran.length} ip/bridge processes${usesBatch ? ' (uses -batch)' : ' (no -batch)'}`;
    console.log(`flanctl repair --apply --netns: ${check}${r.status > 1 ? ` — ${r.stderr.trim()}` : ''}`);

    const t = hyperfine(`apply-${peers}`, {
      'ip -batch + bridge -batch': `ip -n ${q(ns)} -batch ${q(join(dir, 'peers.ip.batch'))} && bridge -n ${q(ns)} -batch ${q(join(dir, 'peers.bridge.batch'))}`,
      'flanctl repair --apply': flanctl(...repairArgs),
      // the same without the human plan table (src/render/table.ts -> cli-table3, quadratic in rows)
      'flanctl repair --apply --json': flanctl(...repairArgs, '--json'),
    }, { warmup: 0, runs: QUICK ? 2 : 3, prepare: reset, ignoreFailure: true });
    const loop = hyperfine(`apply-loop-${peers}`, {
      'shell loop of ip/bridge': `ip netns exec ${q(ns)} bash ${q(join(ROOT, 'bench', 'shell-loop.sh'))} ${q(join(dir, 'peers.tsv'))}`,
    }, { warmup: 0, runs: 1, prepare: reset });
    const all = { ...loop, ...t };
    const base = loop['shell loop of ip/bridge'].mean;
    console.log(`\napply, ${peers} missing peers (target: repair ≥ 5× faster than the shell loop):`);
    for (const [label, x] of Object.entries(all)) console.log(`  ${label.padEnd(28)} ${ms(x.mean).padStart(9)} ± ${ms(x.stddev)}  ${ratio(base, x.mean)} faster than the loop`);
    record('apply', `n${peers}`, { peers, netns: ns, check, usesBatch, processes: ran.length, sample: ran.slice(0, 5), timings: all });
  }
}

runLive('apply', 'repair', measure);

