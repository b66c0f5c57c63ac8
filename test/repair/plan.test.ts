import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { UsageError } from '../../src/errors.js';
import type { DesiredState, Lease } from '../../src/model/lease.js';
import { fdbReplace, linkAddVxlan, neighReplace, routeReplace, UnsafeValue } from '../../src/model/fix.js';
import { planRepair } from '../../src/repair/plan.js';
import { broken, healthy, link, NODE1_MAC, NODE2_MAC, NODE3_MAC, type Raw } from '../doctor/fixture.js';
import { dual } from './dual-fixture.js';

const ops = (p: ReturnType<typeof planRepair>): string[] => p.actions.map((a) => `${a.op} ${a.target}`);
const withoutNode2 = (r: Raw): void => {
  r.neigh = r.neigh.filter((n: Raw) => n.dst !== '10.244.2.0');
  r.fdb = r.fdb.filter((f: Raw) => f.mac !== NODE2_MAC);
  r.routes = r.routes.filter((x: Raw) => x.dst !== '10.244.2.0/24');
};

describe('planRepair', () => {
  it('plans nothing for a healthy node (a second repair changes nothing)', () => {
    const p = planRepair(healthy());
    expect(p.actions).toEqual([]);
    expect(p.skipped).toEqual([]);
  });

  it("re-adds a peer in flannel's order with replace verbs, and undoes by deleting what was absent", () => {
    const p = planRepair({ ...broken(withoutNode2), netns: 'fctx-node1' });
    expect(p.actions.map((a) => a.command)).toEqual([
      `ip -n fctx-node1 neigh replace 10.244.2.0 dev flannel.1 lladdr ${NODE2_MAC} nud permanent`,
      `bridge -n fctx-node1 fdb replace ${NODE2_MAC} dev flannel.1 dst 192.168.56.12 self permanent`,
      'ip -n fctx-node1 route replace 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink',
    ]);
    expect(p.actions[0].argv).toEqual(['ip', '-n', 'fctx-node1', 'neigh', 'replace', '10.244.2.0', 'dev', 'flannel.1', 'lladdr', NODE2_MAC, 'nud', 'permanent']);
    expect(p.actions.map((a) => a.undo.map((u) => u.args.slice(0, 2).join(' ')))).toEqual([['neigh del'], ['fdb del'], ['route del']]);
  });

  it('keeps per-peer order inside phases: every neigh before any fdb before any route', () => {
    const p = planRepair(broken((r) => Object.assign(r, { neigh: [], fdb: [], routes: r.routes.filter((x: Raw) => x.dev !== 'flannel.1') })));
    expect(p.actions.map((a) => a.op)).toEqual(['neigh-replace', 'neigh-replace', 'fdb-replace', 'fdb-replace', 'route-replace', 'route-replace']);
  });

  it('recreates a missing flannel.1 with the lease VtepMAC, VNI, local IP, underlay and MTU', () => {
    const p = planRepair(broken((r) => (r.links = r.links.filter((l: Raw) => l.name !== 'flannel.1'))));
    expect(p.actions[0].command).toBe(`ip link add flannel.1 address ${NODE1_MAC} mtu 1450 type vxlan id 1 local 192.168.56.11 dev eth0 dstport 8472 nolearning`);
    expect(ops(p).slice(1, 3)).toEqual(['addr-replace 10.244.1.0/32 dev flannel.1', 'link-up flannel.1']);
    expect(p.actions.slice(3).map((a) => a.op)).toEqual(['neigh-replace', 'neigh-replace', 'fdb-replace', 'fdb-replace', 'route-replace', 'route-replace']);
    expect(p.actions[0].undo.map((u) => u.args.join(' '))).toEqual(['link del flannel.1']);
  });

  it('brings a down flannel.1 up and re-adds the neighbours and routes the kernel dropped', () => {
    const p = planRepair(broken((r) => (link(r, 'flannel.1').flags = ['BROADCAST', 'MULTICAST'])));
    expect(p.actions.map((a) => a.op)).toEqual(['link-up', 'neigh-replace', 'neigh-replace', 'route-replace', 'route-replace']);
    expect(p.actions[0].undo.map((u) => u.args.join(' '))).toEqual(['link set dev flannel.1 down']);
    // nothing survives a down device: undo deletes, it does not restore the snapshot's entries
    expect(p.actions[1].undo[0].args.slice(0, 2)).toEqual(['neigh', 'del']);
  });

  it('fixes a stale VtepMAC, restoring the old lladdr on undo; the old fdb entry goes only with --prune', () => {
    const OLD = '02:00:00:00:00:77';
    const change = (r: Raw): void => {
      r.neigh.find((n: Raw) => n.dst === '10.244.2.0').lladdr = OLD;
      r.fdb.find((f: Raw) => f.mac === NODE2_MAC).mac = OLD;
    };
    const p = planRepair(broken(change));
    expect(ops(p)).toEqual(['neigh-replace 10.244.2.0 dev flannel.1', `fdb-replace ${NODE2_MAC} dst 192.168.56.12`]);
    expect(p.actions[0].undo[0].args).toEqual(['neigh', 'replace', '10.244.2.0', 'dev', 'flannel.1', 'lladdr', OLD, 'nud', 'permanent']);
    const pruned = planRepair({ ...broken(change), prune: true });
    expect(ops(pruned).at(-1)).toBe(`fdb-del ${OLD} dst 192.168.56.12`);
  });

  it('removes the entries of a departed node only with --prune, in flannel order neigh, fdb, route', () => {
    const gone = (_r: Raw, d: { leases: Lease[] }): void => void (d.leases = d.leases.filter((l) => l.node !== 'node3'));
    expect(planRepair(broken(gone)).actions).toEqual([]);
    const p = planRepair({ ...broken(gone), prune: true });
    expect(ops(p)).toEqual(['neigh-del 10.244.3.0 dev flannel.1', `fdb-del ${NODE3_MAC} dst 192.168.56.13`, 'route-del 10.244.3.0/24']);
    expect(p.actions.map((a) => a.undo[0].args.slice(0, 2).join(' '))).toEqual(['neigh replace', 'fdb append', 'route replace']);
  });

  it("refuses --prune when the leases are not all the cluster's (grep'd lines, one Node): node3 may be live, only not pasted", () => {
    for (const incomplete of ["annotation lines (grep'd), not the Node objects", 'one Node object, not `kubectl get nodes`']) {
      const partial = (_r: Raw, d: DesiredState): void => void Object.assign(d, { leases: d.leases.filter((l) => l.node !== 'node3'), incomplete });
      expect(() => planRepair({ ...broken(partial), prune: true })).toThrow(UsageError);
      expect(() => planRepair({ ...dual(partial), prune: true })).toThrow(/^--prune refused: the desired state given is /);
      // without --prune the entries are left alone, and the given leases still repaired
      expect(planRepair(broken((r, d) => (partial(r, d), withoutNode2(r)))).actions.map((a) => a.op)).toEqual(['neigh-replace', 'fdb-replace', 'route-replace']);
    }
  });

  it('host-gw: one route per peer via its public IP; ipip: via the public IP on flannel.ipip onlink', () => {
    const hostgw = planRepair(broken((_r, d) => d.leases.forEach((l) => (l.backendType = 'host-gw'))));
    expect(hostgw.actions.map((a) => a.command)).toEqual(['ip route replace 10.244.2.0/24 via 192.168.56.12', 'ip route replace 10.244.3.0/24 via 192.168.56.13']);
    // the vxlan routes it replaces have the same dst and metric: undo puts them back
    expect(hostgw.actions[0].undo[0].args).toEqual(['route', 'replace', '10.244.2.0/24', 'via', '10.244.2.0', 'dev', 'flannel.1', 'onlink']);
    expect(hostgw.actions[0].before).toHaveLength(1);
    const ipip = planRepair(broken((_r, d) => d.leases.forEach((l) => (l.backendType = 'ipip'))));
    expect(ipip.actions.map((a) => a.command)).toEqual(['ip route replace 10.244.2.0/24 via 192.168.56.12 dev flannel.ipip onlink', 'ip route replace 10.244.3.0/24 via 192.168.56.13 dev flannel.ipip onlink']);
    expect(ipip.skipped.map((x) => x.target)).toEqual(['flannel.ipip']);
  });

  it('vxlan DirectRouting: a peer on a connected network gets one route via its public IP, no neigh/fdb', () => {
    const p = planRepair(broken((r, d) => {
      withoutNode2(r);
      d.netConf = { Network: '10.244.0.0/16', Backend: { Type: 'vxlan', DirectRouting: 'true' } };
    }));
    // node3 is on the same connected network: its onlink route over flannel.1 is replaced as well
    expect(p.actions.map((a) => a.command)).toEqual(['ip route replace 10.244.2.0/24 via 192.168.56.12', 'ip route replace 10.244.3.0/24 via 192.168.56.13']);
  });

  it('wireguard leases: no neigh/fdb/route to program, doctor skips and repair says why', () => {
    const wg = broken((_r, d) => d.leases.forEach((l) => (l.backendType = 'wireguard')));
    const p = planRepair(wg);
    expect(p.actions).toEqual([]);
    expect(p.skipped.map((x) => x.reason)).toEqual([expect.stringMatching(/backend wireguard/), expect.stringMatching(/backend wireguard/)]);
    expect(runDoctor(wg).skipped.map((x) => x.check)).toContain('per-lease neigh/fdb/route');
  });

  it('leaves a live device with the wrong MAC to flanneld, and says so', () => {
    const p = planRepair(broken((r) => (link(r, 'flannel.1').mac = '02:00:00:00:00:11')));
    expect(p.actions).toEqual([]);
    expect(p.skipped).toEqual([{ target: 'flannel.1', reason: expect.stringMatching(/^MAC 02:00:00:00:00:11 is not the lease VtepMAC/) }]);
  });

  it('skips a lease without VtepMAC and says why', () => {
    const p = planRepair(broken((r, d) => {
      withoutNode2(r);
      delete d.leases.find((l) => l.node === 'node2')!.vtepMac;
    }));
    expect(p.actions).toEqual([]);
    expect(p.skipped).toEqual([{ target: 'node2', reason: 'lease has no VtepMAC: nothing to program' }]);
  });

  it('refuses a bad namespace name before planning anything', () => {
    expect(() => planRepair({ ...healthy(), netns: 'a b' })).toThrow(UsageError);
  });
});

describe('command builders validate every value', () => {
  it.each([
    ['MAC', () => neighReplace('flannel.1', '10.244.2.0', '02:00:00:00:00:zz')],
    ['IP', () => fdbReplace('flannel.1', NODE2_MAC, '1.2.3.4;reboot')],
    ['device', () => neighReplace('flannel 1', '10.244.2.0', NODE2_MAC)],
    ['prefix', () => routeReplace({ dst: '10.244.2.0/33', gateway: '10.244.2.0', dev: 'flannel.1' })],
    ['option-looking device', () => linkAddVxlan({ name: 'flannel.1', mac: NODE1_MAC, mtu: 1450, vni: 1, local: '192.168.56.11', dev: '-force', port: 8472 })],
    ['VNI', () => linkAddVxlan({ name: 'flannel.1', mac: NODE1_MAC, mtu: 1450, vni: 2 ** 24, local: '192.168.56.11', dev: 'eth0', port: 8472 })],
  ])('%s', (_what, build) => {
    expect(build).toThrow(UnsafeValue);
  });
});

describe('scale', () => {
  it('doctor and plan over 50,000 peers, all missing: one finding and three actions each (timing: bench/scale.ts)', () => {
    const { snapshot, desired } = healthy();
    snapshot.neigh = [];
    snapshot.fdb = [];
    snapshot.routes = snapshot.routes.filter((r) => r.dev !== 'flannel.1');
    const own = desired.leases.find((l) => l.node === 'node1')!;
    desired.leases = [own];
    // the generated subnets span 10.16-10.211.x.0/24: a flannel Network that holds them (outside it a lease is refused)
    snapshot.subnetEnv!.network = '10.0.0.0/8';
    for (let i = 0; i < 50_000; i++) {
      const a = 16 + (i >> 8);
      const b = i & 255;
      const mac = `02:aa:00:${(i >> 16).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${b.toString(16).padStart(2, '0')}`;
      desired.leases.push({ node: `n${i}`, subnet: `10.${a}.${b}.0/24`, publicIp: `172.${16 + (i >> 16)}.${(i >> 8) & 255}.${b}`, backendType: 'vxlan', vni: 1, vtepMac: mac });
    }
    const report = runDoctor({ snapshot, desired });
    const plan = planRepair({ snapshot, desired });
    expect(report.findings.filter((f) => f.code === 'ROUTE_MISSING')).toHaveLength(50_000);
    expect(plan.actions).toHaveLength(150_000);
  });
});
