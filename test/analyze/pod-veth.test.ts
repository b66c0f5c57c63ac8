import { describe, expect, it } from 'vitest';
import { podVeth } from '../../src/analyze/pod-veth.js';
import { POD_ETH0, podVethNode } from './removal-cases.js';
import { ipipNode1, snap } from './trace-seeds.js';

describe('pod-veth', () => {
  it('maps seed 002 pod eth0 peer_ifindex 7 to vethb74d434d', () => {
    const r = podVeth([ipipNode1()]);
    expect(r.pods).toEqual([expect.objectContaining({ pod: 'default/cni-test-777bbd57c8-jl2bh', ip: '10.244.1.2', hostVeth: 'vethb74d434d', hostIfindex: 7, podIflink: 7, bridge: 'cni0', source: 'netns' })]);
    expect(r.problems).toEqual([]);
  });

  it('finds a pod by name, short name, IP or host veth', () => {
    for (const q of ['default/cni-test-777bbd57c8-jl2bh', 'cni-test-777bbd57c8-jl2bh', '10.244.1.2', 'vethb74d434d']) expect(podVeth([ipipNode1()], q).pods).toHaveLength(1);
    expect(podVeth([ipipNode1()], '10.244.1.99').pods).toHaveLength(0);
  });

  const node = () => podVethNode();

  it('falls back to the bridge fdb + neigh when no pod netns was read', () => {
    const r = podVeth([node()]);
    expect(r.pods).toEqual([expect.objectContaining({ ip: '10.244.1.5', mac: '0a:00:00:00:00:05', hostVeth: 'veth11111111', hostIfindex: 5, netns: 'pod-a', containerId: 'abcdef0123456789', source: 'bridge-fdb' })]);
    expect(r.unmapped).toEqual([expect.objectContaining({ hostVeth: 'veth22222222', bridge: 'cni0' })]);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'VETH_NO_MASTER', device: 'veth33333333' })]);
  });

  it('with the pods read: leaked veths, IPAM entries with no pod, a pod veth off the bridge', () => {
    const s = node();
    s.pods = structuredClone(POD_ETH0);
    const r = podVeth([s]);
    expect(r.pods.map((p) => [p.hostVeth, p.problem])).toEqual([
      ['veth11111111', undefined],
      ['veth33333333', 'VETH_NO_MASTER'],
    ]);
    expect(r.problems.map((p) => `${p.code} ${p.device}`).sort()).toEqual(['IPAM_LEAK cbr0', 'VETH_NO_MASTER veth33333333', 'VETH_NO_POD veth22222222']);
    expect(r.unverified).toEqual([]);
  });

  it("without the pods' eth0 (the same node, pods not read): IPAM_LEAK and VETH_NO_POD are unverified with what to run, not problems", () => {
    const r = podVeth([node()]);
    // what the full input also gives stays; nothing is added
    expect(r.problems.map((p) => `${p.code} ${p.device}`)).toEqual(['VETH_NO_MASTER veth33333333']);
    expect(r.unverified).toHaveLength(1);
    expect(r.unverified[0]).toMatch(/^n1: .*VETH_NO_POD.*IPAM_LEAK.*`flanctl pod-veth`/);
  });
});

describe('pod-veth on calico-style routed veths', () => {
  it('does not want a bridge for a veth that a /32 route points at', () => {
    const s = snap('vms105', {
      source: { kind: 'netns', name: 'vms105' },
      links: [{ kind: 'veth', ifindex: 7, name: 'calia011d753862' }],
      routes: [{ dst: '10.244.169.77/32', dev: 'calia011d753862', scope: 'link' }],
      pods: [{ pod: 'velero/minio', ifname: 'eth0', ip: '10.244.169.77', iflink: 7 }],
    });
    const r = podVeth([s]);
    expect(r.pods).toEqual([expect.objectContaining({ hostVeth: 'calia011d753862', routed: true })]);
    expect(r.problems).toEqual([]);
  });
});
