import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { loadFromDir } from '../../src/collect/index.js';
import { planRepair } from '../../src/repair/plan.js';
import { parseNodesJson } from '../../src/leases/kube.js';

// Seed 000 (k8snode028): outputs pasted into a blog post — ifconfig instead of ip -d link, route -n, one arp line.
// The device's kind and flags come from ifconfig; nothing may be judged that the outputs do not show.
describe('doctor on saved outputs of a real node (fixtures/nodes/k8snode028)', () => {
  it('infers vxlan from flannel.1, checks its address against subnet.env, invents no device problem', async () => {
    const { snapshot } = await loadFromDir(new URL('../../fixtures/nodes/k8snode028', import.meta.url).pathname);
    const report = runDoctor({ snapshot });
    expect(report.backend).toBe('vxlan');
    expect(report.findings.map((f) => f.code)).toEqual([]);
    expect(report.skipped.map((s) => s.check)).not.toContain('flannel device address');
  });

  it("with a lease for the peer whose MAC the post greps, finds the other peers' missing neighbours", async () => {
    const { snapshot } = await loadFromDir(new URL('../../fixtures/nodes/k8snode028', import.meta.url).pathname);
    const node = (name: string, cidr: string, ip: string, mac: string): object => ({
      kind: 'Node',
      metadata: { name, annotations: { 'flannel.alpha.coreos.com/kube-subnet-manager': 'true', 'flannel.alpha.coreos.com/backend-type': 'vxlan', 'flannel.alpha.coreos.com/public-ip': ip, 'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 1, VtepMAC: mac }) } },
      spec: { podCIDR: cidr },
    });
    const desired = parseNodesJson(JSON.stringify({ items: [node('k8snode028', '10.27.9.0/24', '10.18.19.128', '02:00:00:00:09:09'), node('peer13', '10.27.13.0/24', '10.18.19.129', '42:32:74:de:24:50'), node('peer1', '10.27.1.0/24', '10.18.19.130', '02:00:00:00:01:01')] }));
    const report = runDoctor({ snapshot, desired, nodeName: 'k8snode028' });
    const byCode = (code: string): string[] => report.findings.filter((f) => f.code === code).map((f) => f.summary);
    // peer13 is complete in the post (route, arp CM, fdb); for peer1 the post shows its route, and greps the
    // neighbour and fdb tables for peer13 only: peer1's neigh and fdb are unverified, not missing
    expect(byCode('NEIGH_MISSING')).toEqual([]);
    expect(byCode('FDB_MISSING')).toEqual([]);
    expect(byCode('ROUTE_MISSING')).toEqual([]);
    expect(report.unverified.map((u) => u.missing).join('\n')).toContain('a neighbour for 10.27.1.0');
    // repair plans nothing on unverified evidence
    const plan = planRepair({ snapshot, desired, nodeName: 'k8snode028' });
    expect(plan.actions.map((a) => a.op)).toEqual([]);
  });
});
