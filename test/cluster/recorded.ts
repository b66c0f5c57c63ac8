// A cluster directory written by the real `collect --all` path (collectCluster) from recorded outputs: each node
// answers the collect script with the files of its raw/<node>/ directory, framed as the remote script frames them
// (collect/frame.ts), exit 0 — or, for a file replaced by `{ rc, stderr }`, a step that failed there with no output.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectCluster } from '../../src/cluster/collect.js';
import type { Transport } from '../../src/cluster/transport.js';

/** A step that failed on the node: its exit status and the first line of its stderr. */
export interface Failed {
  rc: number;
  stderr: string;
}
export type RawFiles = Map<string, string | Failed>;

/** raw/<node>/ of a recorded cluster directory: node name -> file name -> text. */
export function readRaw(dir: string): Map<string, RawFiles> {
  const out = new Map<string, RawFiles>();
  for (const node of readdirSync(join(dir, 'raw')).sort()) {
    const files: RawFiles = new Map();
    for (const f of readdirSync(join(dir, 'raw', node)).sort()) files.set(f, readFileSync(join(dir, 'raw', node, f), 'utf8'));
    out.set(node, files);
  }
  return out;
}

function replay(raw: Map<string, RawFiles>): Transport {
  return {
    kind: 'ssh',
    nodes: async () => [...raw.keys()],
    runScript: async (node, _script, args) => ({
      stdout: [...(raw.get(node) ?? [])]
        .map(([file, out]) => {
          const [text, rc, err] = typeof out === 'string' ? [out.replace(/\n$/, ''), 0, ''] : ['', out.rc, out.stderr];
          return `\n@@flanctl-${args[0]} begin ${file}\n${text}\n@@flanctl-${args[0]} end ${file} ${rc} ${err}\n`;
        })
        .join(''),
      stderr: '',
      exitCode: 0,
    }),
    openScript: () => {
      throw new Error('not used by collect');
    },
  };
}

/** Write `outDir` as `collect --all -o outDir` would from these nodes' outputs. */
export async function collectRecorded(raw: Map<string, RawFiles>, outDir: string): Promise<void> {
  await collectCluster({ transport: replay(raw), outDir, parallel: 1, timeoutMs: 10_000, now: () => new Date(0) });
}
