// trace, whohas and pod-veth over the seed-derived fixture directories, loaded the way the CLI loads them
// (loadSnapshots({ fromDir })). Every expected value is read from the seed posts (/work/shared/seeds/000-004,
// restored in fixtures/nodes/<node>/ with a README naming each file's source), not from an earlier run.
import { describe, expect, it } from 'vitest';
import { podVeth } from '../../src/analyze/pod-veth.js';
import { trace } from '../../src/analyze/trace.js';
import { whohas } from '../../src/analyze/whohas.js';
import { loadSnapshots } from '../../src/collect/index.js';

const dir = (name: string) => loadSnapshots({ fromDir: [`fixtures/nodes/${name}`] });
type Hop = { step: string; device?: string; ok: boolean | null; problem?: string; detail: string };
const hop = (r: { hops: Hop[] }, step: string) => r.hops.find((h) => h.step === step);
const firstBroken = (r: { hops: Hop[] }) => r.hops.find((h) => h.ok === false);

describe('trace on the seed nodes: the answers a reader of the post gives', () => {
  it('k8snode028 -> 10.27.13.5 (seed 000, the README example): route via flannel.1, neigh 10.27.13.0 = 42:32:74:de:24:50, fdb dst 10.18.19.129', async () => {
    const r = trace(await dir('k8snode028'), '10.27.13.5');
    // no problem on the post's path, but its ifconfig shows flannel.1 without VNI/local/learning and no MTU of bond0
    expect(r).toMatchObject({ ok: null, backend: 'vxlan', targetNode: { ip: '10.18.19.129', vtepMac: '42:32:74:de:24:50', subnet: '10.27.13.0/24' } });
    expect(r.hops.filter((h) => h.ok !== true).map((h) => [h.step, h.ok])).toEqual([
      ['vxlan-device', null],
      ['mtu', null],
    ]);
    expect(hop(r, 'route')).toMatchObject({ device: 'flannel.1', ok: true });
    expect(hop(r, 'route')?.detail).toContain('10.27.13.0/24 via 10.27.13.0 dev flannel.1 onlink');
    expect(hop(r, 'neigh')?.detail).toContain('10.27.13.0 -> 42:32:74:de:24:50 PERMANENT');
    expect(hop(r, 'fdb')?.detail).toContain('42:32:74:de:24:50 dst 10.18.19.129');
    // route -n: 10.18.19.0/24 on bond0 holds the peer's underlay address
    expect(hop(r, 'underlay')).toMatchObject({ device: 'bond0', ok: true });
  });

  it('k8snode028 -> 10.27.3.3: the route is there (route -n: 10.27.3.0 via 10.27.3.0 flannel.1)', async () => {
    const r = trace(await dir('k8snode028'), '10.27.3.3');
    expect(r.backend).toBe('vxlan');
    expect(hop(r, 'route')).toMatchObject({ device: 'flannel.1', ok: true });
  });

  // The post shows `arp -e | grep 10.29.13.0`: one line, not the table. Whether 10.27.3.0 has a neighbour is not
  // in the paste, so the neigh hop is unverified and the trace not broken.
  it('k8snode028 -> 10.27.3.3: the neighbour for 10.27.3.0 is not in the post (a grep), so not a finding', async () => {
    const r = trace(await dir('k8snode028'), '10.27.3.3');
    expect(firstBroken(r)).toBeUndefined();
    expect(r.ok).toBeNull();
  });

  it('k8snode028 -> 10.27.9.3: the node\'s own lease (route -n 10.27.9.0/24 on cni0, FLANNEL_SUBNET=10.27.9.1/24)', async () => {
    const r = trace(await dir('k8snode028'), '10.27.9.3');
    // the post shows no pod, veth or cni0 fdb: which veth holds 10.27.9.3 is not in it
    expect(r).toMatchObject({ ok: null, backend: 'local' });
    expect(hop(r, 'route')).toMatchObject({ device: 'cni0', ok: true });
    expect(hop(r, 'veth')).toMatchObject({ ok: null, unverified: expect.stringContaining('bridge fdb show br cni0') });
  });

  it('k8snode028 -> 8.8.8.8: outside FLANNEL_NETWORK 10.27.0.0/16, only the default route via 10.18.19.1 on bond0', async () => {
    const r = trace(await dir('k8snode028'), '8.8.8.8');
    expect(r.backend).toBe('none');
    expect(r.ok).not.toBe(false);
    expect(hop(r, 'route')).toMatchObject({ device: 'bond0', ok: true });
    expect(hop(r, 'route')?.detail).toContain('default via 10.18.19.1 dev bond0');
  });

  it.each([
    // seed 002: node1 (192.168.0.81) and node2 (192.168.0.82), ipip routes on flannel.ipip
    ['node1', '10.244.2.2', 'flannel.ipip', { ip: '192.168.0.82', subnet: '10.244.2.0/24' }, 'ens33'],
    ['node2', '10.244.1.2', 'flannel.ipip', { ip: '192.168.0.81', subnet: '10.244.1.0/24' }, 'ens33'],
    // seed 004: vms105, calico ipip route 10.244.31.64/26 via 192.168.26.106 dev tunl0 onlink
    ['vms105', '10.244.31.70', 'tunl0', { ip: '192.168.26.106', subnet: '10.244.31.64/26' }, 'ens32'],
  ])('%s -> %s: ipip over %s to %j', async (node, ip, dev, target, underlay) => {
    const r = trace(await dir(node), ip);
    // vms105's post shows no `ip link` line for tunl0; seed 002 shows `ip -d link show flannel.ipip` (local
    // 192.168.0.8x) but no address list that says it is the node's: that hop is not verified, so neither is the
    // trace (null), and nothing is broken
    expect(r).toMatchObject({ ok: null, backend: 'ipip', targetNode: target });
    expect(r.problems).toEqual([]);
    if (node === 'vms105') expect(hop(r, 'ipip-device')).toMatchObject({ ok: null, unverified: expect.stringContaining('ip -d link show tunl0') });
    else expect(hop(r, 'ipip-device')).toMatchObject({ ok: null, unverified: expect.stringContaining("the underlay's addresses") });
    expect(hop(r, 'route')).toMatchObject({ device: dev, ok: true });
    expect(hop(r, 'underlay')).toMatchObject({ device: underlay, ok: true });
  });

  it.each([
    // seed 001: hdss7-21, `172.7.22.0 10.4.7.22 255.255.255.0 UG ens33` (before the route was deleted)
    ['hdss7-21', '172.7.22.2', 'ens33', { ip: '10.4.7.22', subnet: '172.7.22.0/24' }],
    // seed 003: centos node1, `172.33.96.0 172.30.118.65 255.255.255.0 UG eth2`
    ['centos-node1', '172.33.96.3', 'eth2', { ip: '172.30.118.65', subnet: '172.33.96.0/24' }],
  ])('%s -> %s: host-gw via %s to %j', async (node, ip, dev, target) => {
    const r = trace(await dir(node), ip);
    expect(r).toMatchObject({ ok: true, backend: 'host-gw', targetNode: target });
    expect(hop(r, 'route')).toMatchObject({ device: dev, ok: true });
  });

  it('centos-node1 -> 172.33.31.2: route -n (the whole table) has nothing for 172.33.31.0 in FLANNEL_NETWORK 172.33.0.0/16', async () => {
    const r = trace(await dir('centos-node1'), '172.33.31.2');
    expect(r.ok).toBe(false);
    expect(firstBroken(r)).toMatchObject({ step: 'route', problem: 'NO_ROUTE' });
  });

  it('vms105 -> 10.244.169.77: calico /32 route to calia011d753862, the pod minio-b6d98746c-m7rzc behind it (iflink 7 = ifindex 7)', async () => {
    const r = trace(await dir('vms105'), '10.244.169.77');
    expect(r).toMatchObject({ ok: true, backend: 'local' });
    expect(hop(r, 'route')).toMatchObject({ device: 'calia011d753862', ok: true });
    expect(hop(r, 'pod')?.detail).toContain('minio-b6d98746c-m7rzc');
  });

  it('vms105 -> 10.244.169.100: no /32 for it, so calico\'s `blackhole 10.244.169.64/26 proto bird` drops it', async () => {
    const r = trace(await dir('vms105'), '10.244.169.100');
    expect(r.ok).toBe(false);
    expect(firstBroken(r)).toMatchObject({ step: 'route', problem: 'ROUTE_BLACKHOLE' });
  });

  it('node1 -> 10.244.1.2: its own pod cni-test-777bbd57c8-jl2bh behind vethb74d434d (ifindex 7, the pod eth0 iflink 7)', async () => {
    const r = trace(await dir('node1'), '10.244.1.2');
    // the post's `ip link` lines are the veths (master cni0), not cni0 itself: whether cni0 is up is not in it
    expect(r).toMatchObject({ ok: null, backend: 'local', problems: [] });
    expect(hop(r, 'bridge')).toMatchObject({ device: 'cni0', ok: null });
    expect(hop(r, 'veth')).toMatchObject({ device: 'vethb74d434d', ok: true });
    expect(hop(r, 'pod')?.detail).toContain('cni-test-777bbd57c8-jl2bh');
  });

  it('across both IPIP nodes of seed 002: continues on node2 down to veth04bde23e, and back', async () => {
    const snaps = await loadSnapshots({ fromDir: ['fixtures/nodes/node1', 'fixtures/nodes/node2'] });
    const r = trace(snaps, '10.244.2.2');
    // nothing broken; unverified as each node alone (no address list, no cni0 line)
    expect(r.problems).toEqual([]);
    expect(r.ok).toBeNull();
    expect(r.hops.filter((h) => h.node === 'node2.whale.com').find((h) => h.step === 'veth')?.device).toBe('veth04bde23e');
    expect(r.reverse?.ok).toBeNull();
    expect(r.reverse?.hops.some((h) => h.ok === false)).toBe(false);
  });
});

describe('whohas and pod-veth on the seed nodes', () => {
  it('42:32:74:de:24:50 on k8snode028: the neighbour 10.27.13.0 and the fdb entry to 10.18.19.129, both on flannel.1', async () => {
    const w = whohas(await dir('k8snode028'), '42:32:74:de:24:50');
    expect(w.owners).toEqual([
      expect.objectContaining({ kind: 'neigh', device: 'flannel.1', ip: '10.27.13.0' }),
      expect.objectContaining({ kind: 'fdb', device: 'flannel.1', nodeIp: '10.18.19.129' }),
    ]);
  });

  it('brctl\'s bridge id 8000.0a580a1d0d01 is the MAC 0a:58:0a:1d:0d:01 of cni0', async () => {
    const w = whohas(await dir('k8snode028'), '8000.0a580a1d0d01');
    expect(w.mac).toBe('0a:58:0a:1d:0d:01');
    expect(w.owners).toEqual([expect.objectContaining({ kind: 'link', device: 'cni0' })]);
  });

  it('fe:b1:c5:f4:d0:b2 on node1 (seed 002): vethb74d434d, the host end of pod cni-test-777bbd57c8-jl2bh', async () => {
    const w = whohas(await dir('node1'), 'fe:b1:c5:f4:d0:b2');
    expect(w.owners).toEqual([expect.objectContaining({ kind: 'link', device: 'vethb74d434d', pod: 'cni-test-777bbd57c8-jl2bh', ip: '10.244.1.2' })]);
  });

  it.each([
    // seed 002: pod eth0 peer_ifindex 7 / iflink 7 = host veth ifindex 7; ifconfig eth0 HWaddr and inet addr
    ['node1', { pod: 'cni-test-777bbd57c8-jl2bh', ip: '10.244.1.2', mac: 'ea:bc:22:e6:7a:fa', hostVeth: 'vethb74d434d', hostIfindex: 7, podIflink: 7, bridge: 'cni0' }],
    ['node2', { pod: 'cni-test-777bbd57c8-p5576', ip: '10.244.2.2', mac: '06:d6:fd:bf:4c:02', hostVeth: 'veth04bde23e', hostIfindex: 7, podIflink: 7, bridge: 'cni0' }],
    // seed 004: `cat /sys/class/net/eth0/iflink` = 7 in the minio pod; `7: calia011d753862@if3` on vms105
    ['vms105', { pod: 'velero/minio-b6d98746c-m7rzc', hostVeth: 'calia011d753862', hostIfindex: 7, podIflink: 7 }],
  ])('pod-veth on %s', async (node, pod) => {
    const r = podVeth(await dir(node));
    expect(r.pods).toEqual([expect.objectContaining(pod)]);
    expect(r.problems).toEqual([]);
  });
});
