// Summary of a bench run: every ratio against its target (printed), and the tables for BENCHMARKS.md
// (bench/out/benchmarks-sections.md, one block per <!-- section: NAME --> marker), from bench/out/results.json.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { OUT, QUICK, ROOT, readResults, type Timing } from './lib.js';

const r = readResults();
const f = (s: number): string => (s * 1000).toFixed(s < 0.1 ? 1 : 0);
const x = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
const verdict = (ok: boolean, text: string): string => `${ok ? 'MET' : 'MISSED'} (${text})`;
const sh = (argv: string[]): string => {
  try {
    return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: ROOT }).trim().split('\n')[0];
  } catch {
    return '?';
  }
};

const machine =
  `${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
  `kernel ${release()}, ${sh(['ip', '-V'])}, ${sh(['hyperfine', '--version'])}; ` +
  `flanctl at ${process.env.BENCH_REV ?? sh(['git', 'rev-parse', '--short', 'HEAD'])}, run started ${process.env.BENCH_STARTED ?? '?'}${QUICK ? ', BENCH_QUICK=1' : ''}`;
const loads = JSON.stringify(r).match(/"load":[0-9.]+/g)?.map((m) => Number(m.slice(7))) ?? [];
const loadText = loads.length ? `; 1-min load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the runs` : '';
const summary: string[] = [];
const md: Record<string, string[]> = { startup: [], scale: [], collect: [], apply: [] };
const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;

// ---- start-up ----
const st = r.startup?.timings as Record<string, Timing> | undefined;
if (st) {
  const node = st['node -e 0'].mean;
  const nodeCpu = st['node -e 0'].cpu;
  md.startup.push(row(['command', 'wall ms', '± ms', 'min ms', 'CPU ms', 'wall vs `node -e 0`', 'CPU vs `node -e 0`']), row(['---', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const [label, t] of Object.entries(st)) {
    md.startup.push(row([`\`${label}\``, f(t.mean), f(t.stddev), f(t.min), f(t.cpu), x(t.mean, node), x(t.cpu, nodeCpu)]));
    if (label !== 'node -e 0') summary.push(`start-up  ${label}: ${f(t.mean)} ms = ${x(t.mean, node)} node -e 0 (CPU ${x(t.cpu, nodeCpu)}) — ${verdict(t.mean <= 2 * node, 'target ≤ 2×')}`);
  }
  const mods = r.startup?.modules as Record<string, { count: number; packages: string[]; forbiddenLoaded: string[] }> | undefined;
  if (mods) {
    md.startup.push('', 'Modules each command loads (`node --import ./bench/module-log.mjs bin/run.js …`):', '');
    const basePkgs = new Set(Object.values(mods)[0]?.packages ?? []);
    for (const [i, [label, m]] of Object.entries(mods).entries()) {
      const pkgs = i === 0 ? m.packages : m.packages.filter((p) => !basePkgs.has(p));
      md.startup.push(`- \`${label}\`: ${m.count} modules; packages ${i === 0 ? '' : 'beyond `--version`\'s: '}${pkgs.join(', ') || 'none'}${m.forbiddenLoaded.length ? `; **loads ${m.forbiddenLoaded.join(', ')}**` : '; no other command\'s dependencies'}`);
      summary.push(`modules   ${label}: ${m.forbiddenLoaded.length ? `LOADS ${m.forbiddenLoaded.join(', ')}` : 'no other command\'s dependencies'}`);
    }
  }
}

// ---- scale ----
const sizes = Object.keys(r.scale ?? {}).filter((k) => /^n\d+$/.test(k)).map((k) => Number(k.slice(1))).sort((a, b) => a - b);
if (sizes.length) {
  const at = (n: number) => r.scale[`n${n}`] as Record<string, Timing & { check: string }>;
  const labels = Object.keys(at(sizes[0]));
  // CPU, not wall: the shared machine's load moves wall times by ±30 %
  const perPeer = (n: number, label: string): number => (at(n)[label].cpu - at(n)['flanctl --version'].cpu) / n;
  md.scale.push(
    row(['command', ...sizes.map((n) => `N=${n} wall ms (CPU ms)`), ...sizes.map((n) => `CPU µs per peer above start-up, N=${n}`), 'result check (largest N)']),
    row(['---', ...sizes.map(() => '---:'), ...sizes.map(() => '---:'), '---']),
  );
  for (const label of labels) {
    const isBase = label === 'flanctl --version';
    md.scale.push(row([
      `\`${label}\``,
      ...sizes.map((n) => `${f(at(n)[label].mean)} ± ${f(at(n)[label].stddev)} (CPU ${f(at(n)[label].cpu)})`),
      ...sizes.map((n) => (isBase ? '' : (perPeer(n, label) * 1e6).toFixed(1))),
      at(sizes.at(-1)!)[label].check || '',
    ]));
    if (isBase) continue;
    // Linear: the CPU per peer above start-up, (cpu(N) − cpu(--version)) / N, does not grow from the second-largest
    // to the largest N (a fixed cost makes it fall; a quadratic term makes it grow ~10× per 10× peers).
    // The marginal cost per added peer between consecutive sizes is printed too (noisy at small N).
    if (sizes.length >= 2) {
      const cpuPerPeer = (n: number): number => (at(n)[label].cpu - at(n)['flanctl --version'].cpu) / n;
      const [b, c] = sizes.slice(-2);
      const growth = cpuPerPeer(c) / cpuPerPeer(b);
      const slopes = sizes.slice(1).map((n, i) => `${(((at(n)[label].cpu - at(sizes[i])[label].cpu) / (n - sizes[i])) * 1e6).toFixed(1)} (N ${sizes[i]}→${n})`);
      summary.push(
        `scale     ${label}: CPU per peer above start-up ${(cpuPerPeer(b) * 1e6).toFixed(1)} µs (N=${b}) → ${(cpuPerPeer(c) * 1e6).toFixed(1)} µs (N=${c}); ` +
          `marginal µs/peer ${slopes.join(', ')} — ${verdict(growth <= 1.5, `linear: per-peer cost ×${growth.toFixed(2)} for ×${c / b} peers; target ≤ 1.5, quadratic ≈ ${c / b}`)}`,
      );
    }
    if (label.startsWith('trace') && at(5000)) {
      const t5 = at(5000)[label].mean;
      const v = at(5000)['flanctl --version'].mean;
      const c5 = at(5000)[label].cpu / at(5000)['flanctl --version'].cpu;
      summary.push(`scale     ${label} at N=5000: ${f(t5)} ms = ${x(t5, v)} start-up (CPU ${c5.toFixed(2)}×) — ${verdict(t5 <= 1.5 * v, 'target ≤ 1.5× flanctl --version')}`);
    }
  }
}
for (const [section, value] of Object.entries(r)) {
  const nm = (value as { notMeasured?: string | string[] }).notMeasured;
  const list = nm === undefined ? [] : Array.isArray(nm) ? nm : [nm];
  for (const reason of list) {
    summary.push(`${section.padEnd(9)} not measured: ${reason}`);
    md[section]?.push('', `Not measured: ${reason}.`);
  }
}

// ---- live collection / apply (one result per peer count; the largest is the headline) ----
interface Live { peers: number; check: string; timings: Record<string, Timing>; programs?: string[]; processes?: number; usesBatch?: boolean }
const liveRuns = (section: string): Live[] =>
  Object.entries(r[section] ?? {}).filter(([k]) => /^n\d+$/.test(k)).map(([, v]) => v as Live).sort((a, b) => a.peers - b.peers);
const liveTable = (section: string, runs: Live[], base: string, ratioOf: (a: number, b: number) => string, head: string): void => {
  md[section].push(row(['peers', 'command', 'wall ms', '± ms', 'CPU ms', 'runs', `${head} (wall)`, `${head} (CPU)`]), row(['---:', '---', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const live of runs) {
    const b = live.timings[base];
    for (const [label, t] of Object.entries(live.timings)) md[section].push(row([String(live.peers), label, f(t.mean), f(t.stddev), f(t.cpu), String(t.runs), b ? ratioOf(t.mean, b.mean) : '', b ? ratioOf(t.cpu, b.cpu) : '']));
  }
  md[section].push('', ...runs.map((l) => `Check run, ${l.peers} peers: ${l.check}.`));
};
/** Linear in N: the command's CPU per peer above start-up does not grow from the smaller to the larger peer count. */
const liveGrowth = (section: string, runs: Live[], label: string): void => {
  const start = st?.['flanctl --version']?.cpu;
  if (runs.length < 2 || start === undefined) return;
  const [a, b] = [runs.at(-2)!, runs.at(-1)!];
  const per = (l: Live): number => (l.timings[label].cpu - start) / l.peers;
  const marginal = (b.timings[label].cpu - a.timings[label].cpu) / (b.peers - a.peers);
  summary.push(`${section.padEnd(9)} ${label}: CPU per peer above start-up ${(per(a) * 1e6).toFixed(1)} µs (${a.peers}) → ${(per(b) * 1e6).toFixed(1)} µs (${b.peers}), marginal ${(marginal * 1e6).toFixed(1)} µs/peer — ${verdict(per(b) <= 1.5 * per(a), `linear: ×${(per(b) / per(a)).toFixed(2)} for ×${(b.peers / a.peers).toFixed(0)} peers`)}`);
};
const cols = liveRuns('collect');
const col = cols.at(-1);
if (col) {
  liveTable('collect', cols, 'raw: 4 iproute2 commands', x, 'vs the 4 raw commands');
  md.collect.push('', `Programs collect ran: \`${(col.programs ?? []).join('`, `')}\`.`);
  const c = col.timings['flanctl collect --netns'];
  const raw4 = col.timings['raw: 4 iproute2 commands'];
  const rawAll = Object.entries(col.timings).find(([k]) => k.startsWith('raw: the '));
  summary.push(`collect   collect --netns, ${col.peers} peers: ${f(c.mean)} ms = ${x(c.mean, raw4.mean)} the 4 raw commands (CPU ${x(c.cpu, raw4.cpu)}) — ${verdict(c.mean <= 1.5 * raw4.mean, 'target ≤ 1.5×')}`);
  if (rawAll) summary.push(`collect   ... and ${x(c.mean, rawAll[1].mean)} ${rawAll[0].slice(5)} from one shell`);
  const tr = col.timings['flanctl trace --netns'];
  if (tr) summary.push(`collect   trace --netns, ${col.peers} peers: ${f(tr.mean)} ms`);
  liveGrowth('collect', cols, 'flanctl collect --netns');
}
const aps = liveRuns('apply');
const ap = aps.at(-1);
if (ap) {
  liveTable('apply', aps, 'shell loop of ip/bridge', (a, b) => `${(b / a).toFixed(1)}× faster`, 'vs the shell loop');
  const t = ap.timings['flanctl repair --apply'];
  const loop = ap.timings['shell loop of ip/bridge'];
  summary.push(`apply     repair --apply, ${ap.peers} peers: ${f(t.mean)} ms, ${(loop.mean / t.mean).toFixed(1)}× faster than the shell loop (${f(loop.mean)} ms) — ${verdict(loop.mean / t.mean >= 5, 'target ≥ 5×')}; ${ap.usesBatch ? 'uses' : 'does not use'} ip/bridge -batch (${ap.processes} ip/bridge processes)`);
  const tj = ap.timings['flanctl repair --apply --json'];
  if (tj) summary.push(`apply     repair --apply --json (no plan table): ${f(tj.mean)} ms, ${(loop.mean / tj.mean).toFixed(1)}× faster than the shell loop — ${verdict(loop.mean / tj.mean >= 5, 'target ≥ 5×')}`);
  liveGrowth('apply', aps, 'flanctl repair --apply');
}

console.log(`\n======== flanctl benchmarks — ${machine}${loadText}`);
for (const line of summary) console.log(`  ${line}`);
// each section ends with its own verdict lines
const sectionOf = (line: string): string => (/^(start-up|modules)/.test(line) ? 'startup' : line.split(' ')[0]);
for (const [name, lines] of Object.entries(md)) {
  const verdicts = summary.filter((l) => sectionOf(l) === name);
  if (verdicts.length) lines.push('', 'Verdicts (bench/report.ts):', '', ...verdicts.map((l) => `- ${l.replace(/^(start-up|scale|collect|apply)\s+/, '').replace(/^modules\s+/, 'modules: ')}`));
}
const sections = Object.entries(md)
  .map(([name, lines]) => `<!-- section: ${name} -->\n${lines.length ? `Machine: ${machine}${loadText}\n\n${lines.join('\n')}` : '(no results)'}\n`)
  .join('\n');
writeFileSync(join(OUT, 'benchmarks-sections.md'), `${sections}\nSummary:\n\n${summary.map((s) => `- ${s}`).join('\n')}\n`);
console.log(`\ntables for BENCHMARKS.md: ${join('bench', 'out', 'benchmarks-sections.md')}`);
