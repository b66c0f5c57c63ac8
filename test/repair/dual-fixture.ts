// node1 of the healthy fixture made dual-stack the way flanneld programs it with EnableIPv6 (vxlan.go,
// vxlan_network.go; the same layout as test/netns/flannel-cluster-v6.ts): flannel-v6.1 (its own VtepMAC, local =
// eth0's fd00:56::11, mtu 1430 = 1500 − 70), fd00:10:244:1::/128 on it, per peer neigh <subnet6 address> ->
// v6 VtepMAC PERMANENT, fdb v6 VtepMAC dst <public-ipv6>, route <subnet6> via <subnet6 address> onlink (metric
// 1024, the kernel's default for IPv6). The leases get the v6 half of the Node annotations.
import type { DesiredState } from '../../src/model/lease.js';
import { Snapshot } from '../../src/model/snapshot.js';
import { healthyRaw, type Raw } from '../doctor/fixture.js';

export const V6MAC = { node1: '02:66:00:00:00:01', node2: '02:66:00:00:00:02', node3: '02:66:00:00:00:03' } as const;
export const ip6 = (n: number): string => `fd00:56::${10 + n}`;
export const subnet6 = (n: number): string => `fd00:10:244:${n}::/64`;
export const gw6 = (n: number): string => `fd00:10:244:${n}::`;

export function dualRaw(): { raw: Raw; desired: DesiredState } {
  const { raw, desired } = healthyRaw();
  const eth0 = raw.links.find((l: Raw) => l.name === 'eth0');
  raw.addresses.push({ dev: 'eth0', ifindex: eth0.ifindex, family: 'inet6', local: ip6(1), prefixlen: 64, scope: 'global' });
  raw.links.push({ ifindex: 40, name: 'flannel-v6.1', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1430, operstate: 'UNKNOWN', mac: V6MAC.node1, kind: 'vxlan', vni: 1, local: ip6(1), dev: 'eth0', port: 8472, learning: false });
  raw.addresses.push({ dev: 'flannel-v6.1', ifindex: 40, family: 'inet6', local: gw6(1), prefixlen: 128, scope: 'global' });
  raw.routes.push({ table: 'main', type: 'unicast', dst: 'fd00:56::/64', dev: 'eth0', proto: 'kernel', metric: 256, onlink: false, flags: [] });
  for (const n of [2, 3] as const) {
    const mac = V6MAC[`node${n}`];
    raw.neigh.push({ dst: gw6(n), dev: 'flannel-v6.1', lladdr: mac, state: ['PERMANENT'], router: false, proxy: false });
    raw.fdb.push({ mac, dev: 'flannel-v6.1', dst: ip6(n), self: true, state: 'permanent', flags: [] });
    raw.routes.push({ table: 'main', type: 'unicast', dst: subnet6(n), gateway: gw6(n), dev: 'flannel-v6.1', metric: 1024, onlink: true, flags: [] });
  }
  desired.leases.forEach((l, i) => Object.assign(l, { subnet6: subnet6(i + 1), publicIpv6: ip6(i + 1), vni6: 1, vtepMac6: V6MAC[`node${i + 1}` as keyof typeof V6MAC] }));
  return { raw, desired };
}

/** The dual-stack node with one change applied. */
export function dual(change: (raw: Raw, desired: DesiredState) => void = () => {}): { snapshot: Snapshot; desired: DesiredState } {
  const { raw, desired } = dualRaw();
  change(raw, desired);
  return { snapshot: Snapshot.parse(raw), desired };
}
