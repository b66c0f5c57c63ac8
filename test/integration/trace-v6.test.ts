// The IPv6 half of a dual-stack node, read live and traced: one namespace cluster (flannel.1 and flannel-v6.1
// programmed as flanneld does, test/netns/flannel-cluster-v6.ts) for every case. Expected values are what the lab
// programmed (its addresses, MACs and routes), never what flanctl printed before.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as cli } from '../collect/cli.js';
import { buildDualStackCluster, type DualCluster, type DualNode, dualNodeObject } from '../netns/flannel-cluster-v6.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';

describeNetns('IPv6 on a dual-stack node (netns cluster)', () => {
  const lab = new Lab('t6');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-trace-v6-'));
  let cluster: DualCluster;
  let a: DualNode;
  let b: DualNode;
  let nodesFile: string;

  beforeAll(() => {
    cluster = buildDualStackCluster(lab, { nodes: 2, podsPerNode: 1 });
    [a, b] = cluster.nodes;
    nodesFile = join(tmp, 'nodes.json');
    writeFileSync(nodesFile, JSON.stringify({ kind: 'List', items: cluster.nodes.map(dualNodeObject) }));
  });
  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('collect', () => {
    it('reads the IPv6 main table, flannel-v6.1 neighbours and fdb entries with an IPv6 dst; --raw-dir reads back the same', () => {
      const raw = join(tmp, 'raw');
      const out = join(tmp, 'node1.json');
      const r = cli(['collect', '--netns', a.netns, '--raw-dir', raw, '-o', out]);
      expect(r.status, r.stderr).toBe(0);
      const s = JSON.parse(readFileSync(out, 'utf8'));
      const step = s.commands.find((c: { name: string }) => c.name === 'ip-route6');
      expect(step).toMatchObject({ ok: true, form: 'json', argv: ['ip', '-6', '-j', 'route', 'show', 'table', 'main'] });
      const gw = b.subnet6.split('/')[0];
      // programPeers6: route <peer subnet6> via <peer subnet6 address> dev flannel-v6.1 onlink
      expect(s.routes).toContainEqual(expect.objectContaining({ dst: b.subnet6, gateway: gw, dev: 'flannel-v6.1', onlink: true }));
      // the IPv4 table is still there
      expect(s.routes).toContainEqual(expect.objectContaining({ dst: b.subnet, gateway: b.subnet.split('/')[0], dev: 'flannel.1' }));
      // the local table (multicast ff00::/8 on every device) is not read
      expect(s.routes.filter((r: { dst: string }) => r.dst.startsWith('ff00:'))).toEqual([]);
      expect(s.neigh).toContainEqual(expect.objectContaining({ dst: gw, dev: 'flannel-v6.1', lladdr: b.vtepMac6, state: ['PERMANENT'] }));
      expect(s.fdb).toContainEqual(expect.objectContaining({ mac: b.vtepMac6, dev: 'flannel-v6.1', dst: b.ip6, self: true, state: 'permanent' }));
      expect(s.addresses).toContainEqual(expect.objectContaining({ dev: 'flannel-v6.1', family: 'inet6', local: a.subnet6.split('/')[0], prefixlen: 128 }));
      expect(readFileSync(join(raw, 'ip-route6.txt'), 'utf8')).toContain(`"dst":"${b.subnet6}"`);

      const fromDir = cli(['collect', '--from-dir', raw, '-o', join(tmp, 'back.json')]);
      expect(fromDir.status, fromDir.stderr).toBe(0);
      const again = JSON.parse(readFileSync(join(tmp, 'back.json'), 'utf8'));
      expect(again.routes).toEqual(s.routes);
      expect(again.neigh).toEqual(s.neigh);
      expect(again.fdb).toEqual(s.fdb);
      expect(again.commands.map((c: { name: string }) => c.name)).toContain('ip-route6');
    });
  });
});
