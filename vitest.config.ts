import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { defineConfig } from 'vitest/config';

// Two kinds of test file. A *system* file builds kernel state or needs root: it uses test/netns/lab.ts (Lab,
// canUseNetns, isRoot) or describeNetns, itself or through a test helper it imports (sshd, the flannel cluster,
// the hidden-node binary...). Two system files never run at once: they would contend for namespaces, ports and
// the CPU their timings assume. Every other file is a *unit* file (parsers, analysis, rendering, the CLI on
// saved outputs) and runs beside the others. The rule reads the files, so a new suite is classified by what it
// uses, not by a list.
const SYSTEM_MARK = /\b(Lab|canUseNetns|isRoot|describeNetns)\b/;

function classify(): { system: string[]; unit: string[] } {
  const text = new Map<string, string>();
  for (const f of readdirSync('test', { recursive: true, encoding: 'utf8' })) {
    if (f.endsWith('.ts')) text.set(join('test', f), readFileSync(join('test', f), 'utf8'));
  }
  const helpers = (file: string): string[] =>
    [...text.get(file)!.matchAll(/from '(\.[^']+)\.js'/g)]
      .map((m) => normalize(join(dirname(file), `${m[1]}.ts`)))
      .filter((p) => text.has(p) && p !== join('test', 'netns', 'needs.ts'));
  const isSystem = (file: string, seen: Set<string>): boolean => {
    if (seen.has(file)) return false;
    seen.add(file);
    return SYSTEM_MARK.test(text.get(file)!) || helpers(file).some((h) => isSystem(h, seen));
  };
  const tests = [...text.keys()].filter((f) => f.endsWith('.test.ts')).sort();
  const system = tests.filter((f) => isSystem(f, new Set()));
  return { system, unit: tests.filter((f) => !system.includes(f)) };
}

const { system, unit } = classify();

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      // unit files first, in parallel; then system files one at a time, after every unit file has finished.
      // vitest's default is one worker less than the cores: one on a 2-core CI runner, where many unit files
      // wait on a CLI they spawned, so at least two.
      { extends: true, test: { name: 'unit', include: unit, maxWorkers: Math.max(2, availableParallelism()), sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'system', include: system, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
