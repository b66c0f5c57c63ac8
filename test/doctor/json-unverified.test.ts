// doctor's `unverified` entries have one shape whatever produced them (DESIGN.md: `unverified: [ { check, missing } ]`,
// plus the node): the single-node checks and the cluster matrix alike. And the human view never says the node
// matches flannel's desired state while something was not checked.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDoctor } from '../../src/render/doctor.js';
import type { DoctorJson, DoctorOutcome } from '../../src/services/doctor.js';
import { ROOT, runCli } from '../collect/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'fct-json-unverified-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** stale-vtep with node2's `bridge fdb show` failed (its file kept, its entries gone) */
function clusterWithoutNode2Fdb(): string {
  const dir = join(tmp, 'cluster');
  cpSync(join(ROOT, 'fixtures/cluster/stale-vtep'), dir, { recursive: true });
  const file = join(dir, 'node2.json');
  const s = JSON.parse(readFileSync(file, 'utf8'));
  s.fdb = [];
  s.commands = s.commands.map((c: { name: string }) => (c.name === 'bridge-fdb.txt' ? { ...c, ok: false, error: 'bridge: not found' } : c));
  writeFileSync(file, JSON.stringify(s));
  return dir;
}

describe('doctor --json unverified entries', () => {
  it('single node and cluster matrix entries carry the same keys: node, check, missing', () => {
    const one = runCli(['doctor', '--from-dir', join(ROOT, 'fixtures/nodes/k8snode028'), '--json']).json;
    const cluster = runCli(['doctor', '--cluster', clusterWithoutNode2Fdb(), '--json']).json;
    const entries = [...one.unverified, ...cluster.unverified];
    expect(one.unverified.length).toBeGreaterThan(0);
    // the matrix's own entry for node2's fdb, beside the single-node checks' entries
    expect(cluster.unverified).toContainEqual({ node: 'node2', check: 'cluster matrix', missing: "node2's fdb entries for its peers: paste `bridge fdb show`" });
    expect(cluster.unverified.some((u: { check: string }) => u.check !== 'cluster matrix')).toBe(true);
    for (const u of entries) expect(Object.keys(u).sort()).toEqual(['check', 'missing', 'node']);
  });

  it('the human view of that cluster says what was not checked, and not that it matches', () => {
    const r = runCli(['doctor', '--cluster', clusterWithoutNode2Fdb()]);
    expect(r.stdout).toContain("node2's fdb entries for its peers: paste `bridge fdb show`");
    expect(r.stdout).not.toMatch(/matches flannel's desired state/);
  });
});

describe('doctor human view', () => {
  const node = { ok: true, node: 'n1', backend: 'vxlan', peers: 2, localLeaseHow: 'by name' };
  const doc = (unverified: DoctorJson['unverified']): DoctorOutcome => ({ doc: { ok: true, findings: [], skipped: [], unverified, nodes: [node] } });
  it("says the node matches flannel's desired state only when nothing was left unverified", () => {
    expect(renderDoctor(doc([]))).toContain("no findings: the node matches flannel's desired state");
    const open = renderDoctor(doc([{ node: 'n1', check: 'iptables', missing: 'the iptables rules were not in the data given: paste `iptables-save`' }]));
    expect(open).not.toMatch(/matches flannel's desired state/);
    expect(open).toContain('not everything could be checked');
    expect(open).toContain('paste `iptables-save`');
  });
});
