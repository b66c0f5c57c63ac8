// Real pastes from public issues (fixtures/tickets/issues/README.md names each source), under arbitrary file names:
// each is recognised and parsed, and the facts below were read off the paste by hand.
import { describe, expect, it } from 'vitest';
import { loadSources } from '../../src/collect/index.js';

const load = (file: string) => loadSources(`fixtures/tickets/issues/${file}`);

describe('real pastes from public issues', () => {
  it('flannel #1795: ip a s flannel.1, the grep\'d VtepMAC annotation, a grep\'d BSD arp line', async () => {
    const l = await load('1795-arp-vs-annotation.log');
    expect(l.blocks.filter((b) => b.used).map((b) => [b.kind, b.filter])).toEqual([
      ['ip-addr', 'flannel.1'],
      ['nodes', 'grep Vtep'],
      ['arp', 'grep 172.27.4.0'],
    ]);
    const s = l.nodes[0].snapshot;
    expect(s.links.find((x) => x.name === 'flannel.1')).toMatchObject({ mac: 'ee:8d:cf:69:b3:7c', mtu: 1450, ifindex: 4 });
    expect(s.addresses).toEqual([expect.objectContaining({ dev: 'flannel.1', local: '172.27.4.0', prefixlen: 32 })]);
    expect(s.neigh).toEqual([expect.objectContaining({ dst: '172.27.4.0', lladdr: 'e6:7c:02:8e:e8:7e', dev: 'flannel.1', state: ['PERMANENT'] })]);
    // the grep kept the annotation only: no podCIDR or public-ip, so no whole lease, and no problem made of that;
    // what it says is kept as a partial lease, and the leases are marked as not all the cluster's
    expect(l.desired).toMatchObject({ leases: [], problems: [], incomplete: expect.stringMatching(/annotation lines/) });
    expect(l.desired?.partial).toEqual([{ node: 'xxx.164', vtepMac: 'e6:7c:02:8e:e8:7e', vni: 1, missing: ['podCIDR', 'public-ip', 'backend-type'] }]);
  });

  it('k3s #1719: two hosts in one paste, fdb lines without dev take flannel.1 from the command line', async () => {
    const l = await load('from-k3s-slack.txt');
    expect(l.nodes.map((n) => n.snapshot.host)).toEqual(['k3s-master', 'k3s-worker']);
    const [master, worker] = l.nodes.map((n) => n.snapshot);
    expect(master.addresses.filter((a) => a.family === 'inet')).toEqual([expect.objectContaining({ dev: 'enp0s3', local: '192.168.1.72', prefixlen: 24 })]);
    expect(master.fdb).toEqual([expect.objectContaining({ mac: 'd6:ad:6b:77:37:eb', dev: 'flannel.1', dst: '192.168.1.73', self: true, state: 'permanent' })]);
    expect(worker.addresses.filter((a) => a.family === 'inet')).toEqual([expect.objectContaining({ dev: 'enp0s3', local: '192.168.1.73', prefixlen: 24 })]);
    expect(worker.fdb).toEqual([expect.objectContaining({ mac: 'ca:a3:3a:8f:57:36', dev: 'flannel.1', dst: '192.168.1.72' })]);
    // the fdb was asked for flannel.1 only: recorded as filtered, so a missing entry is not a finding
    expect(master.commands.find((c) => c.name === 'bridge-fdb')).toMatchObject({ filter: 'dev flannel.1' });
    expect(l.blocks.every((b) => b.used)).toBe(true);
  });

  it('kubernetes #97357: route without -n (default, a named gateway, *), the heading line skipped', async () => {
    const l = await load('node-route-no-n');
    const routes = l.nodes[0].snapshot.routes;
    expect(routes.map((r) => [r.dst, r.gateway ?? r.gatewayHost ?? null, r.dev])).toEqual([
      ['0.0.0.0/0', 'gateway', 'eth0'],
      ['10.33.188.0/24', null, 'eth0'],
      ['10.244.0.0/24', '10.244.0.0', 'flannel.1'],
      ['10.244.1.0/24', null, 'cni0'],
      ['172.17.0.0/16', null, 'docker0'],
    ]);
    expect(l.blocks[0].skipped.map((s) => s.line)).toEqual([1]);
  });

  it('flannel #1387: ip a with flannel.1\'s address removed by the author: that line is skipped, the rest kept', async () => {
    const l = await load('master-ip-a.paste');
    const s = l.nodes[0].snapshot;
    expect(s.links.map((x) => x.name)).toEqual(['lo', 'eth0', 'docker0', 'flannel.1']);
    expect(s.links.find((x) => x.name === 'flannel.1')).toMatchObject({ mac: '4e:fd:7c:9e:aa:63', mtu: 1450 });
    expect(s.addresses.filter((a) => a.family === 'inet').map((a) => `${a.dev} ${a.local}/${a.prefixlen}`)).toEqual(['lo 127.0.0.1/8', 'eth0 10.33.188.138/24', 'docker0 172.17.0.1/16']);
    expect(s.addresses.find((a) => a.dev === 'flannel.1')).toMatchObject({ family: 'inet6', local: 'fe80::4cfd:7cff:fe9e:aa63', prefixlen: 64 });
    expect(l.blocks[0].skipped.map((x) => x.line)).toEqual([1, 20]);
  });

  it('flannel #545: ip route with the old double spacing, inside a fence with prose around', async () => {
    const l = await load('issue545.md');
    expect(l.nodes[0].snapshot.host).toBe('node0');
    expect(l.nodes[0].snapshot.routes.map((r) => [r.dst, r.gateway ?? null, r.dev, r.src ?? null])).toEqual([
      ['0.0.0.0/0', '192.168.31.1', 'enp0s8', null],
      ['10.244.0.0/24', null, 'cni0', '10.244.0.1'],
      ['10.244.0.0/16', null, 'flannel.1', '10.244.0.0'],
      ['172.17.0.0/16', null, 'docker0', '172.17.0.1'],
      ['192.168.31.0/24', null, 'enp0s8', '192.168.31.102'],
      ['192.168.56.0/24', null, 'enp0s3', '192.168.56.110'],
    ]);
  });
});
