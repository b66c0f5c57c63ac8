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
  `kernel ${release()}, ${sh(['ip', '-V'])}, ${sh(['hyperfine', '--version'])}; flanctl at ${sh(['git', 'rev-parse', '--short', 'HEAD'])}` +
  `${sh(['git', 'status', '--porcelain', '--untracked-files=no']) === '' ? '' : ' (+ uncommitted changes)'}, ${new Date().toISOString().slice(0, 16)}Z${QUICK ? ', BENCH_QUICK=1' : ''}`;
const summary: string[] = [];
const md: Record<string, string[]> = { startup: [], scale: [], collect: [], apply: [] };
const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;

// ---- start-up ----
const st = r.startup?.timings as Record<string, Timing> | undefined;
if (st) {
  const node = st['node -e 0'].mean;
  md.startup.push(row(['command', 'mean ms', '± ms', 'min ms', 'vs `node -e 0`']), row(['---', '---:', '---:', '---:', '---:']));
  for (const [label, t] of Object.entries(st)) {
    md.startup.push(row([`\`${label}\``, f(t.mean), f(t.stddev), f(t.min), x(t.mean, node)]));
    if (label !== 'node -e 0') summary.push(`start-up  ${label}: ${f(t.mean)} ms = ${x(t.mean, node)} node -e 0 — ${verdict(t.mean <= 2 * node, 'target ≤ 2×')}`);
  }
  const mods = r.startup?.modules as Record<string, { count: number; packages: string[]; forbiddenLoaded: string[] }> | undefined;
  if (mods) {
    md.startup.push('', 'Modules each command loads (`node --import ./bench/module-log.mjs bin/run.js …`):', '');
    for (const [label, m] of Object.entries(mods)) {
      md.startup.push(`- \`${label}\`: ${m.count} modules; packages ${m.packages.join(', ')}${m.forbiddenLoaded.length ? `; **loads ${m.forbiddenLoaded.join(', ')}**` : '; no other command\'s dependencies'}`);
      summary.push(`modules   ${label}: ${m.forbiddenLoaded.length ? `LOADS ${m.forbiddenLoaded.join(', ')}` : 'no other command\'s dependencies'}`);
    }
  }
}

// ---- scale ----
const sizes = Object.keys(r.scale ?? {}).filter((k) => /^n\d+$/.test(k)).map((k) => Number(k.slice(1))).sort((a, b) => a - b);
if (sizes.length) {
  const at = (n: number) => r.scale[`n${n}`] as Record<string, Timing & { check: string }>;
  const labels = Object.keys(at(sizes[0]));
  const perPeer = (n: number, label: string): number => (at(n)[label].mean - at(n)['flanctl --version'].mean) / n;
  md.scale.push(
    row(['command', ...sizes.map((n) => `N=${n} ms`), ...sizes.map((n) => `µs/peer N=${n}`), 'result check (largest N)']),
    row(['---', ...sizes.map(() => '---:'), ...sizes.map(() => '---:'), '---']),
  );
  for (const label of labels) {
    const isBase = label === 'flanctl --version';
    md.scale.push(row([
      `\`${label}\``,
      ...sizes.map((n) => `${f(at(n)[label].mean)} ± ${f(at(n)[label].stddev)}`),
      ...sizes.map((n) => (isBase ? '' : (perPeer(n, label) * 1e6).toFixed(1))),
      at(sizes.at(-1)!)[label].check || '',
    ]));
    if (isBase) continue;
    const [lo, hi] = sizes.slice(-2);
    if (lo !== undefined && hi !== undefined && lo !== hi) {
      const growth = perPeer(hi, label) / perPeer(lo, label);
      summary.push(`scale     ${label}: ${(perPeer(lo, label) * 1e6).toFixed(1)} → ${(perPeer(hi, label) * 1e6).toFixed(1)} µs/peer from N=${lo} to N=${hi} — ${verdict(growth <= 1.5, `linear: per-peer cost grows ${growth.toFixed(2)}× for ${hi / lo}× the peers; target ≤ 1.5×`)}`);
    }
    if (label.startsWith('trace') && at(5000)) {
      const t5 = at(5000)[label].mean;
      const v = at(5000)['flanctl --version'].mean;
      summary.push(`scale     ${label} at N=5000: ${f(t5)} ms = ${x(t5, v)} start-up — ${verdict(t5 <= 1.5 * v, 'target ≤ 1.5× flanctl --version')}`);
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

// ---- live collection / apply ----
interface Live { peers: number; check: string; timings: Record<string, Timing>; programs?: string[]; processes?: number; usesBatch?: boolean }
const liveTable = (section: string, live: Live, base: string, ratioOf: (t: Timing, b: Timing) => string, head: string): void => {
  md[section].push(row(['command', 'mean ms', '± ms', 'runs', head]), row(['---', '---:', '---:', '---:', '---:']));
  for (const [label, t] of Object.entries(live.timings)) md[section].push(row([label, f(t.mean), f(t.stddev), String(t.runs), ratioOf(t, live.timings[base])]));
  md[section].push('', `Check run: ${live.check}.`);
};
const col = r.collect?.result as Live | undefined;
if (col) {
  liveTable('collect', col, 'raw: 4 iproute2 commands', (t, b) => x(t.mean, b.mean), 'vs the 4 raw commands');
  md.collect.push('', `Programs collect ran: \`${(col.programs ?? []).join('`, `')}\`.`);
  const c = col.timings['flanctl collect --netns'];
  const raw4 = col.timings['raw: 4 iproute2 commands'];
  const rawAll = Object.entries(col.timings).find(([k]) => k.startsWith('raw: the '));
  summary.push(`collect   collect --netns, ${col.peers} peers: ${f(c.mean)} ms = ${x(c.mean, raw4.mean)} the 4 raw commands — ${verdict(c.mean <= 1.5 * raw4.mean, 'target ≤ 1.5×')}`);
  if (rawAll) summary.push(`collect   ... and ${x(c.mean, rawAll[1].mean)} ${rawAll[0].slice(5)} from one shell`);
  const tr = col.timings['flanctl trace --netns'];
  if (tr) summary.push(`collect   trace --netns, ${col.peers} peers: ${f(tr.mean)} ms`);
}
const ap = r.apply?.result as Live | undefined;
if (ap) {
  liveTable('apply', ap, 'shell loop of ip/bridge', (t, b) => `${(b.mean / t.mean).toFixed(1)}× faster`, 'vs the shell loop');
  const t = ap.timings['flanctl repair --apply'];
  const loop = ap.timings['shell loop of ip/bridge'];
  summary.push(`apply     repair --apply, ${ap.peers} peers: ${f(t.mean)} ms, ${(loop.mean / t.mean).toFixed(1)}× faster than the shell loop (${f(loop.mean)} ms) — ${verdict(loop.mean / t.mean >= 5, 'target ≥ 5×')}; ${ap.usesBatch ? 'uses' : 'does not use'} ip/bridge -batch (${ap.processes} ip/bridge processes)`);
}

console.log(`\n======== flanctl benchmarks — ${machine}`);
for (const line of summary) console.log(`  ${line}`);
const sections = Object.entries(md)
  .map(([name, lines]) => `<!-- section: ${name} -->\n${lines.length ? `Machine: ${machine}\n\n${lines.join('\n')}` : '(no results)'}\n`)
  .join('\n');
writeFileSync(join(OUT, 'benchmarks-sections.md'), `${sections}\nSummary:\n\n${summary.map((s) => `- ${s}`).join('\n')}\n`);
console.log(`\ntables for BENCHMARKS.md: ${join('bench', 'out', 'benchmarks-sections.md')}`);
