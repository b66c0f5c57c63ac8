// The scale benchmark's synthetic node (bench/gen-state.ts) must be what the real parsers read and what the
// snapshot model holds, or the benchmark would time the wrong thing (or an error path).
import { describe, expect, it } from 'vitest';
import { generate, MAX_PEERS, missingIndices, peer } from '../../bench/gen-state.js';
import { parseNodesJson } from '../../src/leases/kube.js';
import { isIPv4 } from '../../src/model/net.js';
import { parseBridgeFdb, parseIpAddr, parseIpLink, parseIpNeigh, parseIpRoute, parseIptablesSave, parseSubnetEnv } from '../../src/parse/index.js';

const onFlannel = <T extends { dev?: string }>(list: T[]): T[] => list.filter((e) => e.dev === 'flannel.1');

describe('bench/gen-state', () => {
  const g = generate({ peers: 50, missing: 5, stale: 2 });
  const present = 50 - 5 + 2;

  it('writes one route, neigh and fdb entry on flannel.1 per present peer, in shapes the parsers read', () => {
    const routes = onFlannel(parseIpRoute(g.files['ip-route.txt']));
    const neigh = onFlannel(parseIpNeigh(g.files['ip-neigh.txt']));
    const fdb = onFlannel(parseBridgeFdb(g.files['bridge-fdb.txt']));
    expect([routes.length, neigh.length, fdb.length]).toEqual([present, present, present]);
    const p = peer(7);
    expect(routes).toContainEqual(expect.objectContaining({ dst: p.subnet, gateway: p.gw, onlink: true }));
    expect(neigh).toContainEqual(expect.objectContaining({ dst: p.gw, lladdr: p.mac, state: ['PERMANENT'] }));
    expect(fdb).toContainEqual(expect.objectContaining({ mac: p.mac, dst: p.ip, self: true, state: 'permanent' }));
  });

  it('matches its own snapshot entry for entry', () => {
    const key = (r: { dst: string; gateway?: string; dev?: string; onlink: boolean }) => `${r.dst} ${r.gateway} ${r.dev} ${r.onlink}`;
    expect(parseIpRoute(g.files['ip-route.txt']).map(key).sort()).toEqual(g.snapshot.routes.map(key).sort());
    const link = parseIpLink(g.files['ip-link.txt']).find((l) => l.name === 'flannel.1');
    expect(link).toMatchObject({ kind: 'vxlan', vni: 1, local: '172.16.0.1', port: 8472, learning: false, mac: peer(0).mac });
    expect(g.snapshot.links.find((l) => l.name === 'flannel.1')).toMatchObject({ kind: 'vxlan', vni: 1, local: '172.16.0.1', port: 8472 });
    expect(parseIpAddr(g.files['ip-addr.txt']).addresses).toContainEqual(expect.objectContaining({ dev: 'flannel.1', local: '10.0.0.0', prefixlen: 32 }));
    expect(parseSubnetEnv(g.files['subnet.env'])).toMatchObject({ network: '10.0.0.0/8', subnet: '10.0.0.1/24', mtu: 1450 });
    expect(parseIptablesSave(g.files['iptables-save.txt']).tables.map((t) => t.name)).toEqual(['filter', 'nat']);
  });

  it('puts every peer, missing ones included, and the local node in nodes.json; stale ones not', () => {
    const desired = parseNodesJson(g.nodesJson);
    expect(desired.problems).toEqual([]);
    expect(desired.leases).toHaveLength(51);
    const names = new Set(desired.leases.map((l) => l.node));
    for (const name of g.meta.missing) expect(names.has(name)).toBe(true);
    for (const name of g.meta.stale) expect(names.has(name)).toBe(false);
    expect(desired.leases.find((l) => l.node === 'node7')).toMatchObject({ subnet: peer(7).subnet, publicIp: peer(7).ip, vtepMac: peer(7).mac, vni: 1 });
  });

  it('programs the present peers in the batch files: neigh + route per peer for ip, fdb for bridge', () => {
    expect(g.ipBatch.trim().split('\n')).toHaveLength(2 * present);
    expect(g.bridgeBatch.trim().split('\n')).toHaveLength(present);
    expect(g.peersTsv.trim().split('\n')).toHaveLength(50);
  });

  it('never leaves the trace target out, and spreads the missing peers', () => {
    for (const [n, k] of [[50, 5], [500, 5], [5000, 50], [2, 1]]) {
      const m = missingIndices(n, k);
      expect(m.size).toBe(Math.min(k, n - 1));
      expect(m.has(n)).toBe(false);
      for (const i of m) expect(i >= 1 && i <= n).toBe(true);
    }
  });

  it('gives distinct, valid addresses up to the largest peer count', () => {
    const seen = { subnet: new Set<string>(), ip: new Set<string>(), mac: new Set<string>() };
    for (const i of [0, 1, 255, 256, 65_279, 65_280, MAX_PEERS]) {
      const p = peer(i);
      expect(isIPv4(p.ip) && isIPv4(p.gw) && isIPv4(p.podIp)).toBe(true);
      expect(p.mac).toMatch(/^0e:00(:[0-9a-f]{2}){4}$/);
      seen.subnet.add(p.subnet);
      seen.ip.add(p.ip);
      seen.mac.add(p.mac);
    }
    expect([seen.subnet.size, seen.ip.size, seen.mac.size]).toEqual([7, 7, 7]);
    expect(() => generate({ peers: MAX_PEERS + 1 })).toThrow();
  });
});
