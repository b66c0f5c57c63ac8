// A lease whose subnet is node1's underlay (192.168.56.0/24: eth0's address and connected route in the lab's
// ip-route/ip-addr, outside FLANNEL_NETWORK 10.244.0.0/16) is refused on node1: doctor names the refusal, trace
// does not take 192.168.56.5 for that node's pod. With the addresses, the routes and subnet.env all removed, node1
// cannot tell the lease from a peer's: its missing neigh/fdb are unverified with what to paste, never a finding.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { trace } from '../../src/analyze/trace.js';
import { parseNodesJson } from '../../src/leases/kube.js';
import { Snapshot } from '../../src/model/snapshot.js';
import { without } from '../doctor/fault-cases.js';
import { healthyRaw, withHostileNode9 } from '../doctor/fixture.js';

function hostile() {
  const { raw } = healthyRaw();
  return { raw, desired: parseNodesJson(withHostileNode9(readFileSync('fixtures/doctor/vxlan-nodes.json', 'utf8'))) };
}

const node9 = (r: ReturnType<typeof runDoctor>) => r.findings.filter((f) => f.node === 'node9' || f.summary.includes('192.168.56.0/24')).map((f) => f.code);

describe('a lease overlapping the node, with and without the input that shows it', () => {
  it('full input: refused on node1 (both reasons), and 192.168.56.5 is on eth0\'s network, not a pod', () => {
    const { raw, desired } = hostile();
    const snap = Snapshot.parse(raw);
    expect(node9(runDoctor({ snapshot: snap, desired })).sort()).toEqual(['LEASE_SUBNET_OUTSIDE_NETWORK', 'LEASE_SUBNET_OVERLAPS_NODE']);
    const r = trace([snap], '192.168.56.5', { desired });
    expect(r.problems).toEqual([]);
    expect(r.podTraffic).toBe(false);
    expect(r.hops[0]).toMatchObject({ step: 'route', device: 'eth0', ok: true });
  });

  it('only the routes left of the three: the connected route still refuses it, and trace agrees', () => {
    const { raw, desired } = hostile();
    const snap = Snapshot.parse(without(without(raw, 'addresses'), 'subnetEnv'));
    expect(node9(runDoctor({ snapshot: snap, desired }))).toEqual(['LEASE_SUBNET_OVERLAPS_NODE']);
    expect(trace([snap], '192.168.56.5', { desired }).problems).toEqual([]);
  });

  it('addresses, routes and subnet.env removed: node9\'s missing neigh and fdb are unverified with what to paste', () => {
    const { raw, desired } = hostile();
    const snap = Snapshot.parse(without(without(without(raw, 'addresses'), 'routes'), 'subnetEnv'));
    const r = runDoctor({ snapshot: snap, desired });
    expect(r.findings.map((f) => f.code)).not.toContain('NEIGH_MISSING');
    expect(r.findings.map((f) => f.code)).not.toContain('FDB_MISSING');
    expect(r.unverified.some((u) => /lease node9 overlaps this node's own addresses/.test(u.missing) && /`ip addr show`/.test(u.missing))).toBe(true);
    // the real peers stay checked: their neigh and fdb entries are there
    expect(r.findings.filter((f) => f.node === 'node2' || f.node === 'node3')).toEqual([]);
  });
});
