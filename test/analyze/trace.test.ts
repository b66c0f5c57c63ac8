import { describe, expect, it } from 'vitest';
import { trace } from '../../src/analyze/trace.js';
import { type DesiredState, Ip } from '../../src/model/index.js';
import { runDoctor } from '../../src/analyze/doctor.js';
import { calicoNode, hdss721, ipipNode1, k8snode028, snap } from './trace-seeds.js';

const codes = (r: ReturnType<typeof trace>) => r.problems;

describe('trace on seed 000 (k8snode028, vxlan)', () => {
  it('follows 10.27.13.5 through flannel.1, neigh 10.27.13.0 and the fdb to node 10.18.19.129', () => {
    const r = trace([k8snode028()], '10.27.13.5');
    // the post shows flannel.1 without its VNI/local/learning (no `ip -d link`) and no MTU of bond0: no problem, not all verified
    expect(r.ok).toBeNull();
    expect(r.backend).toBe('vxlan');
    expect(r.targetNode).toMatchObject({ ip: '10.18.19.129', vtepMac: '42:32:74:de:24:50', subnet: '10.27.13.0/24' });
    expect(r.summary).toMatch(/^10\.27\.13\.5 is reached via flannel\.1 \(vxlan\) on node 10\.18\.19\.129: no problem found, but NOT VERIFIED at vxlan-device .*`ip -d link show flannel\.1`$/);
    expect(r.hops.filter((h) => h.ok === null).map((h) => h.step)).toEqual(['vxlan-device', 'mtu']);
    expect(r.hops.map((h) => h.step)).toEqual(['route', 'vxlan-device', 'neigh', 'fdb', 'node', 'underlay', 'mtu']);
    expect(r.hops.find((h) => h.step === 'neigh')?.detail).toBe('10.27.13.0 -> 42:32:74:de:24:50 PERMANENT');
    expect(r.hops.find((h) => h.step === 'underlay')?.detail).toContain('10.18.19.0/24 dev bond0');
  });

  it('names the missing neigh for a peer the node has a route but no ARP entry for', () => {
    const r = trace([k8snode028()], '10.27.3.9');
    expect(r.ok).toBe(false);
    expect(r.hops.find((h) => h.step === 'neigh')).toMatchObject({ ok: false, problem: 'NEIGH_MISSING' });
    expect(r.summary).toMatch(/^10\.27\.3\.9: BROKEN at neigh \(flannel\.1 on k8snode028\): NEIGH_MISSING/);
  });

  it('delivers the node\'s own lease to cni0 and says default-route traffic is not pod traffic', () => {
    const local = trace([k8snode028()], '10.27.9.7');
    expect(local.backend).toBe('local');
    expect(local.hops[0]).toMatchObject({ step: 'route', device: 'cni0', ok: true });
    const out = trace([k8snode028()], '8.8.8.8');
    expect(out).toMatchObject({ ok: true, backend: 'none', podTraffic: false });
    expect(out.summary).toContain('not pod traffic');
  });

  it('reports NO_ROUTE for a pod-network IP that only the default route covers', () => {
    const r = trace([k8snode028()], '10.27.40.2');
    expect(r.hops[0]).toMatchObject({ step: 'route', problem: 'NO_ROUTE' });
    expect(r.ok).toBe(false);
  });

  it('compares neigh, fdb and the lease: stale VtepMAC, fdb dst, node not in leases', () => {
    const desired: DesiredState = {
      leases: [
        { node: 'k8snode028', subnet: '10.27.9.0/24', publicIp: '10.18.19.28', backendType: 'vxlan', vni: 1 },
        { node: 'k8snode129', subnet: '10.27.13.0/24', publicIp: '10.18.19.130', backendType: 'vxlan', vni: 1, vtepMac: '42:32:74:de:99:99' },
      ],
      problems: [],
    };
    const s = k8snode028();
    s.addresses.push({ dev: 'bond0', family: 'inet', local: '10.18.19.28', prefixlen: 24 });
    const r = trace([s], '10.27.13.5', { desired });
    expect(r.targetNode?.name).toBe('k8snode129');
    // judged against the lease, as doctor does: the neighbour has the old MAC, and no fdb entry holds the lease's MAC
    expect(codes(r)).toEqual(['VTEP_MAC_MISMATCH', 'FDB_MISSING']);
    const gone = trace([s], '10.27.14.5', { desired });
    // a route no lease covers is left over from a deleted node: doctor's STALE_ROUTE
    expect(codes(gone)).toContain('STALE_ROUTE');
  });
});

describe('trace on the other backends of the seeds', () => {
  it('ipip (seed 002): via 192.168.0.82 dev flannel.ipip onlink', () => {
    const r = trace([ipipNode1()], '10.244.2.2');
    expect(r).toMatchObject({ ok: true, backend: 'ipip', targetNode: { ip: '192.168.0.82' } });
    expect(r.hops.find((h) => h.step === 'mtu')?.detail).toBe('cni0 1480 / flannel.ipip 1480 / ens33 1500');
  });

  it('ipip (seed 002) with its leases: a route without onlink is ROUTE_MISMATCH in trace as in doctor', () => {
    // seed 002: node1 192.168.0.81 holds 10.244.1.0/24, node2 192.168.0.82 holds 10.244.2.0/24; flannel's ipip
    // route is `<subnet> via <public IP> dev flannel.ipip onlink` (reference §1.4)
    const desired: DesiredState = {
      leases: [
        { node: 'node1', subnet: '10.244.1.0/24', publicIp: '192.168.0.81', backendType: 'ipip' },
        { node: 'node2', subnet: '10.244.2.0/24', publicIp: '192.168.0.82', backendType: 'ipip' },
      ],
      problems: [],
    };
    expect(trace([ipipNode1()], '10.244.2.2', { desired }).ok).toBe(true);
    const s = ipipNode1();
    s.routes = s.routes.map((r) => (r.dst === '10.244.2.0/24' ? { ...r, onlink: false } : r));
    const r = trace([s], '10.244.2.2', { desired });
    expect(r.problems).toEqual(['ROUTE_MISMATCH']);
    expect(runDoctor({ snapshot: s, desired }).findings.map((f) => f.code)).toContain('ROUTE_MISMATCH');
  });

  it('local pod (seed 002): cni0 -> vethb74d434d (ifindex 7) -> pod eth0 iflink 7', () => {
    const r = trace([ipipNode1()], '10.244.1.2');
    expect(r.backend).toBe('local');
    expect(r.ok).toBe(true);
    expect(r.hops.find((h) => h.step === 'veth')).toMatchObject({ device: 'vethb74d434d', ok: true });
    expect(r.hops.find((h) => h.step === 'pod')?.detail).toContain('eth0 iflink 7');
    expect(r.summary).toContain('host veth vethb74d434d');
  });

  it('host-gw with docker0 (seed 003): via 10.4.7.22 dev ens33', () => {
    const r = trace([hdss721()], '172.7.22.3');
    expect(r).toMatchObject({ ok: true, backend: 'host-gw', targetNode: { ip: '10.4.7.22' } });
    const local = trace([hdss721()], '172.7.21.5');
    expect(local.backend).toBe('local');
    expect(local.hops[1]).toMatchObject({ step: 'bridge', device: 'docker0' });
  });

  it('the route deleted in seed 003 leaves host-gw traffic on the default route', () => {
    const s = hdss721();
    s.routes = s.routes.filter((x) => x.dst !== '172.7.22.0/24');
    const desired: DesiredState = { leases: [{ subnet: '172.7.22.0/24', publicIp: '10.4.7.22', backendType: 'host-gw' }], problems: [] };
    const r = trace([s], '172.7.22.3', { desired });
    // a lease covers it: the missing route is doctor's ROUTE_MISSING for that peer (NO_ROUTE is for addresses no lease covers)
    expect(r.hops[0].problem).toBe('ROUTE_MISSING');
  });

  it('a host-gw route via another gateway in seed 003 gets the code doctor gives it (peer-state)', () => {
    const s = hdss721();
    const desired: DesiredState = { leases: [{ subnet: '172.7.21.0/24', publicIp: '10.4.7.21', backendType: 'host-gw' }, { subnet: '172.7.22.0/24', publicIp: '10.4.7.23', backendType: 'host-gw' }], problems: [] };
    const r = trace([s], '172.7.22.3', { desired });
    expect(r.hops[0].problem).toBe('ROUTE_MISMATCH');
    const doctor = runDoctor({ snapshot: s, desired });
    expect(doctor.findings.filter((f) => f.code.startsWith('ROUTE_')).map((f) => f.code)).toEqual(['ROUTE_MISMATCH']);
  });

  it('calico /32 routes (seed 004) lead straight to the cali veth; blackhole is named', () => {
    const r = trace([calicoNode()], '10.244.169.65');
    expect(r.backend).toBe('local');
    expect(r.hops.find((h) => h.step === 'veth')).toMatchObject({ device: 'calid5e76ad523e', ok: true });
    expect(trace([calicoNode()], '10.244.169.70').problems).toEqual(['ROUTE_BLACKHOLE']);
    expect(trace([calicoNode()], '10.244.38.130').targetNode?.ip).toBe('192.168.26.103');
  });

  it('rejects a non-IP destination as bad input', () => {
    expect(() => trace([k8snode028()], '10.27.13')).toThrow(/not an IPv4 or IPv6 address/);
  });
});

describe('trace across two node snapshots', () => {
  const node = (name: string, ip: string, base: string, mac: string, peer: { ip: string; base: string; mac: string }, vethMtu = 1450) =>
    snap(name, {
      links: [
        { kind: 'device', ifindex: 2, name: 'eth0', mtu: 1500, flags: ['UP'] },
        { kind: 'vxlan', ifindex: 3, name: 'flannel.1', mtu: 1450, flags: ['UP'], mac, vni: 1, local: ip, port: 8472, dev: 'eth0', learning: false },
        { kind: 'bridge', ifindex: 4, name: 'cni0', mtu: 1450, flags: ['UP'] },
        { kind: 'veth', ifindex: 5, name: 'veth0a0b0c0d', mtu: vethMtu, flags: ['UP'], master: 'cni0', linkNetns: `${name}p2` },
      ],
      addresses: [
        { dev: 'eth0', family: 'inet', local: ip, prefixlen: 24 },
        { dev: 'flannel.1', family: 'inet', local: `${base}.0`, prefixlen: 32 },
        { dev: 'cni0', family: 'inet', local: `${base}.1`, prefixlen: 24 },
      ],
      routes: [
        { dst: '192.168.56.0/24', dev: 'eth0' },
        { dst: `${base}.0/24`, dev: 'cni0' },
        { dst: `${peer.base}.0/24`, gateway: `${peer.base}.0`, dev: 'flannel.1', onlink: true },
      ],
      neigh: [
        { dst: `${peer.base}.0`, dev: 'flannel.1', lladdr: peer.mac, state: ['PERMANENT'] },
        { dst: `${base}.2`, dev: 'cni0', lladdr: '02:00:00:00:00:02', state: ['REACHABLE'] },
      ],
      fdb: [
        { mac: peer.mac, dev: 'flannel.1', dst: peer.ip, self: true, state: 'permanent' },
        { mac: '02:00:00:00:00:02', dev: 'veth0a0b0c0d', master: 'cni0' },
      ],
      subnetEnv: { network: '10.244.0.0/16', subnet: `${base}.1/24`, mtu: 1450, vars: {} },
    });
  const a = () => node('node1', '192.168.56.11', '10.244.1', '02:aa:00:00:00:01', { ip: '192.168.56.12', base: '10.244.2', mac: '02:aa:00:00:00:02' });
  const b = () => node('node2', '192.168.56.12', '10.244.2', '02:aa:00:00:00:02', { ip: '192.168.56.11', base: '10.244.1', mac: '02:aa:00:00:00:01' });

  it('continues on the target node down to the pod veth and checks the way back', () => {
    const r = trace([a(), b()], '10.244.2.2');
    expect(r.ok).toBe(true);
    expect(r.targetNode).toMatchObject({ ip: '192.168.56.12', name: 'node2' });
    expect(r.hops.filter((h) => h.node === 'node2').map((h) => h.step)).toEqual(['arrive', 'route', 'bridge', 'neigh', 'fdb', 'veth', 'pod']);
    expect(r.summary).toBe('10.244.2.2 is reached via flannel.1 (vxlan) on node 192.168.56.12 (node2), pod veth veth0a0b0c0d on node2: OK');
    expect(r.reverse).toMatchObject({ ok: true, destination: '10.244.1.1' });
    expect(r.reverse?.hops.find((h) => h.step === 'fdb')?.detail).toContain('dst 192.168.56.11');
  });

  it('sees a stale VtepMAC: the target\'s flannel.1 was recreated with a new MAC', () => {
    const target = b();
    (target.links[1] as { mac?: string }).mac = '02:bb:00:00:00:02';
    const r = trace([a(), target], '10.244.2.2');
    expect(r.hops.find((h) => h.step === 'node')).toMatchObject({ ok: false, problem: 'VTEP_MAC_MISMATCH' });
  });

  it('flags a broken reverse path and an MTU mismatch on the destination veth', () => {
    const target = node('node2', '192.168.56.12', '10.244.2', '02:aa:00:00:00:02', { ip: '192.168.56.11', base: '10.244.1', mac: '02:aa:00:00:00:01' }, 1500);
    target.fdb = target.fdb.filter((f) => f.dev !== 'flannel.1');
    const r = trace([a(), target], '10.244.2.2');
    expect(r.ok).toBe(false);
    expect(r.hops.find((h) => h.step === 'veth' && h.node === 'node2')?.problem).toBe('MTU_MISMATCH');
    expect(r.reverse?.hops.find((h) => h.step === 'fdb')?.problem).toBe('FDB_MISSING');
  });
});

describe('trace names each vxlan problem', () => {
  const desired = (vtepMac = '42:32:74:de:24:50'): DesiredState => ({
    leases: [
      { node: 'k8snode028', subnet: '10.27.9.0/24', publicIp: '10.18.19.28', backendType: 'vxlan', vni: 1 },
      { node: 'k8snode129', subnet: '10.27.13.0/24', publicIp: '10.18.19.129', backendType: 'vxlan', vni: 1, vtepMac },
    ],
    netConf: { Network: '10.27.0.0/16', Backend: { Type: 'vxlan', DirectRouting: true } },
    problems: [],
  });
  const base = () => {
    const s = k8snode028();
    s.source = { kind: 'netns', name: 'k8snode028' };
    s.addresses.push({ dev: 'bond0', family: 'inet', local: '10.18.19.28', prefixlen: 24 });
    s.links.push({ kind: 'device', ifindex: 2, name: 'bond0', mtu: 1500, flags: ['UP'] });
    s.links = s.links.map((l) => (l.name === 'flannel.1' ? { ...l, kind: 'vxlan' as const, ifindex: 3, flags: ['UP'], vni: 1, local: '10.18.19.28', port: 8472, dev: 'bond0', learning: false } : l));
    return s;
  };
  const problemAt = (s: ReturnType<typeof base>, step: string, d = desired()) => trace([s], '10.27.13.5', { desired: d }).hops.find((h) => h.step === step);

  it('is healthy on the baseline', () => {
    expect(trace([base()], '10.27.13.5', { desired: desired() })).toMatchObject({ ok: true, targetNode: { name: 'k8snode129' } });
  });

  it('NEIGH_NOT_PERMANENT; an INCOMPLETE or FAILED entry on flannel.1 is the kernel ARPing for a missing one: NEIGH_MISSING', () => {
    for (const [state, code] of [['REACHABLE', 'NEIGH_NOT_PERMANENT'], ['INCOMPLETE', 'NEIGH_MISSING'], ['FAILED', 'NEIGH_MISSING']] as const) {
      const s = base();
      s.neigh = s.neigh.map((n) => (n.dst === '10.27.13.0' ? { ...n, state: [state] } : n));
      expect(problemAt(s, 'neigh')?.problem).toBe(code);
    }
  });

  it('flannel.1 as doctor names it: learning on, wrong local, wrong VNI; VXLAN_DEVICE_DOWN; VXLAN_DEVICE_MISSING', () => {
    const withLink = (patch: Record<string, unknown>) => {
      const s = base();
      s.links = s.links.map((l) => (l.name === 'flannel.1' ? ({ ...l, ...patch } as typeof l) : l));
      return s;
    };
    expect(problemAt(withLink({ learning: true }), 'vxlan-device')?.problem).toBe('VXLAN_LEARNING_ON');
    expect(problemAt(withLink({ local: '10.18.19.99' }), 'vxlan-device')?.problem).toBe('VXLAN_LOCAL_NOT_OURS');
    expect(problemAt(withLink({ vni: 2 }), 'vxlan-device')?.problem).toBe('VXLAN_VNI_MISMATCH');
    expect(problemAt(withLink({ local: '10.18.19.99' }), 'vxlan-device')?.detail).toContain('local 10.18.19.99 is not an address of this node');
    expect(problemAt(withLink({ vni: 2 }), 'vxlan-device')?.detail).toContain('VNI 2, expected 1');
    expect(problemAt(withLink({ port: 4789 }), 'vxlan-device')?.detail).toContain('dstport 4789, expected 8472');
    expect(problemAt(withLink({ flags: ['BROADCAST'] }), 'vxlan-device')?.problem).toBe('VXLAN_DEVICE_DOWN');
    const gone = base();
    gone.links = gone.links.filter((l) => l.name !== 'flannel.1');
    expect(problemAt(gone, 'vxlan-device')?.problem).toBe('VXLAN_DEVICE_MISSING');
  });

  it('MTU_MISMATCH between flannel.1 and the underlay, and FLANNEL_MTU', () => {
    const s = base();
    s.links = s.links.map((l) => (l.name === 'bond0' ? { ...l, mtu: 1450 } : l));
    expect(problemAt(s, 'mtu')?.detail).toContain('flannel.1 1450 > bond0 1450 − 50');
    const env = base();
    env.subnetEnv = { ...env.subnetEnv!, mtu: 1500 };
    expect(problemAt(env, 'mtu')?.detail).toContain('FLANNEL_MTU 1500 ≠ flannel.1 1450');
  });

  it('VTEP_MAC_MISMATCH when the lease announces another MAC; FDB_DST_MISMATCH when the fdb points elsewhere', () => {
    expect(problemAt(base(), 'neigh', desired('4e:00:00:00:00:01'))?.problem).toBe('VTEP_MAC_MISMATCH');
    const s = base();
    s.fdb = s.fdb.map((f) => ({ ...f, dst: Ip.parse('10.18.19.200') }));
    expect(problemAt(s, 'fdb')?.problem).toBe('FDB_DST_MISMATCH');
  });

  it('DirectRouting: a route via the node IP on the underlay is vxlan, checked like host-gw', () => {
    const s = base();
    s.routes = s.routes.map((r) => (r.dst === '10.27.13.0/24' ? { ...r, gateway: '10.18.19.129', dev: 'bond0', onlink: false } : r));
    const r = trace([s], '10.27.13.5', { desired: desired() });
    expect(r).toMatchObject({ ok: true, backend: 'vxlan', directRouting: true, targetNode: { ip: '10.18.19.129', name: 'k8snode129' } });
    expect(r.summary).toContain('(vxlan DirectRouting)');
  });

  it('ROUTE_WRONG_DEV: a remote lease routed onto the pod bridge; ROUTE_MISMATCH: another gateway', () => {
    const s = base();
    s.routes = s.routes.map((r) => (r.dst === '10.27.13.0/24' ? { ...r, gateway: undefined, dev: 'cni0', onlink: false } : r));
    expect(trace([s], '10.27.13.5', { desired: desired() }).hops[0].problem).toBe('ROUTE_WRONG_DEV');
    const gw = base();
    gw.routes = gw.routes.map((r) => (r.dst === '10.27.13.0/24' ? { ...r, gateway: '10.27.13.1' } : r));
    expect(trace([gw], '10.27.13.5', { desired: desired() }).hops[0].problem).toBe('ROUTE_MISMATCH');
  });
});

describe('trace says what is not pod traffic', () => {
  it('a kube-proxy service IP, named from its KUBE-SERVICES rule', () => {
    const s = k8snode028();
    s.iptables = {
      tables: [
        {
          name: 'nat',
          chains: [],
          rules: [{ chain: 'KUBE-SERVICES', spec: '-d 10.96.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y', args: ['-d', '10.96.0.1/32', '-p', 'tcp', '-j', 'KUBE-SVC-NPX46M4PTMTKRN6Y'], target: 'KUBE-SVC-NPX46M4PTMTKRN6Y', comment: 'default/kubernetes:https cluster IP' }],
        },
      ],
    };
    const r = trace([s], '10.96.0.1');
    expect(r).toMatchObject({ ok: true, backend: 'none', podTraffic: false });
    expect(r.summary).toBe('10.96.0.1 is not pod traffic: a Kubernetes service IP (default/kubernetes:https cluster IP)');
  });

  it('a node address and an address of this node', () => {
    const desired: DesiredState = { leases: [{ node: 'k8snode129', subnet: '10.27.13.0/24', publicIp: '10.18.19.129', backendType: 'vxlan' }], problems: [] };
    expect(trace([k8snode028()], '10.18.19.129', { desired }).summary).toBe('10.18.19.129 is not pod traffic: the address of node k8snode129');
    expect(trace([k8snode028()], '10.27.9.1').summary).toBe('10.27.9.1 is an address of node k8snode028 itself (dev cni0)');
  });
});

describe('trace on backends it does not walk', () => {
  it('a wireguard route is not a wrong device; without `wg show` its peer hop is unverified', () => {
    const s = snap('wg1', {
      links: [{ kind: 'wireguard', ifindex: 4, name: 'flannel-wg', mtu: 1420, flags: ['UP'] }],
      routes: [{ dst: '10.244.0.0/16', dev: 'flannel-wg', scope: 'link' }],
      subnetEnv: { network: '10.244.0.0/16', subnet: '10.244.1.1/24', vars: {} },
    });
    const r = trace([s], '10.244.3.7');
    // no `wg show` was given: the peer that carries it is unverified, with the command to paste
    expect(r).toMatchObject({ ok: null, backend: 'wireguard', podTraffic: true });
    expect(r.hops.map((h) => [h.step, h.ok])).toEqual([
      ['route', true],
      ['wg-peer', null],
    ]);
    expect(r.hops[1].unverified).toContain('`wg show all dump`');
  });
});
