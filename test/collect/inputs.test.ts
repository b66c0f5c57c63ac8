// Issue 16 items 12 and 15: a FIFO given as an input hung forever; /dev/zero or a 600 MB file gave
// "cannot read …: undefined" at ~600 MB RSS; a malformed cluster.json was "internal error", exit 3. Each is now
// a one-line exit 2, read without blocking.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonDepth } from '../../src/collect/input.js';
import { ROOT, runCli } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'flanctl-inputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const fifo = join(tmp, 'fifo');
execFileSync('mkfifo', [fifo]);
const big = join(tmp, 'big.json');
writeFileSync(big, '');
// sparse: 600 MiB of size, no disk used
truncateSync(big, 600 * 1024 * 1024);
const SNAP = join(ROOT, 'fixtures/doctor/vxlan-node1.snapshot.json');

const refused = (args: string[], message: RegExp): void => {
  const r = runCli(args, { timeout: 30_000 });
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
};

describe('inputs: regular files of bounded size only', () => {
  it('a FIFO as --snapshot or --nodes', () => {
    refused(['doctor', '--snapshot', fifo], /not a regular file/);
    refused(['doctor', '--snapshot', SNAP, '--nodes', fifo], /not a regular file/);
  });

  it('a FIFO as a pasted file, --subnet-env or --ssh-hosts', () => {
    refused(['trace', '10.244.2.3', '--from-dir', fifo], /not a regular file/);
    refused(['doctor', '--snapshot', SNAP, '--subnet-env', fifo], /not a regular file/);
    refused(['collect', '--all', '-o', join(tmp, 'out'), '--ssh-hosts', fifo], /not a regular file/);
    // a FIFO beside real outputs in a directory is listed as not read, and the rest is read
    const dir = join(tmp, 'paste');
    cpSync(join(ROOT, 'fixtures/nodes/k8snode028'), dir, { recursive: true });
    execFileSync('mkfifo', [join(dir, 'more.txt')]);
    const r = runCli(['trace', '10.27.13.5', '--from-dir', dir, '--json'], { timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
  });

  it('/dev/zero and a 600 MiB file', () => {
    refused(['doctor', '--snapshot', '/dev/zero'], /not a regular file/);
    refused(['doctor', '--snapshot', SNAP, '--nodes', big], /600 MiB is over the 256 MiB limit/);
  });

  it('a cluster.json that is not JSON, or has no node list', () => {
    const dir = join(tmp, 'cluster');
    cpSync(join(ROOT, 'fixtures/cluster/stale-vtep'), dir, { recursive: true });
    writeFileSync(join(dir, 'cluster.json'), '{"nodes": ');
    refused(['doctor', '--cluster', dir], /cluster\.json: not JSON/);
    writeFileSync(join(dir, 'cluster.json'), '{"nodes": 7}');
    refused(['doctor', '--cluster', dir], /not a cluster manifest/);
    writeFileSync(join(dir, 'cluster.json'), '');
    rmSync(join(dir, 'cluster.json'));
    execFileSync('mkfifo', [join(dir, 'cluster.json')]);
    refused(['doctor', '--cluster', dir], /not a regular file/);
  });

  it('JSON nested 200,000 deep in a snapshot or a nodes file (the stack overflowed when printed)', () => {
    const snap = JSON.parse(readFileSync(SNAP, 'utf8'));
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    writeFileSync(join(tmp, 'deep.json'), JSON.stringify(snap).replace('"links":[{', `"links":[{"deep":${deep},`));
    refused(['show', 'links', '--snapshot', join(tmp, 'deep.json')], /nested deeper than 64 levels/);
    // in a route's other keys (fast-parse hands routes back as they are) and beside the snapshot's own keys
    writeFileSync(join(tmp, 'deep-route.json'), JSON.stringify({ ...snap, routes: [{ ...snap.routes[0], deep: 0 }] }).replace('"deep":0', `"deep":${deep}`));
    refused(['trace', '10.0.0.1', '--snapshot', join(tmp, 'deep-route.json')], /nested deeper than 64 levels/);
    writeFileSync(join(tmp, 'deep-top.json'), JSON.stringify({ ...snap, deep: 0 }).replace('"deep":0', `"deep":${deep}`));
    refused(['show', 'routes', '--snapshot', join(tmp, 'deep-top.json')], /nested deeper than 64 levels/);
    writeFileSync(join(tmp, 'deep-nodes.json'), `{"kind":"List","items":[${deep}]}`);
    refused(['doctor', '--snapshot', SNAP, '--nodes', join(tmp, 'deep-nodes.json')], /nested deeper than 64 levels/);
  });

  it('jsonDepth counts nesting as JSON.parse sees it (property, against a recursive count of the parsed value)', () => {
    const depth = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depth)) : 0);
    fc.assert(fc.property(fc.jsonValue(), (v) => jsonDepth(JSON.stringify(v)) === depth(v)));
  });
});
