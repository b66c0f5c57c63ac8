// node1 as `ip` shows a flannel wireguard node (reference §2.10; 192.168.56.11, fd00:56::11): flannel-wg when IPv4
// is on, flannel-wg-v6 when IPv6 is on (Mode separate, as flanneld makes them), with `wg show all dump` as given.
import { Snapshot } from '../../src/model/snapshot.js';
import { parseWgDump } from '../../src/parse/index.js';

const WG_FLAGS = ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'];

export function wgNode1(dump: string, families: { v4?: boolean; v6?: boolean } = {}): Snapshot {
  const v4 = families.v4 ?? true;
  const v6 = families.v6 ?? false;
  return Snapshot.parse({
    schemaVersion: 1,
    host: 'node1',
    time: '2026-11-29T00:00:00Z',
    source: { kind: 'dir', name: 'node1' },
    links: [
      { kind: 'device', ifindex: 2, name: 'eth0', mtu: 1500, flags: ['UP', 'LOWER_UP'] },
      ...(v4 ? [{ kind: 'wireguard', ifindex: 3, name: 'flannel-wg', mtu: 1420, flags: WG_FLAGS }] : []),
      ...(v6 ? [{ kind: 'wireguard', ifindex: 4, name: 'flannel-wg-v6', mtu: 1420, flags: WG_FLAGS }] : []),
    ],
    addresses: [
      ...(v4 ? [{ dev: 'eth0', family: 'inet', local: '192.168.56.11', prefixlen: 24 }, { dev: 'flannel-wg', family: 'inet', local: '10.244.1.0', prefixlen: 32 }] : []),
      ...(v6 ? [{ dev: 'eth0', family: 'inet6', local: 'fd00:56::11', prefixlen: 64 }, { dev: 'flannel-wg-v6', family: 'inet6', local: 'fd00:10:244:1::', prefixlen: 128 }] : []),
    ],
    routes: [
      ...(v4 ? [{ dst: '10.244.0.0/16', dev: 'flannel-wg', scope: 'link' }, { dst: '192.168.56.0/24', dev: 'eth0', scope: 'link', src: '192.168.56.11' }] : []),
      ...(v6 ? [{ dst: 'fd00:10:244::/56', dev: 'flannel-wg-v6', scope: 'link' }, { dst: 'fd00:56::/64', dev: 'eth0', scope: 'link' }] : []),
    ],
    wireguard: parseWgDump(dump),
    commands: [{ name: 'wg-dump', ok: true, form: 'text' }],
  });
}
