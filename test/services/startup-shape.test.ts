// What a read-only command evaluates at start-up (issue 15): a bundle (scripts/sea.sh's esbuild CommonJS) evaluates
// every statically imported module when it loads; the target of a dynamic import() only when that line runs. The
// module graph comes from esbuild's metafile, not from our code: the services of trace, whohas, show, pod-veth and
// doctor on pasted files or a snapshot, with their renderers, must not statically reach execa (live and cluster
// runs), yaml (YAML inputs), @oclif/core (the command layer) or node:fs/promises (writing files); nor the schemas
// only a snapshot file or a desired-state source needs (the Snapshot schema, the lease and net-conf schemas, the
// kube and etcd readers), nor the readers of saved outputs (from-dir.ts and the parsers it loads for --from-dir).
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const READ_ONLY: Record<string, string[]> = {
  trace: ['src/services/trace.ts', 'src/render/trace.ts'],
  whohas: ['src/services/whohas.ts', 'src/render/whohas.ts'],
  show: ['src/services/show.ts', 'src/render/state-tables.ts'],
  'pod-veth': ['src/services/pod-veth.ts', 'src/render/pod-veth.ts'],
  doctor: ['src/services/doctor.ts', 'src/render/doctor.ts'],
};
const NOT_AT_START = ['execa', 'yaml', '@oclif/core'];
const NOT_AT_START_MODULES = ['src/model/snapshot.ts', 'src/model/lease-schema.ts', 'src/leases/kube.ts', 'src/leases/etcd.ts', 'src/leases/nodes-text.ts', 'src/collect/snapshot-file.ts', 'src/collect/from-dir.ts', 'src/parse/detect.ts'];

let meta: Metafile;

/** Every module `entries` evaluate when loaded: imports followed except dynamic ones; built-ins as `node:…`. */
function evaluatedAtLoad(entries: string[]): Set<string> {
  const seen = new Set<string>(entries);
  const todo = [...entries];
  while (todo.length > 0) {
    for (const i of meta.inputs[todo.pop()!]?.imports ?? []) {
      if (i.kind === 'dynamic-import' || seen.has(i.path)) continue;
      seen.add(i.path);
      if (!i.external) todo.push(i.path);
    }
  }
  return seen;
}

const packageOf = (path: string): string | undefined => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];

describe('start-up of the read-only commands', () => {
  beforeAll(async () => {
    const r = await build({
      entryPoints: Object.values(READ_ONLY).flat().map((e) => join(ROOT, e)),
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      outdir: 'out',
      metafile: true,
      logLevel: 'silent',
    });
    meta = r.metafile;
  });

  it('the graph holds execa, yaml and those modules behind a dynamic import (so their absence below means something)', () => {
    const packages = new Set(Object.keys(meta.inputs).map(packageOf));
    expect(packages).toContain('execa');
    expect(packages).toContain('yaml');
    for (const m of NOT_AT_START_MODULES) expect(Object.keys(meta.inputs)).toContain(m);
    for (const entries of Object.values(READ_ONLY)) for (const e of entries) expect(Object.keys(meta.inputs)).toContain(e);
  });

  for (const [command, entries] of Object.entries(READ_ONLY)) {
    it(`${command}: loads none of ${NOT_AT_START.join(', ')}, nor node:fs/promises`, () => {
      const loaded = evaluatedAtLoad(entries);
      const heavy = [...loaded].filter((p) => NOT_AT_START.includes(packageOf(p) ?? ''));
      expect(heavy).toEqual([]);
      expect(loaded).not.toContain('node:fs/promises');
      expect(NOT_AT_START_MODULES.filter((m) => loaded.has(m))).toEqual([]);
      // the walk did follow static imports: zod (the model's schemas) is evaluated at load
      expect([...loaded].some((p) => packageOf(p) === 'zod')).toBe(true);
    });
  }
});
