// Each planned action names the fault it fixes with its problem code (DESIGN: the same fault gets the same code in
// every command). The expected code of each injected fault comes from its definition in src/model/codes.ts and
// flannel-node-state.md (a down device loses its routes and neighbours, and its IPv6 addresses; a deleted device
// loses its fdb too), written out by hand; doctor on the same snapshot is then asked whether it names each one.
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { DesiredState } from '../../src/model/lease.js';
import { planRepair } from '../../src/repair/plan.js';
import { broken, link, NODE2_MAC, type Raw } from '../doctor/fixture.js';
import { dual, gw6, V6MAC } from './dual-fixture.js';

type Input = { snapshot: Snapshot; desired: DesiredState };
const on = (dev: string) => (x: Raw): boolean => x.dev === dev;
const not = (f: (x: Raw) => boolean) => (x: Raw): boolean => !f(x);
const gone3 = (_r: Raw, d: DesiredState): void => void (d.leases = d.leases.filter((l) => l.node !== 'node3'));
const down = (dev: string, v6: boolean) => (r: Raw): void => {
  link(r, dev).flags = ['BROADCAST', 'MULTICAST'];
  r.neigh = r.neigh.filter(not(on(dev)));
  r.routes = r.routes.filter(not(on(dev)));
  // keep_addr_on_down=0: IPv6 addresses go with the device's state, IPv4 ones stay
  if (v6) r.addresses = r.addresses.filter(not(on(dev)));
};
const deleted = (dev: string) => (r: Raw): void => {
  r.links = r.links.filter((l: Raw) => l.name !== dev);
  for (const t of ['addresses', 'neigh', 'fdb', 'routes']) r[t] = r[t].filter(not(on(dev)));
};

const v4: { fault: string; input: () => Input; actions: string[] }[] = [
  { fault: 'neighbour of node2 deleted', input: () => broken((r) => (r.neigh = r.neigh.filter((n: Raw) => n.dst !== '10.244.2.0'))), actions: ['neigh-replace NEIGH_MISSING'] },
  { fault: 'neighbour of node2 with another MAC', input: () => broken((r) => (r.neigh.find((n: Raw) => n.dst === '10.244.2.0').lladdr = '02:00:00:00:00:99')), actions: ['neigh-replace VTEP_MAC_MISMATCH'] },
  { fault: 'fdb entry of node2 deleted', input: () => broken((r) => (r.fdb = r.fdb.filter((f: Raw) => f.mac !== NODE2_MAC))), actions: ['fdb-replace FDB_MISSING'] },
  { fault: 'fdb entry of node2 to another address', input: () => broken((r) => (r.fdb.find((f: Raw) => f.mac === NODE2_MAC).dst = '192.168.56.99')), actions: ['fdb-replace FDB_DST_MISMATCH'] },
  { fault: 'route to node2 deleted', input: () => broken((r) => (r.routes = r.routes.filter((x: Raw) => x.dst !== '10.244.2.0/24'))), actions: ['route-replace ROUTE_MISSING'] },
  { fault: 'route to node2 via node3', input: () => broken((r) => (r.routes.find((x: Raw) => x.dst === '10.244.2.0/24').gateway = '10.244.3.0')), actions: ['route-replace ROUTE_MISMATCH'] },
  {
    fault: 'flannel.1 down',
    input: () => broken(down('flannel.1', false)),
    actions: ['link-up VXLAN_DEVICE_DOWN', 'neigh-replace NEIGH_MISSING', 'neigh-replace NEIGH_MISSING', 'route-replace ROUTE_MISSING', 'route-replace ROUTE_MISSING'],
  },
  {
    fault: 'flannel.1 deleted',
    input: () => broken(deleted('flannel.1')),
    actions: ['link-add VXLAN_DEVICE_MISSING', 'addr-replace VXLAN_DEVICE_MISSING', 'link-up VXLAN_DEVICE_MISSING', 'neigh-replace NEIGH_MISSING', 'neigh-replace NEIGH_MISSING', 'fdb-replace FDB_MISSING', 'fdb-replace FDB_MISSING', 'route-replace ROUTE_MISSING', 'route-replace ROUTE_MISSING'],
  },
  { fault: 'overlay address deleted', input: () => broken((r) => (r.addresses = r.addresses.filter((a: Raw) => !(a.dev === 'flannel.1' && a.family === 'inet')))), actions: ['addr-replace VXLAN_ADDR_MISSING'] },
  {
    fault: 'overlay address of another lease (--prune)',
    input: () => ({ ...broken((r) => (r.addresses.find((a: Raw) => a.dev === 'flannel.1' && a.family === 'inet').local = '10.244.9.0')), prune: true }),
    actions: ['addr-replace VXLAN_ADDR_WRONG', 'addr-del VXLAN_ADDR_WRONG'],
  },
  {
    fault: 'an extra overlay address beside the lease\'s (--prune)',
    input: () => ({ ...broken((r) => r.addresses.push({ dev: 'flannel.1', ifindex: 3, family: 'inet', local: '10.244.9.0', prefixlen: 32, scope: 'global' })), prune: true }),
    actions: ['addr-del VXLAN_ADDR_EXTRA'],
  },
  { fault: 'node3 departed (--prune)', input: () => ({ ...broken(gone3), prune: true }), actions: ['neigh-del STALE_NEIGH', 'fdb-del STALE_FDB', 'route-del STALE_ROUTE'] },
  {
    fault: 'node3 has a new VtepMAC; the old fdb entry stays (--prune)',
    input: () => ({ ...broken((_r, d) => void (d.leases.find((l) => l.node === 'node3')!.vtepMac = '02:00:00:00:00:33')), prune: true }),
    actions: ['neigh-replace VTEP_MAC_MISMATCH', 'fdb-replace FDB_MISSING', 'fdb-del FDB_OLD_MAC'],
  },
];

const v6: { fault: string; input: () => Input; actions: string[] }[] = [
  { fault: 'v6 neighbour of node2 deleted', input: () => dual((r) => (r.neigh = r.neigh.filter((n: Raw) => n.dst !== gw6(2)))), actions: ['neigh-replace NEIGH_MISSING'] },
  { fault: 'v6 fdb entry of node2 deleted', input: () => dual((r) => (r.fdb = r.fdb.filter((f: Raw) => f.mac !== V6MAC.node2))), actions: ['fdb-replace FDB_MISSING'] },
  {
    fault: 'flannel-v6.1 down (its /128 flushed with it)',
    input: () => dual(down('flannel-v6.1', true)),
    actions: ['addr-replace VXLAN_DEVICE_DOWN', 'link-up VXLAN_DEVICE_DOWN', 'neigh-replace NEIGH_MISSING', 'neigh-replace NEIGH_MISSING', 'route-replace ROUTE_MISSING', 'route-replace ROUTE_MISSING'],
  },
  {
    fault: 'flannel-v6.1 deleted',
    input: () => dual(deleted('flannel-v6.1')),
    actions: ['link-add VXLAN_DEVICE_MISSING', 'addr-replace VXLAN_DEVICE_MISSING', 'link-up VXLAN_DEVICE_MISSING', 'neigh-replace NEIGH_MISSING', 'neigh-replace NEIGH_MISSING', 'fdb-replace FDB_MISSING', 'fdb-replace FDB_MISSING', 'route-replace ROUTE_MISSING', 'route-replace ROUTE_MISSING'],
  },
  { fault: 'the /128 of an up flannel-v6.1 deleted', input: () => dual((r) => (r.addresses = r.addresses.filter(not(on('flannel-v6.1'))))), actions: ['addr-replace VXLAN_ADDR_MISSING'] },
];

const planned = (input: Input): string[] => planRepair(input).actions.map((a) => `${a.op} ${a.code}`);
const doctorCodes = (input: Input): Set<string> => new Set(runDoctor(input).findings.map((f) => f.code));

describe('repair plan: each action carries the code of the fault it fixes', () => {
  it.each(v4.map((c) => [c.fault, c] as const))('IPv4: %s', (_f, c) => {
    const input = c.input();
    expect(planned(input)).toEqual(c.actions);
    const doctor = doctorCodes(input);
    expect(planRepair(input).actions.filter((a) => !doctor.has(a.code)).map((a) => a.code), 'codes doctor does not give').toEqual([]);
    expect(planRepair(input).actions.every((a) => a.family === 'v4')).toBe(true);
  });

  it.each(v6.map((c) => [c.fault, c] as const))('IPv6: %s', (_f, c) => {
    const input = c.input();
    const p = planRepair(input);
    expect(planned(input)).toEqual(c.actions);
    expect(p.actions.every((a) => a.family === 'v6')).toBe(true);
    const doctor = doctorCodes(input);
    expect(p.actions.filter((a) => !doctor.has(a.code)).map((a) => a.code), 'codes doctor does not give').toEqual([]);
  });
});
