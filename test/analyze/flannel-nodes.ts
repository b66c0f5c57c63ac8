// Snapshots shaped exactly as flanneld programs a healthy vxlan node (flannel-node-state.md §2), built at model
// level: the matrix and the two-node trace tests start from them and change one thing.
import type { SnapshotInput } from '../../src/model/snapshot.js';

export interface Spec {
  name: string;
  ip: string;
  n: number;
  mac: string;
}
export const specs: Spec[] = [
  { name: 'node1', ip: '192.168.56.11', n: 1, mac: '8a:1c:3f:5e:77:01' },
  { name: 'node2', ip: '192.168.56.12', n: 2, mac: '8a:1c:3f:5e:77:02' },
  { name: 'node3', ip: '192.168.56.13', n: 3, mac: '4e:9d:22:aa:10:03' },
];

export function healthy(self: Spec, all: Spec[]): SnapshotInput {
  const peers = all.filter((p) => p !== self);
  return {
    schemaVersion: 1,
    host: self.name,
    time: '2026-11-23T17:00:00Z',
    source: { kind: 'snapshot' },
    links: [
      { ifindex: 2, name: 'eth0', kind: 'device', mac: '02:00:00:00:00:0' + self.n },
      { ifindex: 3, name: 'flannel.1', kind: 'vxlan', mac: self.mac, vni: 1, local: self.ip, dev: 'eth0', port: 8472 },
      { ifindex: 4, name: 'cni0', kind: 'bridge' },
    ],
    addresses: [
      { dev: 'eth0', family: 'inet', local: self.ip, prefixlen: 24 },
      { dev: 'flannel.1', family: 'inet', local: `10.244.${self.n}.0`, prefixlen: 32 },
      { dev: 'cni0', family: 'inet', local: `10.244.${self.n}.1`, prefixlen: 24 },
    ],
    routes: [
      { dst: `10.244.${self.n}.0/24`, dev: 'cni0', scope: 'link' },
      ...peers.map((p) => ({ dst: `10.244.${p.n}.0/24`, gateway: `10.244.${p.n}.0`, dev: 'flannel.1', onlink: true })),
    ],
    neigh: peers.map((p) => ({ dst: `10.244.${p.n}.0`, dev: 'flannel.1', lladdr: p.mac, state: ['PERMANENT'] })),
    fdb: peers.map((p) => ({ mac: p.mac, dev: 'flannel.1', dst: p.ip, self: true, state: 'permanent' })),
  };
}
