// The VtepMAC a probe's verdict compares the inner destination MAC with: the one the destination's lease announces
// for its family (flannel's backend-data for IPv4, backend-v6-data for IPv6). A dual-stack node's two VXLAN
// devices have different MACs, so the IPv4 one against an IPv6 probe would call every lost packet a stale VtepMAC.
import { describe, expect, it } from 'vitest';
import { leaseVtepMac } from '../../src/analyze/probe-plan.js';
import type { Lease } from '../../src/model/index.js';

const node2: Lease = {
  node: 'node2',
  backendType: 'vxlan',
  subnet: '10.244.2.0/24',
  publicIp: '192.168.56.12',
  vni: 1,
  vtepMac: '02:00:00:00:00:22',
  subnet6: 'fd00:10:244:2::/64',
  publicIpv6: 'fd00:56::12',
  vni6: 1,
  vtepMac6: '02:00:00:00:06:22',
};

describe('leaseVtepMac', () => {
  it('an IPv4 pod: backend-data\'s VtepMAC', () => expect(leaseVtepMac([node2], '10.244.2.7')).toBe('02:00:00:00:00:22'));
  it('an IPv6 pod: backend-v6-data\'s VtepMAC', () => expect(leaseVtepMac([node2], 'fd00:10:244:2::7')).toBe('02:00:00:00:06:22'));
  it('an address no lease holds: none', () => {
    expect(leaseVtepMac([node2], '10.244.3.7')).toBeUndefined();
    expect(leaseVtepMac([node2], 'fd00:10:244:3::7')).toBeUndefined();
  });
});
