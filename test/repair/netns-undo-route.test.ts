// Issue 16 item 8: --undo did not restore a replaced route exactly (src, mtu, proto lost), while the README
// promises the exact prior state. The kernel's own `ip -j -d route` object before repair and after undo is
// the judge.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildFlannelCluster, type LabCluster, nodesJson } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { cli } from './netns-helpers.js';

describeNetns('repair --undo restores a route exactly (netns cluster)', () => {
  const lab = new Lab('udr');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-undo-route-'));
  let cluster: LabCluster;
  beforeAll(() => {
    cluster = buildFlannelCluster(lab, { nodes: 3, podsPerNode: 0 });
    writeFileSync(join(tmp, 'nodes.json'), nodesJson(cluster));
  });
  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a wrong route with src, mtu and proto static: repaired, then undone to the same kernel object', () => {
    const ns = cluster.nodes[0].netns;
    const show = (): string => lab.ip(ns, ['-j', '-d', 'route', 'show', 'table', 'main', '10.244.2.0/24']);
    // node2's subnet pointed at node3's VTEP, with attributes flannel never sets
    lab.ip(ns, ['route', 'replace', '10.244.2.0/24', 'via', '10.244.3.0', 'dev', 'flannel.1', 'onlink', 'src', '10.244.1.0', 'mtu', '1400', 'proto', 'static']);
    const before = show();
    expect(JSON.parse(before)[0]).toMatchObject({ prefsrc: '10.244.1.0', protocol: 'static', metrics: [{ mtu: 1400 }] });
    const apply = cli(['repair', '--netns', ns, '--nodes', join(tmp, 'nodes.json'), '--apply', '--yes', '--json'], { journalDir: join(tmp, 'journal') });
    expect(apply.status, apply.stderr).toBe(0);
    expect(apply.json.actions.map((a: { op: string }) => a.op)).toEqual(['route-replace']);
    expect(show()).not.toBe(before);
    const undo = cli(['repair', '--undo', apply.json.journal, '--json'], { journalDir: join(tmp, 'journal') });
    expect(undo.status, undo.stderr).toBe(0);
    expect(show()).toBe(before);
    // the re-check read the same kernel object back and found it as recorded
    expect(undo.json.undo).toMatchObject({ verified: true, mismatches: [], errors: [] });
  });

  // The repair added the route (journal: absent before). Before --undo, something else (flanneld, an admin)
  // re-routes that subnet: undo's `ip route del ... via <the repair's gateway>` finds no such route, which undo
  // takes as already gone, so it has no error to report. The re-check sees the subnet still routed: exit 1.
  // What this proves: a route present where the journal recorded none is reported and fails the run; the kernel's
  // `ip route` after the run is the judge of what was there.
  it('a route the repair added and someone re-pointed before undo: not restored, exit 1', () => {
    const ns = cluster.nodes[0].netns;
    lab.ip(ns, ['route', 'del', '10.244.2.0/24']);
    const apply = cli(['repair', '--netns', ns, '--nodes', join(tmp, 'nodes.json'), '--apply', '--yes', '--json'], { journalDir: join(tmp, 'journal') });
    expect(apply.status, apply.stderr).toBe(0);
    expect(apply.json.actions.map((a: { op: string }) => a.op)).toEqual(['route-replace']);
    lab.ip(ns, ['route', 'replace', '10.244.2.0/24', 'via', '10.244.3.0', 'dev', 'flannel.1', 'onlink']);
    const undo = cli(['repair', '--undo', apply.json.journal], { journalDir: join(tmp, 'journal') });
    expect(undo.status, undo.stderr + undo.stdout).toBe(1);
    expect(undo.stdout).toContain('not restored: route 10.244.2.0/24: expected absent, found via 10.244.3.0 dev flannel.1');
    expect(undo.stdout).toContain('1 object(s) not as recorded');
    const routes = JSON.parse(lab.ip(ns, ['-j', 'route', 'show', 'table', 'main', '10.244.2.0/24']));
    expect(routes.map((r: { gateway: string }) => r.gateway)).toEqual(['10.244.3.0']);
  });
});
