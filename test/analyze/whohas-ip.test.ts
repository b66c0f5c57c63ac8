import { describe, expect, it } from 'vitest';
import { normalizeIp, whohasIp } from '../../src/analyze/whohas-ip.js';
import type { DesiredState } from '../../src/model/index.js';
import { snap } from './trace-seeds.js';

// A dual-stack node written by hand: node1 (10.0.0.1 / fd00:1::1), lease 10.244.1.0/24 + fd00:10:244:1::/64, one pod,
// its peer node2 (10.0.0.2 / fd00:1::2, lease fd00:10:244:2::/64) as flanneld programs it on flannel-v6.1.
const node1 = () =>
  snap('node1', {
    links: [
      { kind: 'vxlan', ifindex: 4, name: 'flannel-v6.1', mac: '02:00:00:00:01:06', local: 'fd00:1::1' },
      { kind: 'veth', ifindex: 7, name: 'veth1', mac: '02:00:00:00:07:07' },
    ],
    addresses: [
      { dev: 'eth0', family: 'inet6', local: 'fd00:1::1', prefixlen: 64 },
      { dev: 'flannel-v6.1', family: 'inet6', local: 'fd00:10:244:1::', prefixlen: 128 },
    ],
    neigh: [{ dst: 'fd00:10:244:2::', dev: 'flannel-v6.1', lladdr: '02:00:00:00:02:06', state: ['PERMANENT'] }],
    fdb: [{ mac: '02:00:00:00:02:06', dev: 'flannel-v6.1', dst: 'fd00:1::2', flags: ['self'], state: 'permanent' }],
    pods: [{ pod: 'default/web', ifname: 'eth0', iflink: 7, ip: '10.244.1.5', ip6: 'fd00:10:244:1::5', mac: '0a:58:0a:f4:01:05' }],
  });
const desired: DesiredState = {
  leases: [
    { node: 'node1', subnet: '10.244.1.0/24', publicIp: '10.0.0.1', backendType: 'vxlan', subnet6: 'fd00:10:244:1::/64', publicIpv6: 'fd00:1::1' },
    { node: 'node2', subnet: '10.244.2.0/24', publicIp: '10.0.0.2', backendType: 'vxlan', subnet6: 'fd00:10:244:2::/64', publicIpv6: 'fd00:1::2' },
  ],
  problems: [],
};

describe('whohas <IP>', () => {
  it('a pod IPv6 address in any spelling: the pod behind veth1 and node1\'s lease', () => {
    for (const spelling of ['fd00:10:244:1::5', 'FD00:0010:0244:0001:0000:0000:0000:0005']) {
      const ip = normalizeIp(spelling)!;
      const r = whohasIp([node1()], ip, desired);
      expect(r.ip).toBe('fd00:10:244:1::5');
      expect(r.owners.map((o) => o.kind)).toEqual(['pod', 'lease']);
      expect(r.owners[0]).toMatchObject({ pod: 'default/web', node: 'node1' });
      expect(r.owners[0].detail).toContain('host veth veth1');
      expect(r.owners[1]).toMatchObject({ node: 'node1', device: 'subnet', ip: 'fd00:10:244:1::/64', nodeIp: 'fd00:1::1' });
      expect(r.duplicate).toBe(false);
    }
  });

  it('the same pod by its IPv4 address: the v4 lease', () => {
    const r = whohasIp([node1()], '10.244.1.5', desired);
    expect(r.owners.map((o) => o.kind)).toEqual(['pod', 'lease']);
    expect(r.owners[1]).toMatchObject({ ip: '10.244.1.0/24', nodeIp: '10.0.0.1' });
  });

  it('a peer\'s flannel-v6.1 address: the neighbour to its VtepMAC and node2\'s lease', () => {
    const r = whohasIp([node1()], 'fd00:10:244:2::', desired);
    expect(r.owners).toEqual([
      expect.objectContaining({ kind: 'neigh', device: 'flannel-v6.1', state: 'PERMANENT' }),
      expect.objectContaining({ kind: 'lease', node: 'node2', ip: 'fd00:10:244:2::/64', nodeIp: 'fd00:1::2' }),
    ]);
    expect(r.owners[0].detail).toContain('-> 02:00:00:00:02:06');
  });

  it('a node\'s public-ipv6: the fdb entry that sends to it and the lease; its own public-ipv6 is an eth0 address', () => {
    const peer = whohasIp([node1()], 'fd00:1::2', desired);
    expect(peer.owners).toEqual([
      expect.objectContaining({ kind: 'fdb', device: 'flannel-v6.1', nodeIp: 'fd00:1::2' }),
      expect.objectContaining({ kind: 'lease', device: 'public-ipv6', node: 'node2' }),
    ]);
    const own = whohasIp([node1()], 'fd00:1::1', desired);
    expect(own.owners.map((o) => [o.kind, o.device])).toEqual([['link', 'eth0'], ['lease', 'public-ipv6']]);
  });

  it('one address on two nodes is a duplicate; an unknown address is owned by nothing', () => {
    const two = whohasIp([node1(), snap('node2', { addresses: [{ dev: 'eth0', family: 'inet6', local: 'fd00:1::1', prefixlen: 64 }] })], 'fd00:1::1');
    expect(two.duplicate).toBe(true);
    expect(two.summary).toBe('fd00:1::1 is held by 2 different things (duplicate address)');
    expect(whohasIp([node1()], 'fd00:99::1').summary).toBe('nothing in the given state owns fd00:99::1');
  });

  it('accepts only IP addresses', () => {
    expect(normalizeIp('fd00::1::2')).toBeUndefined();
    expect(normalizeIp('10.0.0.256')).toBeUndefined();
    expect(normalizeIp('fd00:1::zz')).toBeUndefined();
  });
});
