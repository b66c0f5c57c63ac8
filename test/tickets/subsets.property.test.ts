// Less input never adds a problem (DESIGN.md "three-valued verdicts"): any subset of a node's saved outputs yields no
// doctor finding and no trace problem that the full set does not yield. The node is the netns lab's healthy vxlan
// node (fixtures/doctor/vxlan-node1) with its desired state (vxlan-nodes.json), the same without desired state, and with
// a hostile lease added: node9's subnet is node1's underlay 192.168.56.0/24 (refused on node1: it overlaps eth0's
// address and connected route, and lies outside FLANNEL_NETWORK). Without all three, node1 cannot tell it from a peer.
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
// 10.244.1.0/24 local), and an address in the hostile lease
const DESTINATIONS = ['10.244.2.2', '10.244.3.2', '10.244.1.2', '192.168.56.5'];

let n = 0;
async function load(subset: string[]): Promise<Snapshot> {
  const dir = join(tmp, `s${++n}`);
  mkdirSync(dir);
  for (const f of ['hostname.txt', ...subset]) cpSync(join(NODE, f), join(dir, f), { recursive: true });
  return (await loadFromDir(dir)).snapshot;
}

/** node9: a vxlan node whose podCIDR is node1's underlay network, as a kubectl Node item. */
function withHostileLease(json: string): string {
  const doc = JSON.parse(json);
  const annotations = {
    'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
    'flannel.alpha.coreos.com/backend-type': 'vxlan',
    'flannel.alpha.coreos.com/public-ip': '192.168.56.19',
    'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"02:00:00:00:00:09"}',
  };
  doc.items.push({ kind: 'Node', metadata: { name: 'node9', annotations }, spec: { podCIDR: '192.168.56.0/24' } });
  return JSON.stringify(doc);
}

function problems(s: Snapshot, desired: DesiredState | undefined): Set<string> {
  const out = new Set(runDoctor({ snapshot: s, desired }).findings.map((f) => `doctor ${f.code}`));
  for (const ip of DESTINATIONS) for (const p of trace([s], ip, { desired }).problems) out.add(`trace ${ip} ${p}`);
  return out;
}

describe('any subset of a node\'s files', () => {
  it('yields no finding or trace problem the full set does not', async () => {
    const nodes = readFileSync('fixtures/doctor/vxlan-nodes.json', 'utf8');
    const desired = await parseNodesText(nodes);
    const hostile = await parseNodesText(withHostileLease(nodes));
    const full = await load(files);
    const variants = [['with', desired], ['without', undefined], ['hostile', hostile]] as const;
    const expected = new Map(variants.map(([name, d]) => [name, problems(full, d)]));
    // the hostile lease's refusal ground all removed (it became a peer with its neigh/fdb missing: found in review)
    const examples: [string[]][] = [[files.filter((f) => !['ip-addr.txt', 'ip-route.txt', 'subnet.env'].includes(f))]];
    await fc.assert(
      fc.asyncProperty(fc.subarray(files, { minLength: 1 }), async (subset) => {
        const s = await load(subset);
        for (const [name, d] of variants) {
          const extra = [...problems(s, d)].filter((p) => !expected.get(name)!.has(p));
          expect(extra, `${name} desired state, files ${subset.join(' ')}`).toEqual([]);
        }
      }),
      { numRuns: 300, examples },
    );
  });
});
