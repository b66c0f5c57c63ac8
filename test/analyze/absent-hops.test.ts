// Absent is not broken, for every trace hop (DESIGN.md "three-valued verdicts"): each fault of absent-hops.cases.ts
// is named at its hop; with one of the inputs that show it removed (as if that step failed or was never pasted) the
// code is gone, that hop is `ok: null` with what to paste, the trace is not `ok: false` unless something else it
// also finds is broken, and nothing is added that the same node without the fault does not give.
import { describe, expect, it } from 'vitest';
import { trace, type TraceResult } from '../../src/analyze/trace.js';
import { Snapshot } from '../../src/model/snapshot.js';
import type { DesiredState } from '../../src/model/lease.js';
import { without } from '../doctor/fault-cases.js';
import { healthyRaw, type Raw } from '../doctor/fixture.js';
import { TRACE_CASES } from './absent-hops.cases.js';

const run = (raw: Raw, dst: string, desired: DesiredState | undefined): TraceResult => trace([Snapshot.parse(raw)], dst, { desired });
const codes = (r: TraceResult): string[] => [...new Set(r.problems)].sort();

describe('trace: without the input that shows a fault, its hop is unverified, not broken', () => {
  const rows = TRACE_CASES.flatMap((c) => c.evidence.map((input) => [c.code, c.name, input, c] as const));
  it.each(rows)('%s (%s) without %s', (code, _name, input, c) => {
    const { raw, desired } = healthyRaw();
    c.change(raw, desired);
    const d = c.noDesired ? undefined : desired;
    const full = run(raw, c.destination, d);
    expect(full.hops.find((h) => h.step === c.step && (h.problems ?? [h.problem]).includes(c.code as never)), `${code} at ${c.step}`).toBeDefined();

    const less = run(without(raw, input), c.destination, d);
    expect(codes(less)).not.toContain(code);
    const at = less.hops.filter((h) => h.step === c.step);
    expect(at.some((h) => h.ok === null && /`[^`]+`/.test(h.unverified ?? '')), `${c.step} is unverified with what to paste: ${JSON.stringify(at)}`).toBe(true);
    // nothing added: what is still broken, the same node without the fault shows with the same input missing
    const healthy = healthyRaw();
    const base = run(without(healthy.raw, input), c.destination, c.noDesired ? undefined : healthy.desired);
    expect(codes(less).filter((x) => !codes(base).includes(x) && !codes(full).includes(x))).toEqual([]);
    if (codes(less).length === 0) expect(less.ok).toBeNull();
  });
});
