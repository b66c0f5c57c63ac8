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
// hostname.txt names the node (so its own lease is found) and stays in every subset
const files = readdirSync(NODE).filter((f) => f !== 'hostname.txt');
// a pod on the peer node and one on this node, from the lab's leases (10.244.2.0/24 remote, 10.244.1.0/24 local)
const DESTINATIONS = ['10.244.2.2', '10.244.1.2'];

// findings absent data still makes (issue 11 item 4, the peer-state work), each with a subset that shows it (found by
// this property). Remove an entry when its fix lands and the property guards it.
const KNOWN_ITEM4 = new Set<string>([
  // hostname.txt + kernel.txt: no addresses, no subnet.env, so the node's own lease cannot be matched
  'doctor LOCAL_LEASE_NOT_FOUND',
  // files ip-route.txt, iptables-save.txt
  'doctor LEASE_SUBNET_OVERLAPS_NODE',
  // files pods,sysctl.txt
  'doctor POD_VETH_MISSING',
  // files ip-route.txt,pods
  'trace 10.244.1.2 POD_NOT_FOUND',
  // files ip-link.txt,ip-neigh.txt,iptables-save.txt
  'doctor NEIGH_MISSING',
  // files bridge-fdb.txt,ip-link.txt,pods
  'doctor FDB_MISSING',
  // files ip-addr.txt,ip-route.txt,kernel.txt
  'trace 10.244.1.2 ROUTE_WRONG_DEV',
]);

// the per-peer codes: without desired state they come only from the self-consistency check, which is excepted nothing
const PER_PEER = new Set(['doctor NEIGH_MISSING', 'doctor FDB_MISSING']);

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
          const extra = [...problems(s, d)].filter((p) => !expected[name].has(p) && !(KNOWN_ITEM4.has(p) && (name === 'with' || !PER_PEER.has(p))));
          expect(extra, `${name} desired state, files ${subset.join(' ')}`).toEqual([]);
        }
      }),
      { numRuns: 40 },
    );
  });
});
