// Benchmark 2: scale. For N = 500, 5,000, 50,000 remote leases (bench/gen-state.ts, 1 % of peers missing and one
// stale triplet so doctor/repair have work), time trace (from a --from-dir directory and from a snapshot), whohas,
// doctor and repair (plan only) with hyperfine, next to `flanctl --version` in the same run. Growth must be linear:
// the cost per peer above start-up, (t(N) − t(--version)) / N, must stay flat as N grows ×10.
// Target: trace on 5,000 peers ≤ 1.5× start-up (`flanctl --version`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeState } from './gen-state.js';
import { FLANCTL, OUT, QUICK, exec, flanctl, hasCommand, hyperfine, ms, record, type Timing } from './lib.js';

export const SIZES = (process.env.BENCH_SIZES ?? '500 5000 50000').split(/\s+/).filter(Boolean).map(Number);

export function stateDir(n: number): string {
  return join(OUT, 'scale', `n${n}`);
}

/** Generate the state for every size (also used by startup.ts, collect.ts and apply.ts). */
export function generateAll(sizes: number[] = SIZES): void {
  for (const n of sizes) writeState(stateDir(n), { peers: n, missing: Math.max(1, Math.round(n / 100)), stale: 1 });
}

type Meta = ReturnType<typeof writeState>;

interface Case {
  command: string;
  args: (dir: string, meta: Meta) => string[];
  /** check one --json run: a short string describing what it found, or throw */
  check: (doc: Record<string, unknown>, meta: Meta) => string;
}

const CASES: Record<string, Case> = {
  'trace (from-dir)': {
    command: 'trace',
    args: (d, m) => ['trace', m.traceTarget, '--from-dir', join(d, 'from-dir')],
    check: (doc, m) => {
      const target = doc.targetNode as { ip?: string } | undefined;
      if (doc.ok !== true || target?.ip !== m.traceNode.ip) throw new Error(`trace: expected ok via ${m.traceNode.ip}, got ${JSON.stringify(doc).slice(0, 200)}`);
      return `ok via ${target.ip}`;
    },
  },
  'trace (snapshot)': {
    command: 'trace',
    args: (d, m) => ['trace', m.traceTarget, '--snapshot', join(d, 'snapshot.json')],
    check: (doc, m) => CASES['trace (from-dir)'].check(doc, m),
  },
  'trace (from-dir + nodes.json)': {
    command: 'trace',
    args: (d, m) => ['trace', m.traceTarget, '--from-dir', join(d, 'from-dir'), '--nodes', join(d, 'nodes.json')],
    check: (doc, m) => CASES['trace (from-dir)'].check(doc, m),
  },
  whohas: {
    command: 'whohas',
    args: (d, m) => ['whohas', m.whohasMac, '--from-dir', join(d, 'from-dir')],
    check: (doc) => {
      const owners = doc.owners as unknown[];
      if (!Array.isArray(owners) || owners.length === 0) throw new Error(`whohas: no owner found: ${JSON.stringify(doc).slice(0, 200)}`);
      return `${owners.length} owner(s)`;
    },
  },
  doctor: {
    command: 'doctor',
    args: (d) => ['doctor', '--from-dir', join(d, 'from-dir'), '--nodes', join(d, 'nodes.json')],
    check: (doc, m) => {
      const findings = doc.findings as unknown[];
      if (doc.ok !== false || !Array.isArray(findings) || findings.length === 0) throw new Error(`doctor: expected findings for ${m.missing.length} missing peers`);
      return `${findings.length} findings (${m.missing.length} peers missing, ${m.stale.length} stale)`;
    },
  },
  'repair (plan)': {
    command: 'repair',
    args: (d) => ['repair', '--from-dir', join(d, 'from-dir'), '--nodes', join(d, 'nodes.json')],
    check: (doc, m) => {
      const actions = doc.actions as unknown[];
      if (doc.applied !== false || !Array.isArray(actions) || actions.length < 3 * m.missing.length)
        throw new Error(`repair: expected ≥ ${3 * m.missing.length} actions, got ${JSON.stringify(doc).slice(0, 200)}`);
      return `${actions.length} actions planned`;
    },
  },
  // the same plan without the human table (src/render/table.ts -> cli-table3, whose layout is quadratic in rows)
  'repair (plan) --json': {
    command: 'repair',
    args: (d) => ['repair', '--from-dir', join(d, 'from-dir'), '--nodes', join(d, 'nodes.json'), '--json'],
    check: (doc, m) => CASES['repair (plan)'].check(doc, m),
  },
};

function main(): void {
  const available = Object.entries(CASES).filter(([, c]) => hasCommand(c.command));
  const missingCmds = [...new Set(Object.values(CASES).map((c) => c.command))].filter((c) => !hasCommand(c));
  record('scale', 'notMeasured', missingCmds.map((c) => `${c}: command not in this build`));
  const rows: Record<string, Record<string, Timing & { check: string }>> = {};
  for (const n of SIZES) {
    const dir = stateDir(n);
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta;
    const cmds: Record<string, string> = { 'flanctl --version': flanctl('--version') };
    const checks: Record<string, string> = {};
    for (const [label, c] of available) {
      // one checked --json run first: a fast wrong answer is not a result
      const args = c.args(dir, meta);
      const r = exec([FLANCTL, ...args, ...(args.includes('--json') ? [] : ['--json'])]);
      try {
        checks[label] = c.check(JSON.parse(r.stdout) as Record<string, unknown>, meta);
      } catch (e) {
        checks[label] = `CHECK FAILED (exit ${r.status}): ${e instanceof Error ? e.message : String(e)} ${r.stderr.slice(0, 200)}`;
      }
      cmds[label] = flanctl(...c.args(dir, meta));
    }
    console.log(`\n== N = ${n} peers ==`);
    const t = hyperfine(`scale-${n}`, cmds, { warmup: 0, runs: QUICK ? 2 : n >= 50_000 ? 3 : 5, ignoreFailure: true });
    rows[n] = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { ...v, check: checks[k] ?? '' }]));
    record('scale', `n${n}`, rows[n]);
  }
  console.log('\nscale: mean time, and cost per peer above start-up ((t − t(--version)) / N):');
  for (const label of ['flanctl --version', ...available.map(([l]) => l)]) {
    const cells = SIZES.map((n) => {
      const x = rows[n][label];
      const perPeer = label === 'flanctl --version' ? '' : ` (${(((x.mean - rows[n]['flanctl --version'].mean) / n) * 1e6).toFixed(1)} µs/peer)`;
      return `N=${n}: ${ms(x.mean)}${perPeer}`;
    });
    console.log(`  ${label.padEnd(18)} ${cells.join('  ')}`);
  }
  for (const [label] of available) for (const n of SIZES) if (rows[n][label].check.startsWith('CHECK FAILED')) console.log(`  ${label} N=${n}: ${rows[n][label].check}`);
}

if (process.argv[2] === 'generate') generateAll();
else main();
