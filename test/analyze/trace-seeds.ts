// Snapshots built from the seed posts' values (/work/shared/seeds), for unit tests of the analysis.
import { Snapshot, type SnapshotInput } from '../../src/model/index.js';

const route = (dst: string, dev: string, gateway?: string, extra: Record<string, unknown> = {}) => ({ dst, dev, gateway, ...extra });

export function snap(host: string, input: Partial<SnapshotInput>): Snapshot {
  return Snapshot.parse({ schemaVersion: 1, host, time: '2026-01-01T00:00:00Z', source: { kind: 'dir', name: host }, ...input });
}

/** seed 000: k8snode028, vxlan, lease 10.27.9.0/24 (route -n, ifconfig, arp -e, bridge fdb, brctl show, subnet.env). */
export function k8snode028(): Snapshot {
  // route -n cannot print onlink; its parser infers it for a gateway inside the route's own, unconnected prefix
  const flannelRoutes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14].map((i) => route(`10.27.${i}.0/24`, 'flannel.1', `10.27.${i}.0`, { onlink: true, onlinkInferred: true }));
  return snap('k8snode028', {
    links: [
      { kind: 'bridge', ifindex: 7, name: 'docker0', mtu: 1500, mac: '02:42:1c:85:aa:91', flags: ['UP'] },
      { kind: 'bridge', ifindex: 12, name: 'cni0', mtu: 1450, mac: '0a:58:0a:1b:09:01', flags: ['UP'] },
      { kind: 'vxlan', ifindex: 0, name: 'flannel.1', mtu: 1450 },
    ],
    addresses: [
      { dev: 'cni0', family: 'inet', local: '10.27.9.1', prefixlen: 24 },
      { dev: 'flannel.1', family: 'inet', local: '10.27.9.0', prefixlen: 32 },
    ],
    routes: [route('0.0.0.0/0', 'bond0', '10.18.19.1'), route('10.18.19.0/24', 'bond0'), ...flannelRoutes, route('10.27.9.0/24', 'cni0'), route('169.254.0.0/16', 'bond0', undefined, { metric: 1006 }), route('172.17.0.0/16', 'docker0')],
    neigh: [{ dst: '10.29.13.0', dev: 'flannel.1', lladdr: '42:32:74:de:24:50', state: ['PERMANENT'] }, { dst: '10.27.13.0', dev: 'flannel.1', lladdr: '42:32:74:de:24:50', state: ['PERMANENT'] }],
    fdb: [{ mac: '42:32:74:de:24:50', dev: 'flannel.1', dst: '10.18.19.129', self: true, state: 'permanent' }],
    bridges: [{ name: 'cni0', bridgeId: '8000.0a580a1d0d01', stp: false, interfaces: ['veth0985a0b8', 'veth1253dd53'] }, { name: 'docker0', bridgeId: '8000.0242fbd0e139', stp: false, interfaces: [] }],
    subnetEnv: { network: '10.27.0.0/16', subnet: '10.27.9.1/24', mtu: 1450, ipmasq: true, vars: {} },
  });
}

/** seed 002: node1.whale.com, ipip, lease 10.244.1.0/24, pod cni-test-…-jl2bh behind vethb74d434d (ifindex 7). */
export function ipipNode1(): Snapshot {
  return snap('node1.whale.com', {
    links: [
      { kind: 'device', ifindex: 2, name: 'ens33', mtu: 1500, flags: ['UP'] },
      { kind: 'ipip', ifindex: 5, name: 'flannel.ipip', mtu: 1480, flags: ['NOARP', 'UP', 'LOWER_UP'], local: '192.168.0.81', remote: 'any' },
      { kind: 'bridge', ifindex: 6, name: 'cni0', mtu: 1480, flags: ['UP'] },
      { kind: 'veth', ifindex: 7, name: 'vethb74d434d', mtu: 1480, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], master: 'cni0', mac: 'fe:b1:c5:f4:d0:b2', linkIndex: 4, linkNetnsid: 0 },
    ],
    addresses: [
      { dev: 'ens33', family: 'inet', local: '192.168.0.81', prefixlen: 24 },
      { dev: 'cni0', family: 'inet', local: '10.244.1.1', prefixlen: 24 },
    ],
    routes: [
      route('0.0.0.0/0', 'ens33', '192.168.0.1', { metric: 100 }),
      route('10.244.0.0/24', 'flannel.ipip', '192.168.0.80', { onlink: true }),
      route('10.244.1.0/24', 'cni0'),
      route('10.244.2.0/24', 'flannel.ipip', '192.168.0.82', { onlink: true }),
      route('172.17.0.0/16', 'docker0'),
      route('192.168.0.0/24', 'ens33', undefined, { metric: 100 }),
    ],
    pods: [{ pod: 'default/cni-test-777bbd57c8-jl2bh', ip: '10.244.1.2', mac: 'ea:bc:22:e6:7a:fa', iflink: 7, ifindex: 4, mtu: 1480 }],
    subnetEnv: { network: '10.244.0.0/16', subnet: '10.244.1.1/24', mtu: 1480, vars: {} },
  });
}

/** seed 003: hdss7-21, host-gw, docker0 as the pod bridge (172.7.21.1/24). */
export function hdss721(): Snapshot {
  return snap('hdss7-21', {
    links: [
      { kind: 'device', ifindex: 2, name: 'ens33', mtu: 1500, mac: '00:0c:29:88:a2:40', flags: ['UP'] },
      { kind: 'bridge', ifindex: 3, name: 'docker0', mtu: 1500, mac: '02:42:14:a6:e8:1c', flags: ['UP'] },
    ],
    addresses: [
      { dev: 'ens33', family: 'inet', local: '10.4.7.21', prefixlen: 24 },
      { dev: 'docker0', family: 'inet', local: '172.7.21.1', prefixlen: 24 },
    ],
    routes: [route('0.0.0.0/0', 'ens33', '10.4.7.254', { metric: 100 }), route('10.4.7.0/24', 'ens33', undefined, { metric: 100 }), route('172.7.21.0/24', 'docker0'), route('172.7.22.0/24', 'ens33', '10.4.7.22')],
  });
}

/** seed 004: a calico node (vms100) with /32 routes straight to caliXXXX veths. */
export function calicoNode(): Snapshot {
  return snap('vms100', {
    links: [
      { kind: 'device', ifindex: 2, name: 'ens32', mtu: 1500, flags: ['UP'] },
      { kind: 'veth', ifindex: 9, name: 'calid5e76ad523e', mtu: 1440, flags: ['UP'], linkNetnsid: 1 },
    ],
    addresses: [{ dev: 'ens32', family: 'inet', local: '192.168.26.100', prefixlen: 24 }],
    routes: [
      route('0.0.0.0/0', 'ens32', '192.168.26.2'),
      route('10.244.38.128/26', 'tunl0', '192.168.26.103', { onlink: true }),
      { dst: '10.244.169.64/26', type: 'blackhole' },
      route('10.244.169.65/32', 'calid5e76ad523e', undefined, { scope: 'link' }),
      route('192.168.26.0/24', 'ens32'),
    ],
  });
}
