// Benchmark 1: start-up. `flanctl --version` and `flanctl trace --help` against `node -e 0` (hyperfine), and which
// modules each command loads (bench/module-log.mjs): `trace` must not load the pcap decoder or the repair code.
// Target: start-up ≤ 2× `node -e 0`.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FLANCTL, OUT, QUICK, exec, flanctl, hasCommand, hyperfine, ms, ratio, record } from './lib.js';

/** Modules a command loaded, grouped: npm packages by name, our own dist/ files by path. */
export function loadedModules(args: string[]): { packages: string[]; dist: string[]; count: number; status: number } {
  const log = join(OUT, 'modules.log');
  rmSync(log, { force: true });
  const r = exec(['node', '--import', join(OUT, '..', 'module-log.mjs'), FLANCTL, ...args], {
    env: { ...process.env, FLANCTL_MODULE_LOG: log },
  });
  const urls = new Set(
    readFileSync(log, 'utf8').split('\n').filter(Boolean).map((u) => u.replace(/^cjs:/, '').replace(/^file:\/\//, '')),
  );
  const packages = new Set<string>();
  const dist = new Set<string>();
  for (const u of urls) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
    if (pkg) packages.add(pkg[1]);
    else if (u.includes('/dist/')) dist.add(u.slice(u.indexOf('/dist/') + 1));
  }
  return { packages: [...packages].sort(), dist: [...dist].sort(), count: urls.size, status: r.status };
}

// Whose code each command may not load (the dependency belongs to another command).
const FORBIDDEN: Record<string, RegExp> = {
  trace: /^(pcap-parser|dns-packet)$|^dist\/(pcap|repair)\//,
  // reading saved outputs runs no program: the live collector's execa (and its ~100 modules) should not load
  'trace --from-dir': /^(pcap-parser|dns-packet|execa)$|^dist\/(pcap|repair)\/|^dist\/collect\/(live|runner)\.js$/,
  '--version': /^(pcap-parser|dns-packet|execa|cli-table3|zod)$|^dist\/(pcap|repair|analyze|collect|parse)\//,
};

function main(): void {
  const cmds: Record<string, string> = { 'node -e 0': 'node -e 0', 'flanctl --version': flanctl('--version') };
  if (hasCommand('trace')) cmds['flanctl trace --help'] = flanctl('trace', '--help');
  const t = hyperfine('startup', cmds, { warmup: 3, runs: QUICK ? 5 : 30 });
  record('startup', 'timings', t);

  const base = t['node -e 0'].mean;
  console.log('\nstart-up (target ≤ 2× node -e 0):');
  for (const [label, x] of Object.entries(t)) console.log(`  ${label.padEnd(22)} ${ms(x.mean).padStart(8)} ± ${ms(x.stddev)}  ${ratio(x.mean, base)}`);

  const modules: Record<string, unknown> = {};
  const checks: { args: string[]; forbid: RegExp }[] = [{ args: ['--version'], forbid: FORBIDDEN['--version'] }];
  if (hasCommand('trace')) {
    checks.push({ args: ['trace', '--help'], forbid: FORBIDDEN.trace });
    const s5k = join(OUT, 'scale', 'n5000');
    const meta = JSON.parse(readFileSync(join(s5k, 'meta.json'), 'utf8')) as { traceTarget: string };
    checks.push({ args: ['trace', meta.traceTarget, '--from-dir', join(s5k, 'from-dir')], forbid: FORBIDDEN['trace --from-dir'] });
  }
  console.log('\nmodules loaded:');
  for (const c of checks) {
    const m = loadedModules(c.args);
    const bad = [...m.packages, ...m.dist].filter((x) => c.forbid.test(x));
    const label = `flanctl ${c.args.map((a) => (a.includes('/') ? a.replace(/.*\/bench\/out\//, 'bench/out/') : a)).join(' ')}`;
    modules[label] = { ...m, forbiddenLoaded: bad };
    console.log(`  ${label}: ${m.count} modules; packages: ${m.packages.join(', ')}${bad.length ? `; SHOULD NOT LOAD: ${bad.join(', ')}` : ''}`);
  }
  record('startup', 'modules', modules);
}

main();
