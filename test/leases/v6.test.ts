// Dual-stack leases: the names and shapes are flannel's (reference §3.1/§3.2; pkg/subnet/kube/annotations.go,
// pkg/subnet/subnet.go MakeSubnetKey "<v4>-<len>&<v6>-<len>", pkg/lease LeaseAttrs PublicIPv6/BackendV6Data).
import { describe, expect, it } from 'vitest';
import { leasesFromEtcd } from '../../src/leases/etcd-keys.js';
import { parseNodesJson } from '../../src/leases/kube.js';

const A = 'flannel.alpha.coreos.com';
const node = (ann: Record<string, string>, podCIDRs: string[]): object => ({
  kind: 'Node',
  metadata: { name: 'node3', annotations: { [`${A}/kube-subnet-manager`]: 'true', [`${A}/backend-type`]: 'vxlan', [`${A}/public-ip`]: '192.168.56.13', [`${A}/backend-data`]: '{"VNI":1,"VtepMAC":"4e:9d:22:aa:10:03"}', ...ann } },
  spec: { podCIDR: podCIDRs[0], podCIDRs },
});

describe('IPv6 half of a lease', () => {
  it('kube: podCIDRs v6 entry, public-ipv6, backend-v6-data', () => {
    const d = parseNodesJson(JSON.stringify({ items: [node({ [`${A}/public-ipv6`]: 'FD00:56:0:0::13', [`${A}/backend-v6-data`]: '{"VNI":1,"VtepMAC":"6A:11:22:33:44:55"}' }, ['10.244.3.0/24', 'fd00:10:244:3::/64'])] }));
    expect(d.problems).toEqual([]);
    expect(d.leases[0]).toMatchObject({ subnet: '10.244.3.0/24', subnet6: 'fd00:10:244:3::/64', publicIpv6: 'fd00:56::13', vni6: 1, vtepMac6: '6a:11:22:33:44:55' });
  });

  it('kube: public-ipv6-overwrite wins; a malformed v6 address is a problem, the v4 lease stays', () => {
    const d = parseNodesJson(JSON.stringify({ items: [node({ [`${A}/public-ipv6`]: 'fd00:56::13', [`${A}/public-ipv6-overwrite`]: 'fd00:56::1:2:3:4:5:6' }, ['10.244.3.0/24', 'fd00:10:244:3::/64'])] }));
    expect(d.leases[0].subnet).toBe('10.244.3.0/24');
    expect(d.leases[0].publicIpv6).toBeUndefined();
    expect(d.problems.map((p) => p.code)).toEqual(['LEASE_BAD_PUBLIC_IP']);
  });

  it('etcd: the key\'s &v6 part, PublicIPv6 and BackendV6Data', () => {
    const value = JSON.stringify({ PublicIP: '192.168.56.13', PublicIPv6: 'fd00:56::13', BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: '4e:9d:22:aa:10:03' }, BackendV6Data: { VNI: 1, VtepMAC: '6a:11:22:33:44:55' } });
    const d = leasesFromEtcd('/coreos.com/network', [{ key: '/coreos.com/network/subnets/10.244.3.0-24&fd00:10:244:3::-64', value }], 'etcd-v3');
    expect(d.problems).toEqual([]);
    expect(d.leases[0]).toMatchObject({ subnet: '10.244.3.0/24', subnet6: 'fd00:10:244:3::/64', publicIpv6: 'fd00:56::13', vtepMac6: '6a:11:22:33:44:55' });
  });

  it('etcd: PublicIPv6 null (a v4-only lease, as flannel writes it) adds nothing', () => {
    const value = JSON.stringify({ PublicIP: '192.168.56.13', PublicIPv6: null, BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: '4e:9d:22:aa:10:03' } });
    const d = leasesFromEtcd('/coreos.com/network', [{ key: '/coreos.com/network/subnets/10.244.3.0-24', value }], 'etcd-v3');
    expect(d.problems).toEqual([]);
    expect(Object.keys(d.leases[0]).filter((k) => k.endsWith('6'))).toEqual([]);
  });
});
