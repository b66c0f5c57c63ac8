// The IPv6 half of the lease validator: reserved space checked against an independent containment test
// (model/ipv6 cidrContains6), node overlaps against the node's own addresses and connected routes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateDesired } from '../../src/leases/validate.js';
import { leaseRefusal6, nodeRefusal6, overlaps6 } from '../../src/leases/validate6.js';
import { cidrContains6, formatIPv6 } from '../../src/model/ipv6.js';
import type { Lease } from '../../src/model/lease.js';
import { Snapshot, SNAPSHOT_SCHEMA_VERSION } from '../../src/model/snapshot.js';

const lease = (subnet6: string, extra: Partial<Lease> = {}): Lease => ({
  node: 'x', subnet: '10.244.9.0/24', publicIp: '192.168.56.20', backendType: 'vxlan', vtepMac: '02:42:00:00:00:01',
  subnet6, publicIpv6: 'fd00:56::20', vtepMac6: '02:42:00:00:00:02', ...extra,
});
const group = fc.integer({ min: 0, max: 0xffff });
const ip6 = fc.array(group, { minLength: 8, maxLength: 8 }).map(formatIPv6);
const cidr6 = fc.tuple(ip6, fc.integer({ min: 0, max: 128 })).map(([a, n]) => `${a}/${n}`);

describe('leaseRefusal6', () => {
  it('refuses the default route, link-local, multicast, loopback, unspecified; accepts a ULA /64', () => {
    for (const sn of ['::/0', '::/1', 'fe80::/64', 'febf::/16', 'ff02::/16', '::1/128', '::/128', '::ffff:0:0/96', 'not-v6/64', 'fd00::/129']) expect(leaseRefusal6(lease(sn))?.code, sn).toBe('LEASE_SUBNET_UNSAFE');
    expect(leaseRefusal6(lease('fd00:10:245::/64'), 'fd00:10:244::/56')?.code).toBe('LEASE_SUBNET_OUTSIDE_NETWORK');
    expect(leaseRefusal6(lease('fd00:10:244:9::/64', { publicIpv6: 'ff02::1' }))?.code).toBe('LEASE_BAD_PUBLIC_IP');
    expect(leaseRefusal6(lease('fd00:10:244:9::/64', { publicIpv6: 'fe80::1' }))?.code).toBe('LEASE_BAD_PUBLIC_IP');
    expect(leaseRefusal6(lease('fd00:10:244:9::/64', { vtepMac6: '33:33:00:00:00:01' }))?.code).toBe('LEASE_BAD_VTEP_MAC');
    expect(leaseRefusal6(lease('fd00:10:244:9::/64'), 'fd00:10:244::/56')).toBeUndefined();
    expect(leaseRefusal6({ ...lease(''), subnet6: undefined })).toBeUndefined();
  });

  it('any v6 subnet holding a link-local, multicast or loopback address is refused (property)', () => {
    fc.assert(
      fc.property(cidr6, (sn) => {
        const reservedInside = ['fe80::1', 'ff02::1', '::1', '::'].some((a) => cidrContains6(sn, a));
        if (reservedInside) expect(leaseRefusal6(lease(sn))).toBeDefined();
      }),
    );
  });

  it('overlaps6(a, b) is true exactly when one holds the other\'s network address (property)', () => {
    const net = (c: string): string => c.split('/')[0];
    fc.assert(
      fc.property(cidr6, cidr6, (a, b) => {
        expect(overlaps6(a, b), `${a} ${b}`).toBe(cidrContains6(a, net(b)) || cidrContains6(b, net(a)));
      }),
    );
  });

  it('validateDesired drops only the IPv6 half of a lease whose v6 subnet is refused', () => {
    const d = validateDesired({ leases: [lease('fe80::/64')], problems: [] });
    expect(d.leases).toHaveLength(1);
    expect(d.leases[0].subnet).toBe('10.244.9.0/24');
    expect(d.leases[0].subnet6).toBeUndefined();
    expect(d.refused).toEqual([expect.objectContaining({ code: 'LEASE_SUBNET_UNSAFE', family: 'v6' })]);
    expect(d.problems.map((p) => p.summary)).toEqual([expect.stringMatching(/^IPv6 half of the lease of x refused/)]);
  });
});

describe('nodeRefusal6', () => {
  const snapshot = Snapshot.parse({
    schemaVersion: SNAPSHOT_SCHEMA_VERSION, host: 'n1', time: '2026-01-01T00:00:00Z', source: { kind: 'dir' }, links: [],
    addresses: [{ dev: 'eth0', ifindex: 2, family: 'inet6', local: 'fd00:56::11', prefixlen: 64, scope: 'global' }, { dev: 'flannel-v6.1', ifindex: 9, family: 'inet6', local: 'fd00:10:244:1::', prefixlen: 128, scope: 'global' }],
    routes: [{ dst: 'fd00:99::/64', dev: 'eth1', proto: 'kernel' }, { dst: '::/0', gateway: 'fd00:56::1', dev: 'eth0' }],
    neigh: [], fdb: [],
  });
  const g = { snapshot, overlayDevs: new Set(['flannel-v6.1']), ownSubnet6: 'fd00:10:244:1::/64' };
  it("refuses a v6 subnet over the node's own lease, addresses or connected routes; not over its overlay device", () => {
    expect(nodeRefusal6(lease('fd00:10:244:1::/64'), g)?.reason).toMatch(/own IPv6 lease/);
    expect(nodeRefusal6(lease('fd00:56::/64'), g)?.reason).toMatch(/fd00:56::11\/64 on eth0/);
    expect(nodeRefusal6(lease('fd00:99::/80'), g)?.reason).toMatch(/connected route fd00:99::\/64 dev eth1/);
    expect(nodeRefusal6(lease('fd00:10:244:2::/64'), g)).toBeUndefined();
    expect(nodeRefusal6(lease('fd00:10:244:2::/64'), { ...g, network6: 'fd00:10:245::/56' })?.code).toBe('LEASE_SUBNET_OUTSIDE_NETWORK');
  });
});
