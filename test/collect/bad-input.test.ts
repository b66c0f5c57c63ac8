// Bad input to collect/show: one line on stderr, no stack trace, the documented exit code.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot } from '../netns/lab.js';
import { itNeeding } from '../netns/needs.js';
import { cliEntry, expectOneLineError, ROOT, runCli } from './cli.js';

describe('collect/show bad input', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fct-collect-bad-'));

  beforeAll(() => {
    cliEntry();
    chmodSync(tmp, 0o755);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('missing --from-dir path: exit 2', () => {
    const r = runCli(['collect', '--from-dir', join(tmp, 'nope')]);
    expect(r.status).toBe(2);
    expect(expectOneLineError(r)).toBe(`flanctl: no such file or directory: ${join(tmp, 'nope')}`);
  });

  it('a directory with none of the known files: exit 2', () => {
    const dir = join(tmp, 'empty');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.md'), 'nothing here\n');
    const r = runCli(['show', 'routes', '--from-dir', dir]);
    expect(r.status).toBe(2);
    expect(expectOneLineError(r)).toMatch(/holds no output flanctl reads/);
  });

  it('a line that is not a route costs that line: a warning naming file and line, the rest is read', () => {
    const dir = join(tmp, 'foreign');
    mkdirSync(dir);
    writeFileSync(join(dir, 'route-n.txt'), 'Kernel IP routing table\nDestination Gateway Genmask Flags Metric Ref Use Iface\nthis is not a route line at all\n10.244.2.0 10.244.2.0 255.255.255.0 UG 0 0 0 flannel.1\n');
    const r = runCli(['show', 'routes', '--from-dir', dir, '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`${join(dir, 'route-n.txt')}:3: skipped`);
    expect(JSON.parse(r.stdout).nodes[0].items.map((x: { dst: string }) => x.dst)).toEqual(['10.244.2.0/24']);
  });

  it('a directory where a file was expected is listed, not read: exit 2 when nothing else is there', () => {
    const dir = join(tmp, 'unreadable');
    mkdirSync(dir);
    mkdirSync(join(dir, 'ip-neigh.txt'));
    const r = runCli(['collect', '--from-dir', dir]);
    expect(r.status).toBe(2);
    expect(expectOneLineError(r)).toBe(`flanctl: ${dir} holds no output flanctl reads (first block: a directory (only pods/ is read))`);
  });

  it('a --raw-dir that already holds files: exit 2, nothing collected', () => {
    const raw = join(tmp, 'raw-used');
    mkdirSync(raw);
    writeFileSync(join(raw, 'route-n.txt'), 'from another node\n');
    const r = runCli(['collect', '--from-dir', 'fixtures/nodes/k8snode028', '--raw-dir', raw]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(expectOneLineError(r)).toBe(`flanctl: --raw-dir ${raw} is not empty (give a new or empty directory)`);
  });

  it('corrupt snapshot JSON: exit 2', () => {
    const file = join(tmp, 'bad.json');
    writeFileSync(file, '{"schemaVersion": 1, "host": ');
    const r = runCli(['show', 'links', '--snapshot', file]);
    expect(r.status).toBe(2);
    expect(expectOneLineError(r)).toMatch(/bad\.json: not JSON/);
  });

  it('a snapshot of another schema version: exit 2', () => {
    const file = join(tmp, 'v9.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: 9, host: 'n1' }));
    const r = runCli(['show', 'links', '--snapshot', file]);
    expect(r.status).toBe(2);
    expect(expectOneLineError(r)).toMatch(/schema version 9, this flanctl reads version 1/);
  });

  it('unknown show subject: exit 2', () => {
    const r = runCli(['show', 'tunnels', '--snapshot', join(tmp, 'x.json')]);
    expect(r.status).toBe(2);
    expectOneLineError(r);
  });

  // as root, drop to nobody for this run; needs a checkout nobody can read (not under a 0700 /root)
  const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  const nobodyCanRun = !isRoot() || spawnSync(asNobody[0], [...asNobody.slice(1), 'test', '-r', join(ROOT, 'package.json')]).status === 0;

  itNeeding(nobodyCanRun, 'a checkout the nobody user can read')('not root for a live collection: exit 3', () => {
    const prefix = isRoot() ? asNobody : [];
    // HOME: a user's own, not root's (oclif looks for its data directory there)
    const r = runCli(['collect'], { prefix, cwd: tmp, env: { ...process.env, HOME: tmp } });
    expect(r.status).toBe(3);
    expect(expectOneLineError(r)).toMatch(/^flanctl: collecting live state needs root/);
  });
});
