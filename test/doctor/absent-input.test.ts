// Absent is not broken, for every doctor check (DESIGN.md "three-valued verdicts"): each fault of fault-cases.ts,
// with one of the inputs that show it removed (as if that step failed or was never pasted), is no longer named; the
// check that named it lists itself unverified with what to paste; and the report gains nothing the full input did
// not give, so the exit code is not raised by what is missing. Every code of the catalogue has such a case here or
// in the trace table (test/analyze/absent-hops.test.ts), or a reason it has none: a new code without one fails.
import { describe, expect, it } from 'vitest';
import { buildContext } from '../../src/analyze/checks/context.js';
import { CHECKS, runDoctor } from '../../src/analyze/doctor.js';
import { CODES, type Code } from '../../src/model/codes.js';
import type { DesiredState } from '../../src/model/lease.js';
import { Snapshot } from '../../src/model/snapshot.js';
import { TRACE_CASES } from '../analyze/absent-hops.cases.js';
import { REMOVAL_CASES } from '../analyze/removal-cases.js';
import { cases, without } from './fault-cases.js';
import { healthyRaw, type Raw } from './fixture.js';

// codes that are no fact of a node's input (or need a fixture this table does not have yet), and why
const NO_NODE_INPUT: Partial<Record<Code, string>> = {
  LEASE_BAD_CONFIG: 'the desired state itself',
  LEASE_BAD_KEY: 'the desired state itself',
  LEASE_BAD_VALUE: 'the desired state itself',
  LEASE_BAD_SUBNET: 'the desired state itself',
  LEASE_SUBNET_UNSAFE: 'the desired state itself',
  LEASE_SUBNET_OUTSIDE_NETWORK: 'the desired state itself (or subnet.env\'s Network: refused, never a per-peer finding)',
  LEASE_BAD_VTEP_MAC: 'the desired state itself',
  LEASE_NOT_KUBE_SUBNET_MANAGER: 'the desired state itself',
  LEASE_NO_SUBNET: 'the desired state itself',
  LEASE_NO_CONFIG: 'the desired state itself',
  LEASE_OVERWRITE_PENDING: 'the desired state itself',
  LEASE_NO_PUBLIC_KEY: 'the desired state itself',
  ROUTE_NOT_OVERLAY: 'repair only: what repair leaves alone',
  NODE_UNREACHABLE: 'cluster mode: a node that was not collected at all',
};

const codesOf = (r: { findings: { code: string; severity: string }[] }): string[] => [...new Set(r.findings.map((f) => f.code))].sort();
const PASTE_HINT = /`[^`]+`|--[a-z-]+ FILE/;

function report(raw: Raw, desired: DesiredState | undefined) {
  return runDoctor({ snapshot: Snapshot.parse(raw), desired });
}

describe('every code has a case that removes its evidence (or a reason it has none)', () => {
  it('the catalogue is covered', () => {
    const covered = new Set<string>([...cases.map((c) => c.code), ...TRACE_CASES.map((c) => c.code), ...REMOVAL_CASES.map((c) => c.code), ...Object.keys(NO_NODE_INPUT)]);
    // probe's verdicts judge packets it captured live, never a node's saved state
    expect(Object.keys(CODES).filter((c) => !covered.has(c) && !c.startsWith('PROBE_'))).toEqual([]);
  });
  it('each doctor fault names its evidence, or why it has none', () => {
    for (const c of [...cases, ...TRACE_CASES]) expect(c.evidence.length > 0 || !!c.why, c.code).toBe(true);
  });
});

// the matrix, two-node trace and pod-veth cases (removal-cases.ts): run here, so a code is covered only by a case that
// holds, whatever the file that also uses it does
describe('cluster matrix, two-node trace, pod-veth: without the input that shows a fault, it is unverified', () => {
  it.each(REMOVAL_CASES.map((c) => [c.code, c.removes, c] as const))('%s without %s', (code, _removes, c) => {
    const { full, less, base } = c.run();
    expect(full.codes).toContain(code);
    expect(less.codes).not.toContain(code);
    expect(less.unverified.length, 'what could not be checked is said').toBeGreaterThan(0);
    for (const u of less.unverified) expect(u).toMatch(PASTE_HINT);
    expect(less.codes.filter((x) => !base.codes.includes(x))).toEqual([]);
    expect(less.ok).toBe(base.ok);
  });
});

describe('doctor: without the input that shows a fault, the fault is unverified, not a finding', () => {
  const rows = cases.flatMap((c) => c.evidence.map((input) => [c.code, input, c] as const));
  it.each(rows)('%s without %s', (code, input, c) => {
    const { raw, desired } = healthyRaw();
    c.base?.(raw, desired);
    c.change(raw, desired);
    const d = c.noDesired ? undefined : desired;
    const full = report(raw, d);
    expect(codesOf(full)).toContain(code);
    // the checks that named it
    const ctx = buildContext({ snapshot: Snapshot.parse(raw), desired: d });
    const named = CHECKS.filter((k) => {
      const r = k.run(ctx);
      return (Array.isArray(r) ? r : 'findings' in r ? r.findings : []).some((f) => f.code === code);
    }).map((k) => k.name);
    expect(named.length).toBeGreaterThan(0);

    const less = report(without(raw, input), d);
    expect(codesOf(less)).not.toContain(code);
    for (const check of named) {
      const said = less.unverified.filter((u) => u.check === check);
      expect(said.length, `${check} lists itself unverified`).toBeGreaterThan(0);
      for (const u of said) expect(u.missing).toMatch(PASTE_HINT);
    }
    // less input adds nothing: what remains is what the same node without the fault gives, or what the change
    // also makes true through another input
    const healthy = healthyRaw();
    c.base?.(healthy.raw, healthy.desired);
    const base = report(without(healthy.raw, input), c.noDesired ? undefined : healthy.desired);
    const allowed = new Set([...codesOf(base), ...(c.also ?? [])]);
    expect(codesOf(less).filter((x) => !allowed.has(x))).toEqual([]);
    expect(codesOf(less).every((x) => codesOf(full).includes(x) || codesOf(base).includes(x))).toBe(true);
    if (codesOf(less).every((x) => codesOf(base).includes(x))) expect(less.ok).toBe(base.ok);
  });
});
