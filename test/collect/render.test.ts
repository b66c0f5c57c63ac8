// show's tables and the progress line.
import { describe, expect, it } from 'vitest';
import { Snapshot } from '../../src/model/index.js';
import { stderrProgress } from '../../src/render/progress.js';
import { linkDetails, renderShow, SHOW_SUBJECTS, showItems } from '../../src/render/state-tables.js';

const snap = Snapshot.parse({
  schemaVersion: 1,
  host: 'node1',
  time: '2026-11-23T17:00:00.000Z',
  source: { kind: 'snapshot', name: 'node1.json' },
  links: [
    { ifindex: 3, name: 'flannel.1', kind: 'vxlan', vni: 1, local: '192.168.56.11', dev: 'eth0', port: 8472, learning: false, mtu: 1450, mac: '8a:1c:3f:5e:77:01', operstate: 'UNKNOWN' },
    { ifindex: 5, name: 'vethpref', kind: 'veth', master: 'cni0', linkIndex: 2, linkNetns: 'pod1' },
  ],
  routes: [{ dst: '10.244.3.0/24', gateway: '10.244.3.0', dev: 'flannel.1', onlink: true, metric: 0 }, { type: 'blackhole', dst: '10.244.9.0/24' }],
  neigh: [{ dst: '10.244.3.0', dev: 'flannel.1', lladdr: '4e:9d:22:aa:10:03', state: ['PERMANENT'] }],
  fdb: [{ mac: '4e:9d:22:aa:10:03', dev: 'flannel.1', dst: '192.168.56.13', self: true, state: 'permanent', flags: [] }],
  bridges: [{ name: 'cni0', bridgeId: '8000.9ecf6b77c827', stp: false, interfaces: ['vethpref'] }],
  iptables: { tables: [{ name: 'filter', chains: [{ name: 'FLANNEL-FWD', policy: '-' }], rules: [{ chain: 'FLANNEL-FWD', spec: '-s 10.244.0.0/16 -j ACCEPT', args: [], target: 'ACCEPT' }] }] },
  pods: [{ netns: 'pod1', ifname: 'eth0', ifindex: 2, iflink: 5, ip: '10.244.1.5' }],
});

const row = (table: string, first: string): string[] =>
  table
    .split('\n')
    .find((l) => l.includes(` ${first} `))!
    .split('│')
    .map((c) => c.trim())
    .slice(1, -1);

describe('show tables', () => {
  it('routes: onlink in flags, type before a non-unicast dst', () => {
    expect(row(renderShow(snap, 'routes'), '10.244.3.0/24')).toEqual(['10.244.3.0/24', '10.244.3.0', 'flannel.1', 'onlink', '0', '', '', '']);
    expect(renderShow(snap, 'routes')).toContain('blackhole 10.244.9.0/24');
  });

  it('fdb: self and permanent once each', () => {
    expect(row(renderShow(snap, 'fdb'), '4e:9d:22:aa:10:03')).toEqual(['4e:9d:22:aa:10:03', 'flannel.1', '192.168.56.13', '', '', 'self,permanent']);
  });

  it('links: vxlan details as ip -d link words, veth peer and namespace', () => {
    expect(linkDetails(snap.links[0])).toBe('id 1 local 192.168.56.11 dev eth0 dstport 8472 nolearning');
    expect(linkDetails(snap.links[1])).toBe('@if2 link-netns pod1');
    expect(row(renderShow(snap, 'links'), 'flannel.1').slice(0, 7)).toEqual(['3', 'flannel.1', 'vxlan', '1450', 'UNKNOWN', '8a:1c:3f:5e:77:01', '']);
  });

  it('neigh, bridges, iptables, pods', () => {
    expect(row(renderShow(snap, 'neigh'), '10.244.3.0')).toEqual(['10.244.3.0', '4e:9d:22:aa:10:03', 'flannel.1', 'PERMANENT']);
    expect(row(renderShow(snap, 'bridges'), 'cni0')).toEqual(['cni0', '8000.9ecf6b77c827', 'no', '1', 'vethpref']);
    expect(row(renderShow(snap, 'iptables'), 'filter')).toEqual(['filter', 'FLANNEL-FWD', '-', '']);
    expect(renderShow(snap, 'iptables')).toContain('-s 10.244.0.0/16 -j ACCEPT');
    // the host veth is the link whose ifindex is the pod's iflink
    expect(row(renderShow(snap, 'pods'), 'pod1')).toEqual(['', 'pod1', 'eth0', '10.244.1.5', '', '', '5', 'vethpref', 'cni0']);
  });

  it('says why a subject is empty', () => {
    const dir = Snapshot.parse({ ...snap, source: { kind: 'dir', name: 'd' }, fdb: [], commands: [] });
    expect(renderShow(dir, 'fdb')).toBe('no fdb on node1 (its output is not in the directory)');
    const failed = Snapshot.parse({ ...snap, neigh: [], commands: [{ name: 'ip-neigh', ok: false, error: 'ip: timed out after 10000 ms' }] });
    expect(renderShow(failed, 'neigh')).toBe('no neigh on node1 (ip-neigh failed: ip: timed out after 10000 ms)');
  });

  it('--json items are the snapshot records', () => {
    for (const s of SHOW_SUBJECTS) expect(Array.isArray(showItems(snap, s))).toBe(true);
    expect(showItems(snap, 'fdb')).toBe(snap.fdb);
    expect(showItems(snap, 'iptables')).toBe(snap.iptables!.tables);
  });
});

describe('stderrProgress', () => {
  const fake = (isTTY: boolean) => {
    const out: string[] = [];
    return { out, stream: { isTTY, columns: 40, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream };
  };

  it('draws and clears one line on a terminal', () => {
    const { out, stream } = fake(true);
    const p = stderrProgress('collecting', stream);
    p.update('ip-route', 3, 12);
    p.done();
    expect(out).toEqual(['\r\x1b[Kcollecting [3/12] ip-route', '\r\x1b[K']);
  });

  it('writes nothing when stderr is not a terminal', () => {
    const { out, stream } = fake(false);
    const p = stderrProgress('collecting', stream);
    p.update('ip-route', 3, 12);
    p.done();
    expect(out).toEqual([]);
  });
});
