import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { buildDualStackCluster, type DualCluster, type DualNode, dualNodeObject, subnetEnv6Text } from '../netns/flannel-cluster-v6.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { cli, codes } from './netns-helpers.js';
import { v6Cycle, v6Faults } from './v6-cycle.js';

// Issue 12, a v6-only node (flanneld with EnableIPv4 false, EnableIPv6 true): two nodes on an IPv6 underlay alone,
// flannel-v6.1 as flanneld programs it and no flannel.1, pods with IPv6 only, leases as flanneld annotates such a
// node (backend-v6-data, public-ipv6, an IPv6 podCIDR; no public-ip, no backend-data) and its subnet.env (no
// FLANNEL_SUBNET). Healthy: no finding at all and no IPv4 check run; each v6 fault through doctor, trace,
// repair --apply, a second plan and --undo (v6-cycle.ts), as on the dual-stack node.
describeNetns('doctor, trace, repair and undo on a v6-only node (netns cluster)', () => {
  const lab = new Lab('v6o');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-v6only-'));
  let cluster: DualCluster;
  let a: DualNode;
  let b: DualNode;
  let args: string[];
  const journalDir = join(tmp, 'journal');

  beforeAll(() => {
    cluster = buildDualStackCluster(lab, { nodes: 2, podsPerNode: 1, family: 'v6' });
    [a, b] = cluster.nodes;
    writeFileSync(join(tmp, 'nodes.json'), JSON.stringify({ kind: 'List', items: cluster.nodes.map(dualNodeObject) }));
    writeFileSync(join(tmp, 'subnet.env'), subnetEnv6Text(a));
    args = ['--nodes', join(tmp, 'nodes.json'), '--subnet-env', join(tmp, 'subnet.env')];
  });
  const v6 = v6Cycle(lab, () => cluster.nodes, () => args, journalDir, { v4: false });
  afterEach(() => v6.restore());
  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('the lab is v6-only: no IPv4 address but loopback, no flannel.1, and the pods ping6', () => {
    const v4 = JSON.parse(lab.ip(a.netns, ['-4', '-j', 'addr', 'show'])) as { ifname: string }[];
    expect(v4.map((l) => l.ifname)).toEqual(['lo']);
    expect(lab.tryExec(a.netns, ['ip', 'link', 'show', 'flannel.1']).status).not.toBe(0);
    expect(v6.ping6()).toBe(true);
  });

  it('healthy: no finding, nothing planned; the IPv4 checks are not applicable (skipped), not unverified', () => {
    const doctor = cli(['doctor', '--netns', a.netns, ...args, '--json']);
    expect(doctor.status, doctor.stderr + doctor.stdout).toBe(0);
    expect(codes(doctor)).toEqual([]);
    const skipped = (doctor.json.skipped as { check: string; reason: string }[]).filter((s) => s.reason.startsWith('not applicable: an IPv6-only node'));
    // flannel.1, its overlay address, the per-lease IPv4 triplet, its leftovers, cni0's IPv4 address, #1279 offload
    expect(skipped.map((s) => s.check).sort()).toEqual(['flannel device address', 'per-lease neigh/fdb/route', 'pod bridge address', 'stale entries on the vxlan device', 'tx checksum offload', 'vxlan device'].sort());
    // nothing of IPv4 is left open either: no unverified line names flannel.1, FLANNEL_SUBNET, iptables or ip_forward
    expect((doctor.json.unverified as { missing: string }[]).map((u) => u.missing).join('\n')).not.toMatch(/flannel\.1|FLANNEL_SUBNET|FLANNEL-POSTRTG|ip_forward/);
    const dry = cli(['repair', '--netns', a.netns, ...args, '--json']);
    expect(dry.status, dry.stdout).toBe(0);
    expect(dry.json.actions).toEqual([]);
  });

  it('trace, whohas and pod-veth answer with the v6 addresses', () => {
    const trace = cli(['trace', b.pods[0].ip6, '--netns', a.netns, ...args, '--json']);
    expect(trace.status, trace.stderr).toBe(0);
    expect(trace.json.ok).toBe(true);
    expect(trace.json.family).toBe('v6');
    // the route, flannel-v6.1's neigh and fdb, and the peer's public IPv6 as the lab set them
    expect(trace.json.targetNode).toMatchObject({ ip: b.ip6, vtepMac: b.vtepMac6, subnet: b.subnet6 });
    expect((trace.json.hops as { device: string }[]).some((h) => h.device === 'flannel-v6.1')).toBe(true);
    const whohas = cli(['whohas', b.pods[0].ip6, '--netns', a.netns, ...args, '--json']);
    expect(whohas.status, whohas.stderr).toBe(0);
    expect((whohas.json.owners as { kind: string; node?: string }[]).some((o) => o.kind === 'lease' && o.node === b.name)).toBe(true);
    const podVeth = cli(['pod-veth', '--netns', a.netns, '--json']);
    expect(podVeth.status, podVeth.stderr).toBe(0);
    expect(podVeth.json.pods.map((p: { hostVeth: string }) => p.hostVeth)).toEqual([a.pods[0].hostVeth]);
  });

  for (const [name, code, step, inject] of v6Faults(lab, () => a, () => b)) {
    it(name, () => {
      inject();
      v6.cycle(code, step);
    });
  }

  it('flannel-v6.1 deleted -> VXLAN_DEVICE_MISSING; recreated with the own v6 VtepMAC, local public-ipv6, MTU underlay − 70', () => v6.deviceDeleted());
});
