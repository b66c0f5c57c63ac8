// repair's IPv6 half on a dual-stack node: expected commands are flanneld's own programming (vxlan_network.go
// AddV6ARP / AddV6FDB / RouteReplace with RTNH_F_ONLINK, vxlan.go's flannel-v6.<VNI>) written out as iproute2
// commands, the same as test/netns/flannel-cluster-v6.ts runs them to build the lab.
import { describe, expect, it } from 'vitest';
import { validateDesired } from '../../src/leases/validate.js';
import type { Lease } from '../../src/model/lease.js';
import { planRepair } from '../../src/repair/plan.js';
import { rebuildCmd } from '../../src/repair/rebuild.js';
import type { Raw } from '../doctor/fixture.js';
import { dual, gw6, ip6, subnet6, V6MAC } from './dual-fixture.js';

const v6 = (p: ReturnType<typeof planRepair>): string[] => p.actions.filter((a) => a.family === 'v6').map((a) => a.command);
const onV6 = (x: Raw): boolean => x.dev === 'flannel-v6.1';
const withoutV6Peer = (n: number) => (r: Raw): void => {
  r.neigh = r.neigh.filter((x: Raw) => !(onV6(x) && x.dst === gw6(n)));
  r.fdb = r.fdb.filter((x: Raw) => !(onV6(x) && x.mac === V6MAC[`node${n}` as keyof typeof V6MAC]));
  r.routes = r.routes.filter((x: Raw) => x.dst !== subnet6(n));
};

describe('planRepair: IPv6 (flannel-v6.1)', () => {
  it('a healthy dual-stack node: nothing to do in either family', () => {
    const p = planRepair(dual());
    expect(p.actions).toEqual([]);
    expect(p.skipped).toEqual([]);
  });

  it('a v6 peer re-added as flanneld adds it; undo deletes what was absent; the journal validator rebuilds every undo', () => {
    const p = planRepair({ ...dual(withoutV6Peer(2)), netns: 'fctx-n1' });
    expect(p.actions.map((a) => a.command)).toEqual([
      `ip -n fctx-n1 neigh replace fd00:10:244:2:: dev flannel-v6.1 lladdr ${V6MAC.node2} nud permanent`,
      `bridge -n fctx-n1 fdb replace ${V6MAC.node2} dev flannel-v6.1 dst fd00:56::12 self permanent`,
      'ip -n fctx-n1 route replace fd00:10:244:2::/64 via fd00:10:244:2:: dev flannel-v6.1 onlink',
    ]);
    expect(p.actions.map((a) => a.family)).toEqual(['v6', 'v6', 'v6']);
    expect(p.actions.map((a) => a.reason.split(' ')[0])).toEqual(['NEIGH_MISSING', 'FDB_MISSING', 'ROUTE_MISSING']);
    expect(p.actions.map((a) => a.undo.map((u) => u.args.join(' ')))).toEqual([
      ['neigh del fd00:10:244:2:: dev flannel-v6.1'],
      [`fdb del ${V6MAC.node2} dev flannel-v6.1 dst fd00:56::12 self`],
      ['route del fd00:10:244:2::/64 via fd00:10:244:2:: dev flannel-v6.1 onlink'],
    ]);
    for (const a of p.actions) for (const u of a.undo) expect(rebuildCmd(u)).toEqual(u);
  });

  it('both families broken for one peer: one plan, each action tagged, neigh before fdb before route across families', () => {
    const p = planRepair(dual((r) => {
      withoutV6Peer(2)(r);
      r.neigh = r.neigh.filter((x: Raw) => x.dst !== '10.244.2.0');
      r.routes = r.routes.filter((x: Raw) => x.dst !== '10.244.2.0/24');
    }));
    expect(p.actions.map((a) => `${a.family} ${a.op}`)).toEqual(['v4 neigh-replace', 'v6 neigh-replace', 'v6 fdb-replace', 'v4 route-replace', 'v6 route-replace']);
  });

  it('a v6 route pointing elsewhere (metric 1024, the kernel default) is replaced; undo puts that route back', () => {
    const p = planRepair(dual((r) => (r.routes.find((x: Raw) => x.dst === subnet6(2)).gateway = gw6(3))));
    expect(v6(p)).toEqual(['ip route replace fd00:10:244:2::/64 via fd00:10:244:2:: dev flannel-v6.1 onlink']);
    expect(p.actions[0].undo[0].args).toEqual(['route', 'replace', 'fd00:10:244:2::/64', 'via', 'fd00:10:244:3::', 'dev', 'flannel-v6.1', 'onlink', 'metric', '1024']);
  });

  it('recreates a deleted flannel-v6.1 with the own backend-v6-data VtepMAC, local = public-ipv6, MTU underlay − 70', () => {
    const p = planRepair(dual((r) => {
      r.links = r.links.filter((l: Raw) => !onV6({ dev: l.name }));
      r.addresses = r.addresses.filter((a: Raw) => !onV6(a));
      r.neigh = r.neigh.filter((x: Raw) => !onV6(x));
      r.fdb = r.fdb.filter((x: Raw) => !onV6(x));
      r.routes = r.routes.filter((x: Raw) => !onV6(x));
    }));
    expect(v6(p).slice(0, 3)).toEqual([
      `ip link add flannel-v6.1 address ${V6MAC.node1} mtu 1430 type vxlan id 1 local ${ip6(1)} dev eth0 dstport 8472 nolearning`,
      'ip addr replace fd00:10:244:1::/128 dev flannel-v6.1',
      'ip link set dev flannel-v6.1 up',
    ]);
    expect(p.actions.filter((a) => a.family === 'v6').slice(3).map((a) => a.op)).toEqual(['neigh-replace', 'neigh-replace', 'fdb-replace', 'fdb-replace', 'route-replace', 'route-replace']);
    expect(p.actions.filter((a) => a.family === 'v4')).toEqual([]);
  });

  it('brings a down flannel-v6.1 up with its /128 (flushed on down) and re-adds neighbours and routes; fdb entries stay', () => {
    const p = planRepair(dual((r) => {
      r.links.find((l: Raw) => l.name === 'flannel-v6.1').flags = ['BROADCAST', 'MULTICAST'];
      r.addresses = r.addresses.filter((a: Raw) => !onV6(a));
      r.neigh = r.neigh.filter((x: Raw) => !onV6(x));
      r.routes = r.routes.filter((x: Raw) => !onV6(x));
    }));
    expect(p.actions.map((a) => a.op)).toEqual(['addr-replace', 'link-up', 'neigh-replace', 'neigh-replace', 'route-replace', 'route-replace']);
    expect(p.actions.slice(0, 2).map((a) => a.undo.map((u) => u.args.join(' ')))).toEqual([['addr del fd00:10:244:1::/128 dev flannel-v6.1'], ['link set dev flannel-v6.1 down']]);
  });

  it('a v4-only lease for this node: flannel-v6.1 is left alone', () => {
    const p = planRepair(dual((r, d) => {
      withoutV6Peer(2)(r);
      const own = d.leases.find((l) => l.node === 'node1')!;
      delete own.subnet6;
    }));
    expect(p.actions).toEqual([]);
  });

  it('--prune per family: a departed node\'s v4 and v6 entries go, in flannel order, each tagged', () => {
    const gone = (_r: Raw, d: { leases: Lease[] }): void => void (d.leases = d.leases.filter((l) => l.node !== 'node3'));
    expect(planRepair(dual(gone)).actions).toEqual([]);
    const p = planRepair({ ...dual(gone), prune: true });
    expect(p.actions.filter((a) => a.family === 'v6').map((a) => `${a.op} ${a.target}`)).toEqual([
      'neigh-del fd00:10:244:3:: dev flannel-v6.1',
      `fdb-del ${V6MAC.node3} dst fd00:56::13`,
      'route-del fd00:10:244:3::/64',
    ]);
    expect(p.actions.filter((a) => a.family === 'v4').map((a) => a.op)).toEqual(['neigh-del', 'fdb-del', 'route-del']);
    expect(p.actions.find((a) => a.op === 'route-del' && a.family === 'v6')!.undo[0].args).toEqual(['route', 'replace', 'fd00:10:244:3::/64', 'via', 'fd00:10:244:3::', 'dev', 'flannel-v6.1', 'onlink', 'metric', '1024']);
  });

  it('--prune with no usable IPv6 peer lease leaves flannel-v6.1 alone and says so', () => {
    const p = planRepair({ ...dual((_r, d) => d.leases.filter((l) => l.node !== 'node1').forEach((l) => delete l.subnet6)), prune: true });
    expect(p.actions.filter((a) => a.family === 'v6')).toEqual([]);
    expect(p.skipped).toContainEqual({ target: 'flannel-v6.1', reason: expect.stringMatching(/no usable IPv6 peer lease/) });
  });

  it('a link-local IPv6 lease: only its v6 half is refused (coded, exit 1); its IPv4 half is still repaired', () => {
    const node = dual((r, d) => {
      withoutV6Peer(2)(r);
      r.routes = r.routes.filter((x: Raw) => x.dst !== '10.244.2.0/24');
      d.leases.find((l) => l.node === 'node2')!.subnet6 = 'fe80::/64';
    });
    // as every lease source hands its leases over (leases/lease.ts)
    const p = planRepair({ ...node, desired: validateDesired(node.desired) });
    expect(p.actions.map((a) => `${a.family} ${a.command}`)).toEqual(['v4 ip route replace 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink']);
    expect(p.skipped).toEqual([{ target: 'node2', code: 'LEASE_SUBNET_UNSAFE', reason: expect.stringMatching(/^IPv6 half not programmed: IPv6 subnet fe80::\/64 overlaps fe80::\/10/) }]);
  });
});
