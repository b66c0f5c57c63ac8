// scripts/capture-fixtures.sh really captures: run it into a temporary directory (root + netns only), check the
// outputs parse to what it wrote as expected, and that its namespaces are gone afterwards.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeNetns } from '../netns/needs.js';
import { parserFor } from '../../src/parse/index.js';

describeNetns('scripts/capture-fixtures.sh', () => {
  const out = mkdtempSync(join(tmpdir(), 'flanctl-capture-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('captures every command in a namespace lab, writes expected files, and leaves no namespace behind', () => {
    const r = spawnSync('bash', ['scripts/capture-fixtures.sh', '--update', '--out', out], { encoding: 'utf8', timeout: 50_000 });
    expect(r.status, r.stderr).toBe(0);
    for (const dir of ['route-n', 'ip-route', 'ip-link', 'ip-addr', 'ifconfig', 'ip-neigh', 'arp', 'bridge-fdb', 'brctl-show', 'bridge-link', 'iptables-save', 'iflink', 'ethtool-stats', 'ethtool-features', 'sysctl', 'subnet-env']) {
      const inputs = readdirSync(join(out, dir)).filter((f) => /\.(txt|json)$/.test(f) && !f.endsWith('.expected.json'));
      expect(inputs.length, dir).toBeGreaterThan(0);
      for (const f of inputs) {
        const base = f.replace(/\.(txt|json)$/, '');
        const arg = existsSync(join(out, dir, `${base}.arg`)) ? readFileSync(join(out, dir, `${base}.arg`), 'utf8').trim() : undefined;
        const expected = JSON.parse(readFileSync(join(out, dir, `${base}.expected.json`), 'utf8'));
        expect(JSON.parse(JSON.stringify(parserFor(dir)(readFileSync(join(out, dir, f), 'utf8'), arg)))).toEqual(expected);
      }
    }
    // the lab's flannel state is in the captures: the peer's onlink route, neighbour and fdb entry
    const routes = JSON.parse(readFileSync(join(out, 'ip-route', 'netns-node-j.expected.json'), 'utf8'));
    expect(routes).toContainEqual(expect.objectContaining({ dst: '10.244.2.0/24', gateway: '10.244.2.0', dev: 'flannel.1', onlink: true }));
    expect(routes).toContainEqual(expect.objectContaining({ type: 'blackhole', dst: '10.244.99.0/24' }));
    const links = JSON.parse(readFileSync(join(out, 'ip-link', 'netns-node-detail-j.expected.json'), 'utf8'));
    expect(links).toContainEqual(expect.objectContaining({ name: 'flannel.1', kind: 'vxlan', vni: 1, port: 8472, learning: false, dev: 'eth0' }));
    const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    expect(left).not.toMatch(/^fctcap/m);
  });
});
