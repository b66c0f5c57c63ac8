// scripts/capture-fixtures.sh really captures: run it into a temporary directory (root + netns only); the two
// forms of every output agree (agreement.ts), the flannel state the lab programmed is in them, and its
// namespaces are gone afterwards. The answers come from the lab's own set-up and the other form, not a file
// the script wrote.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseIpLink, parseIpRoute } from '../../src/parse/index.js';
import { describeNetns } from '../netns/needs.js';
import { checkCapturePairs } from './agreement.js';

describeNetns('scripts/capture-fixtures.sh', () => {
  const out = mkdtempSync(join(tmpdir(), 'flanctl-capture-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('captures every command in a namespace lab, in forms that agree, and leaves no namespace behind', () => {
    const r = spawnSync('bash', ['scripts/capture-fixtures.sh', '--out', out], { encoding: 'utf8', timeout: 50_000 });
    expect(r.status, r.stderr).toBe(0);
    for (const dir of ['route-n', 'ip-route', 'ip-link', 'ip-addr', 'ifconfig', 'ip-neigh', 'arp', 'bridge-fdb', 'brctl-show', 'bridge-link', 'iptables-save', 'iflink', 'ethtool-stats', 'ethtool-features', 'sysctl', 'subnet-env']) {
      expect(readdirSync(join(out, dir)).filter((f) => /\.(txt|json)$/.test(f)).length, dir).toBeGreaterThan(0);
    }
    for (const [pair, problems] of Object.entries(checkCapturePairs(out))) expect(problems, pair).toEqual([]);
    // what scripts/capture-fixtures.ts and test/netns/flannel-cluster.ts programmed on node 1
    const routes = parseIpRoute(readFileSync(join(out, 'ip-route', 'netns-node-j.json'), 'utf8'));
    expect(routes).toContainEqual(expect.objectContaining({ dst: '10.244.2.0/24', gateway: '10.244.2.0', dev: 'flannel.1', onlink: true }));
    expect(routes).toContainEqual(expect.objectContaining({ type: 'blackhole', dst: '10.244.99.0/24' }));
    expect(routes).toContainEqual(expect.objectContaining({ type: 'unreachable', dst: '10.244.98.0/24', metric: 100 }));
    const links = parseIpLink(readFileSync(join(out, 'ip-link', 'netns-node-detail-j.json'), 'utf8'));
    expect(links).toContainEqual(expect.objectContaining({ name: 'flannel.1', kind: 'vxlan', vni: 1, port: 8472, learning: false, dev: 'eth0', local: '192.168.56.11', mtu: 1450 }));
    const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    expect(left).not.toMatch(/^fctcap/m);
  });
});
