// Benchmark 3: live collection. A namespace programmed with 5,000 flannel peers (and 500, to show the growth) (real neigh/fdb/route entries in the
// kernel, written with ip -batch / bridge -batch); `flanctl collect --netns` against the raw commands themselves run
// inside the same namespace: the four the issue names, and every program collect itself ran (from the snapshot's
// "commands"), from one shell. Also `flanctl trace --netns` on the same live state.
// Target: collection ≤ 1.5× the raw commands.
import { readFileSync } from 'node:fs';
import type { Lab } from '../test/netns/lab.js';
import { join } from 'node:path';
import { addNode, argvShim, countPeers, programPeers, runLive } from './netns-node.js';
import { writeState } from './gen-state.js';
import { FLANCTL, OUT, QUICK, exec, flanctl, hasCommand, hyperfine, ms, q, ratio, record } from './lib.js';

function measure(lab: Lab, peers: number): void {
  const dir = join(OUT, 'live', `n${peers}`);
  writeState(dir, { peers });
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { traceTarget: string; present: number };
  {
    const ns = addNode(lab, `collect${peers}`);
    const started = performance.now();
    programPeers(ns, dir);
    const programMs = performance.now() - started;
    const counts = countPeers(ns);
    console.log(`namespace ${ns}: ${counts.routes} routes, ${counts.neigh} neigh, ${counts.fdb} fdb on flannel.1 (programmed in ${programMs.toFixed(0)} ms with ip -batch + bridge -batch)`);
    if (counts.routes !== meta.present || counts.neigh !== meta.present || counts.fdb !== meta.present) throw new Error(`expected ${meta.present} of each`);

    // one checked run: what did collect run, and did it see every peer?
    const snapFile = join(OUT, `collect-snapshot-${peers}.json`);
    const argvLog = join(OUT, `collect-argv-${peers}.log`);
    const r = exec([FLANCTL, 'collect', '--netns', ns, '-o', snapFile], { env: argvShim(argvLog) });
    if (r.status !== 0) throw new Error(`flanctl collect --netns failed (exit ${r.status}): ${r.stderr.trim()}`);
    const snap = JSON.parse(readFileSync(snapFile, 'utf8')) as { routes: unknown[]; neigh: unknown[]; fdb: unknown[]; commands: { name: string; argv?: string[]; ok: boolean }[] };
    const programs = snap.commands.filter((c) => c.argv).map((c) => c.argv as string[]);
    const check = `${snap.routes.length} routes, ${snap.neigh.length} neigh, ${snap.fdb.length} fdb; ${programs.length} programs (${snap.commands.filter((c) => !c.ok).length} steps failed)`;
    console.log(`flanctl collect --netns: ${check}`);
    const ran = readFileSync(argvLog, 'utf8').split('\n').filter(Boolean);

    const raw4 = `ip netns exec ${q(ns)} sh -c 'ip -j route; ip -j neigh; bridge -j fdb; ip -j -d link'`;
    // the same programs collect ran, in one shell in the namespace (a failing step does not stop the others)
    const rawAll = `ip netns exec ${q(ns)} sh -c ${q(programs.map((a) => `${a.map(q).join(' ')} >/dev/null 2>&1`).join('; '))}`;
    const cmds: Record<string, string> = {
      'raw: 4 iproute2 commands': raw4,
      [`raw: the ${programs.length} programs collect ran`]: rawAll,
      'flanctl collect --netns': flanctl('collect', '--netns', ns, '-o', snapFile),
    };
    if (hasCommand('trace')) cmds['flanctl trace --netns'] = flanctl('trace', meta.traceTarget, '--netns', ns);
    const t = hyperfine(`collect-${peers}`, cmds, { warmup: 1, runs: QUICK ? 3 : 5, ignoreFailure: true });
    const base = t['raw: 4 iproute2 commands'].mean;
    console.log(`\nlive collection, ${peers} peers (target: collect ≤ 1.5× raw):`);
    for (const [label, x] of Object.entries(t)) console.log(`  ${label.padEnd(36)} ${ms(x.mean).padStart(8)} ± ${ms(x.stddev)}  ${ratio(x.mean, base)}`);
    record('collect', `n${peers}`, { peers, netns: ns, counts, programMs, check, programs: programs.map((a) => a.join(' ')), shimmed: ran, timings: t });
  }
}

runLive('collect', 'collect', measure);

