// The --from-dir loader on directories built from the real captured outputs under fixtures/.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bridgesFromLinks, mergeLinks } from '../../src/collect/assemble.js';
import { loadFromDir, loadSources } from '../../src/collect/from-dir.js';
import { loadSnapshots } from '../../src/collect/index.js';
import { trace } from '../../src/analyze/trace.js';
import { UsageError } from '../../src/errors.js';
import { type Link, Mac } from '../../src/model/index.js';
import { parseArp, parseBrctlShow, parseIpLink, parseIpNeigh, parseIpRoute, parseRouteN } from '../../src/parse/index.js';

const FIX = new URL('../../fixtures/', import.meta.url).pathname;
// the fixtures are re-captured from fresh namespaces (random MACs, veth names): derive expectations from them
const fixture = (path: string): string => readFileSync(join(FIX, path), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'fct-fromdir-'));
let n = 0;

/** A directory named `name` holding fixture files under --from-dir names: { 'route-n.txt': 'route-n/netns-node.txt' }. */
function dirOf(files: Record<string, string>, name = `node${++n}`): string {
  const dir = join(tmp, name);
  for (const [to, from] of Object.entries(files)) {
    mkdirSync(join(dir, to, '..'), { recursive: true });
    if (from.startsWith('text:')) writeFileSync(join(dir, to), from.slice(5));
    else copyFileSync(join(FIX, from), join(dir, to));
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('loadFromDir', () => {
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads a full node directory, preferring ip-route over route-n and ip-neigh over arp', async () => {
    const dir = dirOf(
      {
        'ip-link.txt': 'ip-link/netns-node-detail.txt',
        'ip-addr.txt': 'ip-addr/netns-node.txt',
        'ip-route.txt': 'ip-route/netns-node.txt',
        'route-n.txt': 'route-n/netns-node.txt',
        'ip-neigh.txt': 'ip-neigh/netns-node.txt',
        'arp.txt': 'arp/netns-node-n.txt',
        'bridge-fdb.txt': 'bridge-fdb/netns-node.txt',
        'brctl-show.txt': 'brctl-show/netns-node.txt',
        'bridge-link.txt': 'bridge-link/netns-node.txt',
        'iptables-save.txt': 'iptables-save/netns-node-nft.txt',
        'iflink.txt': 'iflink/netns-node.txt',
        'subnet.env': 'subnet-env/netns-node.txt',
        'sysctl.txt': 'sysctl/netns-node.txt',
        'ethtool-k-flannel.1.txt': 'ethtool-features/netns-node-flannel1.txt',
        'hostname.txt': 'text:node1\n',
        'README.md': 'text:captured in the lab\n',
        'pods/default_web-1/ip-addr.txt': 'ip-addr/netns-pod.txt',
        'pods/default_web-1/route-n.txt': 'route-n/netns-pod.txt',
      },
      'k8s-node-a',
    );
    const { snapshot: s, raw } = await loadFromDir(dir);
    expect(s.host).toBe('node1');
    expect(s.source).toEqual({ kind: 'dir', name: dir });
    // ip-route.txt wins: it knows onlink and the route types route -n cannot say
    expect(s.commands.find((c) => c.name === 'ip-route')).toMatchObject({ ok: true, file: join(dir, 'ip-route.txt'), form: 'file' });
    expect(s.routes.find((r) => r.dst === '10.244.2.0/24')).toMatchObject({ gateway: '10.244.2.0', dev: 'flannel.1', onlink: true });
    expect(s.routes.find((r) => r.dst === '10.244.99.0/24')).toMatchObject({ type: 'blackhole' });
    expect(s.routes).toEqual(parseIpRoute(fixture('ip-route/netns-node.txt')));
    expect(s.neigh).toEqual(parseIpNeigh(fixture('ip-neigh/netns-node.txt')));
    const vtepMac = s.neigh.find((x) => x.dev === 'flannel.1')?.lladdr;
    expect(s.neigh.find((x) => x.dev === 'flannel.1')).toMatchObject({ dst: '10.244.2.0', state: ['PERMANENT'] });
    expect(s.fdb.filter((f) => f.dev === 'flannel.1')).toEqual([expect.objectContaining({ mac: vtepMac, dst: '192.168.56.12', self: true, state: 'permanent' })]);
    expect(s.bridges).toEqual(parseBrctlShow(fixture('brctl-show/netns-node.txt')));
    expect(s.bridges).toEqual([expect.objectContaining({ name: 'cni0', stp: false })]);
    expect(s.bridges[0].interfaces).toHaveLength(2);
    expect(s.links.find((l) => l.name === 'flannel.1')).toMatchObject({ kind: 'vxlan', vni: 1, port: 8472, learning: false });
    expect(s.addresses).toContainEqual(expect.objectContaining({ dev: 'cni0', local: '10.244.1.1', prefixlen: 24 }));
    expect(s.subnetEnv).toMatchObject({ network: '10.244.0.0/16', subnet: '10.244.1.1/24', mtu: 1450, ipmasq: true });
    expect(s.sysctls['net.ipv4.ip_forward']).toBe('1');
    expect(Object.keys(s.features)).toEqual(['flannel.1']);
    expect(s.iflinks.find((i) => i.name === 'flannel.1')).toMatchObject({ iflink: expect.any(Number) });
    expect(s.iptables?.tables.map((t) => t.name)).toContain('filter');
    const podEth0 = /eth0@if(\d+):[^]*?link\/ether (\S+)/.exec(fixture('ip-addr/netns-pod.txt'))!;
    expect(s.pods).toEqual([
      expect.objectContaining({ pod: 'default/web-1', ifname: 'eth0', ifindex: 2, iflink: Number(podEth0[1]), ip: '10.244.1.2', mac: podEth0[2], mtu: 1450 }),
    ]);
    expect(s.pods[0].routes?.find((r) => r.dst === '0.0.0.0/0')).toMatchObject({ gateway: '10.244.1.1', dev: 'eth0' });
    // the raw map holds exactly what --raw-dir would write back (README.md is not an output)
    expect([...raw.keys()].sort()).toContain('pods/default_web-1/ip-addr.txt');
    expect(raw.has('README.md')).toBe(false);
    expect(raw.has('arp.txt')).toBe(false);
  });

  it('falls back to route-n, arp and ifconfig, names the node after the directory', async () => {
    const dir = dirOf({ 'route-n.txt': 'route-n/netns-node.txt', 'arp.txt': 'arp/netns-node-an.txt', 'ifconfig.txt': 'ifconfig/netns-node.txt' }, 'ticket-4711');
    const s = (await loadSnapshots({ fromDir: [dir] }))[0];
    expect(s.host).toBe('ticket-4711');
    expect(s.routes).toEqual(parseRouteN(fixture('route-n/netns-node.txt')));
    expect(s.routes.find((r) => r.dst === '10.244.2.0/24')).toMatchObject({ gateway: '10.244.2.0', dev: 'flannel.1' });
    expect(s.neigh).toEqual(parseArp(fixture('arp/netns-node-an.txt')));
    expect(s.neigh.find((x) => x.dev === 'flannel.1')).toMatchObject({ dst: '10.244.2.0', state: ['PERMANENT'] });
    expect(s.links.map((l) => l.name)).toEqual(expect.arrayContaining(['cni0', 'flannel.1', 'eth0']));
    expect(s.addresses).toContainEqual(expect.objectContaining({ dev: 'flannel.1', local: '10.244.1.0', prefixlen: 32 }));
    expect(s.commands.map((c) => c.name).sort()).toEqual(['ip-addr', 'ip-neigh', 'ip-route']);
  });

  it('keeps `ip route` and `ip -6 route` side by side as two steps, in a transcript and as --raw-dir files', async () => {
    const v4 = fixture('ip-route/netns-node.txt');
    const v6 = fixture('ip-route/lab-v6-dual-stack.txt');
    const dir = dirOf({ 'ticket.txt': `text:$ ip route\n${v4}$ ip -6 route\n${v6}` });
    const { snapshot: s, raw } = await loadFromDir(dir);
    expect(s.routes.filter((r) => !r.dst.includes(':'))).toEqual(parseIpRoute(v4));
    // the flannel-v6.1 route the lab programmed (test/netns/flannel-cluster-v6.ts), and the v4 one still there
    expect(s.routes).toContainEqual(expect.objectContaining({ dst: 'fd00:10:244:2::/64', gateway: 'fd00:10:244:2::', dev: 'flannel-v6.1', onlink: true }));
    expect(s.routes).toContainEqual(expect.objectContaining({ dst: '10.244.2.0/24', dev: 'flannel.1' }));
    expect(s.commands.map((c) => c.name).sort()).toEqual(['ip-route', 'ip-route6']);
    expect([...raw.keys()].sort()).toEqual(['ip-route.txt', 'ip-route6.txt']);
    // written back under those names and read again: the same routes
    const back = dirOf(Object.fromEntries([...raw].map(([k, v]) => [k, `text:${v}`])));
    expect((await loadFromDir(back)).snapshot.routes).toEqual(s.routes);
  });

  it('an `ip -6 route` paste alone leaves the IPv4 route table unread: trace of an IPv4 pod is unverified, not NO_ROUTE', async () => {
    const dir = dirOf({ 'ip-route6.txt': 'ip-route/lab-v6-dual-stack.txt' });
    const s = (await loadFromDir(dir)).snapshot;
    const r = trace([s], '10.244.2.5');
    expect(r.ok).toBeNull();
    expect(r.hops[0]).toMatchObject({ step: 'route', ok: null });
  });

  it('an empty `ip -6 route` answer is the IPv6 table, not an empty IPv4 one', async () => {
    const dir = dirOf({ 'ip-route.txt': 'ip-route/netns-node.txt', 'ip-route6.txt': 'text:' });
    const s = (await loadFromDir(dir)).snapshot;
    expect(s.routes).toEqual(parseIpRoute(fixture('ip-route/netns-node.txt')));
    expect(s.commands.map((c) => c.name).sort()).toEqual(['ip-route', 'ip-route6']);
  });

  it("reads a pod's bare iflink number as its eth0's peer index", async () => {
    const dir = dirOf({ 'route-n.txt': 'route-n/netns-node.txt', 'pods/web/iflink.txt': 'text:7\n', 'pods/web/ethtool-S-eth0.txt': 'ethtool-stats/netns-pod-eth0.txt' });
    const s = (await loadFromDir(dir)).snapshot;
    expect(s.pods).toEqual([expect.objectContaining({ pod: 'web', ifname: 'eth0', iflink: 7 })]);
  });

  it('derives bridges from the links when there is no brctl-show.txt', async () => {
    const dir = dirOf({ 'ip-link.txt': 'ip-link/netns-node-detail-j.json' });
    const s = (await loadFromDir(dir)).snapshot;
    const ports = parseIpLink(fixture('ip-link/netns-node-detail-j.json'))
      .filter((l) => l.master === 'cni0')
      .map((l) => l.name)
      .sort();
    expect(ports).toHaveLength(2);
    expect(s.bridges).toEqual([expect.objectContaining({ name: 'cni0', interfaces: ports })]);
  });

  it('reads several directories as several nodes', async () => {
    const a = dirOf({ 'route-n.txt': 'route-n/netns-node.txt' }, 'na');
    const b = dirOf({ 'ip-neigh.txt': 'ip-neigh/netns-node-j.json' }, 'nb');
    expect((await loadSnapshots({ fromDir: [a, b] })).map((s) => s.host)).toEqual(['na', 'nb']);
  });

  it('rejects a missing path, and a file or directory holding nothing flanctl reads', async () => {
    await expect(loadFromDir(join(tmp, 'missing'))).rejects.toThrow(new UsageError(`no such file or directory: ${join(tmp, 'missing')}`));
    const file = join(tmp, 'plain.txt');
    writeFileSync(file, 'x');
    await expect(loadFromDir(file)).rejects.toThrow(/holds no output flanctl reads/);
    const empty = dirOf({ 'notes.txt': 'text:hello' });
    await expect(loadFromDir(empty)).rejects.toThrow(/holds no output flanctl reads/);
  });

  it('reads a file by its content when its name says something else, and says so', async () => {
    const dir = dirOf({ 'ip-neigh.txt': 'ip-neigh/netns-node.txt', 'bridge-fdb.txt': 'route-n/netns-node.txt' });
    const load = await loadSources(dir);
    const block = load.blocks.find((b) => b.file === join(dir, 'bridge-fdb.txt'));
    expect(block).toMatchObject({ kind: 'route-n', by: 'content', used: true });
    // route -n of the lab node: the routes the file holds (fixtures/route-n/netns-node.txt, read by a person)
    expect(load.nodes[0].snapshot.routes.map((r) => r.dst)).toContain('10.244.2.0/24');
    expect(load.nodes[0].snapshot.fdb).toEqual([]);
  });
});

describe('mergeLinks / bridgesFromLinks', () => {
  const link = (l: Partial<Link> & { name: string }): Link => ({ ifindex: 0, flags: [], kind: 'device', ...l }) as Link;

  it('keeps ip link fields and fills the gaps from the ip addr / ifconfig view', () => {
    const merged = mergeLinks(
      [link({ ifindex: 3, name: 'flannel.1', kind: 'vxlan', mtu: 1450 } as Partial<Link> & { name: string })],
      [link({ name: 'flannel.1', mtu: 1400, mac: Mac.parse('8a:1c:3f:5e:77:01') }), link({ name: 'cni0', mtu: 1450 })],
    );
    expect(merged).toEqual([
      expect.objectContaining({ ifindex: 3, name: 'flannel.1', kind: 'vxlan', mtu: 1450, mac: '8a:1c:3f:5e:77:01' }),
      expect.objectContaining({ name: 'cni0', mtu: 1450 }),
    ]);
  });

  it('a bridge lists the links whose master it is', () => {
    const links = [link({ name: 'cni0', kind: 'bridge' }), link({ name: 'vethb', kind: 'veth', master: 'cni0' }), link({ name: 'vetha', kind: 'veth', master: 'cni0' }), link({ name: 'eth0' })];
    expect(bridgesFromLinks(links)).toEqual([{ name: 'cni0', bridgeId: undefined, stp: undefined, interfaces: ['vetha', 'vethb'] }]);
  });
});
