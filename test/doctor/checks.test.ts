import { describe, expect, it } from 'vitest';
import { buildContext } from '../../src/analyze/checks/context.js';
import { CHECKS, runDoctor } from '../../src/analyze/doctor.js';
import { cases, removeWhere } from './fault-cases.js';
import { broken, healthy, link, NODE2_MAC } from './fixture.js';

describe('doctor on a healthy node', () => {
  it('finds nothing wrong and skips only what does not apply', () => {
    const report = runDoctor(healthy());
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.localLease?.node).toBe('node1');
    expect(report.peers).toBe(2);
    expect(report.skipped.map((s) => s.check)).toEqual(['ipip device']);
  });

  it.each(CHECKS.map((c) => [c.name, c] as const))('%s is silent', (_name, check) => {
    const { snapshot, desired } = healthy();
    // the lab kernel has the checksum fix; with the offload off the check says nothing at all
    snapshot.features['flannel.1']['tx-checksum-ip-generic'] = 'off';
    const r = check.run(buildContext({ snapshot, desired }));
    if (Array.isArray(r)) expect(r).toEqual([]);
    else if ('findings' in r) expect(r).toEqual({ findings: [], unverified: [] });
    else expect(check.name).toBe('ipip device');
  });
});

describe('doctor fires', () => {
  it.each(cases.map((c) => [c.code, c] as const))('%s', (code, c) => {
    const { snapshot, desired } = broken((r, d) => {
      c.base?.(r, d);
      c.change(r, d);
    });
    const report = runDoctor({ snapshot, desired: c.noDesired ? undefined : desired });
    const hit = report.findings.filter((f) => f.code === code);
    // alone: the full set of codes is this one and what the same change makes true (info notes aside)
    const codes = new Set(report.findings.filter((f) => f.severity !== 'info' || f.code === code).map((f) => f.code));
    expect([...codes].sort()).toEqual([code, ...(c.also ?? [])].sort());
    expect(hit[0].evidence.length).toBeGreaterThan(0);
    expect(hit[0].summary).not.toBe('');
    if (hit[0].severity !== 'info') expect(report.ok).toBe(false);
  });

  it('puts the exact flannel command in the fix of a per-peer finding', () => {
    const report = runDoctor(broken((r) => removeWhere(r.fdb, (f) => f.mac === NODE2_MAC)));
    const f = report.findings.find((x) => x.code === 'FDB_MISSING')!;
    expect(f.fix).toBe(`bridge -n fctdrsc4c6-node1 fdb replace ${NODE2_MAC} dev flannel.1 dst 192.168.56.12 self permanent`);
  });

  it('without desired state runs the checks that need none and says which it skipped', () => {
    const report = runDoctor({ snapshot: healthy().snapshot });
    expect(report.ok).toBe(true);
    const skipped = new Map(report.skipped.map((s) => [s.check, s.reason]));
    expect(skipped.get('per-lease neigh/fdb/route')).toMatch(/no desired state/);
    expect(skipped.get('desired state')).toMatch(/--nodes/);
    expect(skipped.has('sysctls')).toBe(false);
    expect(skipped.has('vxlan device')).toBe(false);
  });

  it('sees the vxlan device down as missing neighbours and routes, not as healthy ones', () => {
    const report = runDoctor(broken((r) => (link(r, 'flannel.1').flags = ['BROADCAST', 'MULTICAST'])));
    const codes = report.findings.map((f) => f.code);
    expect(codes).toContain('VXLAN_DEVICE_DOWN');
    expect(codes.filter((c) => c === 'ROUTE_MISSING')).toHaveLength(2);
  });
});
