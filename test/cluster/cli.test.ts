// The cluster flags through the built CLI (bin/run.js, and kubectl's plugin mechanism with the real kubectl),
// on the captured cluster directory fixtures/cluster/stale-vtep (node1 has a stale view of node3).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEntry, runCli } from '../collect/cli.js';

const root = join(import.meta.dirname, '../..');
const DIR = join(root, 'fixtures/cluster/stale-vtep');
const flanctl = (args: string[]) => runCli(args);

describe('cluster flags in the CLI', () => {
  const pathDir = mkdtempSync(join(tmpdir(), 'fct-plugin-'));
  afterAll(() => rmSync(pathDir, { recursive: true, force: true }));

  it('doctor --cluster DIR --json: the matrix, exit 1, only node1 -> node3 wrong', () => {
    const r = flanctl(['doctor', '--cluster', DIR, '--json']);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.matrix.cells.filter((c: { ok: boolean }) => !c.ok).map((c: { from: string; to: string }) => `${c.from}->${c.to}`)).toEqual(['node1->node3']);
    expect(doc.findings.filter((f: { code: string }) => f.code === 'VTEP_MAC_MISMATCH').map((f: { node: string }) => f.node)).toEqual(['node1']);
  });

  it('doctor --cluster DIR prints the node × node grid', () => {
    const r = flanctl(['doctor', '--cluster', DIR]);
    expect(r.stdout).toMatch(/view of →\s+│ node1\s+│ node2\s+│ node3/);
    expect(r.stdout).toMatch(/│ node1\s+│ ·\s+│ ✓\s+│ neigh MAC stale, fdb missing │/);
  });

  it('trace SRC DST --cluster DIR: the whole path from the source pod, healthy from node2, broken from node1', () => {
    const good = flanctl(['trace', '10.244.2.2', '10.244.3.2', '--cluster', DIR, '--json']);
    expect(good.status).toBe(0);
    const path = JSON.parse(good.stdout);
    expect(path.source.node).toBe('node2');
    expect(path.hops[0].step).toBe('source');
    const bad = flanctl(['trace', '10.244.1.2', '10.244.3.2', '--cluster', DIR, '--json']);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout).problems).toContain('VTEP_MAC_MISMATCH');
  });

  it('repair --cluster DIR: a dry run planning node1 only (exit 1); --apply on a directory with no transport is refused', () => {
    const r = flanctl(['repair', '--cluster', DIR, '--json']);
    expect(r.status).toBe(1);
    const plan = JSON.parse(r.stdout);
    expect(plan.applied).toBe(false);
    expect(plan.actions.map((a: { node: string; op: string }) => `${a.node}:${a.op}`)).toEqual(['node1:neigh-replace', 'node1:fdb-replace']);
    const apply = flanctl(['repair', '--cluster', DIR, '--apply', '--yes']);
    expect(apply.status).toBe(2);
    expect(apply.stderr).toMatch(/does not say how its nodes were reached/);
  });

  it('collect --all without a way to reach nodes, or without -o, is one usage error', () => {
    const r = flanctl(['collect', '--all', '-o', join(pathDir, 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--ssh-hosts FILE or --kube/);
    expect(flanctl(['collect', '--all', '--kube']).stderr).toMatch(/give -o DIR/);
  });

  it('kubectl finds kubectl-flanctl on PATH and `kubectl flanctl` runs the same CLI', () => {
    cliEntry(); // the plugin shim runs the same build: fail on a stale one here too
    symlinkSync(join(root, 'bin/kubectl-flanctl.js'), join(pathDir, 'kubectl-flanctl'));
    const env = { ...process.env, PATH: `${pathDir}:${process.env.PATH}` };
    const list = spawnSync('kubectl', ['plugin', 'list'], { encoding: 'utf8', env });
    expect(list.stdout).toContain(join(pathDir, 'kubectl-flanctl'));
    const r = spawnSync('kubectl', ['flanctl', 'doctor', '--cluster', DIR, '--json'], { cwd: root, encoding: 'utf8', env, timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).matrix.cells).toHaveLength(6);
  });
});
