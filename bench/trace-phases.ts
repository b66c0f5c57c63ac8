// Benchmark: where a trace at 5,000 peers spends its time above the seed trace (issue 15 item 4), phase by phase, in
// a cold process as the binary runs it (every function runs for the first time). Each run is a fresh `node` that
// imports the built modules (dist/, `npm run build`), then times reading and checking the input, the trace and the
// table: from a snapshot, from saved outputs, and the 10-peer seed trace beside them; and the 5k snapshot only read and
// parsed (JSON.parse), the floor under any trace of it. Medians of N runs (wall ms, and the process's CPU ms for the
// whole of them). Needs `node --import tsx bench/scale.ts generate` first.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OUT, QUICK, ROOT } from './lib.js';

const DIST = pathToFileURL(join(ROOT, 'dist')).href;
const SCALE5K = join(OUT, 'scale', 'n5000');

// one cold run: the phases of `trace IP --snapshot FILE` or `trace IP --from-dir DIR`, as src/services/state.ts runs them
const child = `
import { performance } from 'node:perf_hooks';
const [mode, path, ip] = process.argv.slice(1);
const { readInputFile } = await import('${DIST}/collect/input.js');
const { parseSnapshotJson } = await import('${DIST}/collect/snapshot-file.js');
const { loadSources } = await import('${DIST}/collect/index.js');
const { trace } = await import('${DIST}/analyze/trace.js');
const { renderTrace } = await import('${DIST}/render/trace.js');
const t = {};
const c0 = process.cpuUsage();
let t0 = performance.now();
const lap = (k) => { const n = performance.now(); t[k] = n - t0; t0 = n; };
let snap;
if (mode === 'json') {
  // the floor under any trace of the file: its bytes read and parsed, nothing checked, indexed or traced
  const text = await readInputFile(path, 'snapshot'); lap('read');
  JSON.parse(text); lap('JSON.parse alone');
  const c = process.cpuUsage(c0);
  t['CPU (all phases)'] = (c.user + c.system) / 1000;
  console.log(JSON.stringify(t));
  process.exit(0);
}
if (mode === 'snapshot') {
  const text = await readInputFile(path, 'snapshot'); lap('read');
  snap = parseSnapshotJson(text, path); lap('JSON.parse + validation');
} else {
  snap = (await loadSources(path, {})).nodes[0].snapshot; lap('read, recognise, parse, assemble');
}
const r = trace([snap], ip); lap('trace');
renderTrace(r, {}); lap('table');
const c = process.cpuUsage(c0);
t['CPU (all phases)'] = (c.user + c.system) / 1000;
console.log(JSON.stringify(t));
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function phases(mode: string, path: string, ip: string, runs: number): Record<string, number> {
  const rows: Record<string, number>[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('node', ['--input-type=module', '-e', child, mode, path, ip], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`phases ${mode} ${path}: ${r.stderr.slice(-500)}`);
    rows.push(JSON.parse(r.stdout) as Record<string, number>);
  }
  return Object.fromEntries(Object.keys(rows[0]).map((k) => [k, median(rows.map((row) => row[k]))]));
}

function main(): void {
  if (!existsSync(join(SCALE5K, 'meta.json'))) throw new Error('no 5,000-peer state: node --import tsx bench/scale.ts generate');
  const target = (JSON.parse(readFileSync(join(SCALE5K, 'meta.json'), 'utf8')) as { traceTarget: string }).traceTarget;
  const runs = QUICK ? 5 : 15;
  const cases: [string, string, string, string][] = [
    ['seed trace (k8snode028, saved outputs)', 'dir', join(ROOT, 'fixtures/nodes/k8snode028'), '10.27.13.5'],
    ['trace 5k (snapshot)', 'snapshot', join(SCALE5K, 'snapshot.json'), target],
    ['5k snapshot read and JSON.parse only (no trace)', 'json', join(SCALE5K, 'snapshot.json'), target],
    ['trace 5k (saved outputs)', 'dir', join(SCALE5K, 'from-dir'), target],
  ];
  console.log(`cold-process phases, medians of ${runs} runs (ms)\n`);
  for (const [label, mode, path, ip] of cases) {
    const p = phases(mode, path, ip, runs);
    console.log(`${label}: ${Object.entries(p).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
  }
}

main();
