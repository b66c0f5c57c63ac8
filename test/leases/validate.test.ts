// The lease validator (issue 16 items 2, 3, 17): the cases the issue reproduced, and properties checked against
// an independent containment test (model/net cidrContains), not against the validator itself.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leasesFromSnapshots, planCluster } from '../../src/cluster/repair.js';
import { leasesFromEtcd } from '../../src/leases/etcd-keys.js';
import { leaseRefusal, overlaps } from '../../src/leases/validate.js';
import type { Lease } from '../../src/model/lease.js';
import { cidrContains } from '../../src/model/net.js';
import type { Snapshot } from '../../src/model/snapshot.js';

const lease = (subnet: string, extra: Partial<Lease> = {}): Lease => ({ node: 'x', subnet, publicIp: '192.168.56.20', backendType: 'vxlan', vtepMac: '02:42:00:00:00:01', ...extra });
const ip = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const cidr = fc.tuple(ip, fc.integer({ min: 0, max: 32 })).map(([a, n]) => `${a}/${n}`);

describe('leaseRefusal', () => {
  it('refuses what the issue reproduced; accepts an ordinary pod subnet', () => {
    for (const sn of ['0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1', '127.0.0.0/8', '169.254.1.0/24', '224.0.0.0/8', '255.255.255.255/32']) expect(leaseRefusal(lease(sn))?.code, sn).toBe('LEASE_SUBNET_UNSAFE');
    expect(leaseRefusal(lease('10.245.0.0/24'), '10.244.0.0/16')?.code).toBe('LEASE_SUBNET_OUTSIDE_NETWORK');
    expect(leaseRefusal(lease('10.244.9.0/24', { vtepMac: '00:00:00:00:00:00' }))?.code).toBe('LEASE_BAD_VTEP_MAC');
    expect(leaseRefusal(lease('10.244.9.0/24', { vtepMac: 'ff:ff:ff:ff:ff:ff' }))?.code).toBe('LEASE_BAD_VTEP_MAC');
    expect(leaseRefusal(lease('10.244.9.0/24', { vtepMac: '01:00:5e:00:00:01' }))?.code).toBe('LEASE_BAD_VTEP_MAC');
    expect(leaseRefusal(lease('10.244.9.0/24', { publicIp: '127.0.0.1' }))?.code).toBe('LEASE_BAD_PUBLIC_IP');
    expect(leaseRefusal(lease('10.244.9.0/24'), '10.244.0.0/16')).toBeUndefined();
  });

  it('any subnet holding a loopback, link-local or multicast address is refused (property)', () => {
    fc.assert(
      fc.property(cidr, (sn) => {
        const reservedInside = ['127.0.0.1', '169.254.0.1', '224.0.0.1', '0.0.0.1'].some((a) => cidrContains(sn, a));
        if (reservedInside) expect(leaseRefusal(lease(sn))).toBeDefined();
      }),
    );
  });

  it('overlaps(a, b) is true exactly when one holds the other\'s network address (property)', () => {
    const net = (c: string): string => {
      const [a, n] = c.split('/');
      const len = Number(n);
      const v = a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
      const size = 2 ** (32 - len);
      const s = Math.floor(v / size) * size;
      return [s >>> 24, (s >>> 16) & 255, (s >>> 8) & 255, s & 255].join('.');
    };
    fc.assert(fc.property(cidr, cidr, (a, b) => overlaps(a, b) === (cidrContains(a, net(b)) || cidrContains(b, net(a)))));
  });
});

describe('hostile desired state from each source', () => {
  it('etcd: a subnet key 0.0.0.0-0 is refused, the ordinary lease kept', () => {
    const v = JSON.stringify({ PublicIP: '192.168.56.12', BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: '02:42:00:00:00:02' } });
    const d = leasesFromEtcd('/coreos.com/network', [
      { key: '/coreos.com/network/subnets/0.0.0.0-0', value: v },
      { key: '/coreos.com/network/subnets/10.244.2.0-24', value: v },
    ], 'etcd-v3');
    expect(d.leases.map((l) => l.subnet)).toEqual(['10.244.2.0/24']);
    expect(d.problems.map((p) => p.code)).toEqual(['LEASE_SUBNET_UNSAFE']);
  });

  it('cluster mode: one node forging subnet.env 128.0.0.1/1 gets no route on the others (issue 16 item 3)', () => {
    const snaps = ['node1', 'node2', 'node3'].map((n) => JSON.parse(readFileSync(`fixtures/cluster/stale-vtep/${n}.json`, 'utf8')) as Snapshot);
    snaps[2].subnetEnv = { subnet: '128.0.0.1/1', network: '0.0.0.0/0', vars: {} } as Snapshot['subnetEnv'];
    const desired = leasesFromSnapshots(snaps);
    expect(desired.leases.map((l) => l.node)).toEqual(['node1', 'node2']);
    const plans = planCluster(snaps, desired);
    const commands = plans.flatMap((p) => p.actions.map((a) => a.command)).join('\n');
    expect(commands).not.toContain('128.0.0.0/1');
    for (const p of plans.slice(0, 2)) expect(p.skipped).toContainEqual(expect.objectContaining({ target: 'node3', code: 'LEASE_SUBNET_UNSAFE' }));
  });
});
