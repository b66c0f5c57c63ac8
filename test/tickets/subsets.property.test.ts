// Less input never adds a problem (DESIGN.md "three-valued verdicts"): any subset of a node's saved outputs yields no
// doctor finding and no trace problem that the full set does not yield. The node is the netns lab's healthy vxlan
// node (fixtures/doctor/vxlan-node1) with its desired state (vxlan-nodes.json), and the same without desired state.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { trace } from '../../src/analyze/trace.js';
import { loadFromDir } from '../../src/collect/index.js';
import { parseNodesText } from '../../src/leases/index.js';
import type { DesiredState, Snapshot } from '../../src/model/index.js';

const NODE = 'fixtures/doctor/vxlan-node1';
const tmp = mkdtempSync(join(tmpdir(), 'fct-subsets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// hostname.txt names the snapshot's node and stays in every subset
const files = readdirSync(NODE).filter((f) => f !== 'hostname.txt');
// a pod on each peer node and one on this node, from the lab's leases (10.244.2.0/24 and 10.244.3.0/24 remote,
// 10.244.1.0/24 local)
const DESTINATIONS = ['10.244.2.2', '10.244.3.2', '10.244.1.2'];

let n = 0;
async function load(subset: string[]): Promise<Snapshot> {
  const dir = join(tmp, `s${++n}`);
  mkdirSync(dir);
  for (const f of ['hostname.txt', ...subset]) cpSync(join(NODE, f), join(dir, f), { recursive: true });
  return (await loadFromDir(dir)).snapshot;
}

function problems(s: Snapshot, desired: DesiredState | undefined): Set<string> {
  const out = new Set(runDoctor({ snapshot: s, desired }).findings.map((f) => `doctor ${f.code}`));
  for (const ip of DESTINATIONS) for (const p of trace([s], ip, { desired }).problems) out.add(`trace ${ip} ${p}`);
  return out;
}

describe('any subset of a node\'s files', () => {
  it('yields no finding or trace problem the full set does not', async () => {
    const desired = await parseNodesText(readFileSync('fixtures/doctor/vxlan-nodes.json', 'utf8'));
    const full = await load(files);
    const expected = { with: problems(full, desired), without: problems(full, undefined) };
    await fc.assert(
      fc.asyncProperty(fc.subarray(files, { minLength: 1 }), async (subset) => {
        const s = await load(subset);
        for (const [name, d] of [['with', desired], ['without', undefined]] as const) {
          const extra = [...problems(s, d)].filter((p) => !expected[name].has(p));
          expect(extra, `${name} desired state, files ${subset.join(' ')}`).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
