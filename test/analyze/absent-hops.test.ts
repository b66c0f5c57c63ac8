// Absent is not broken, for every trace hop (DESIGN.md "three-valued verdicts"): each fault of absent-hops.cases.ts
// is named at its hop; with one of the inputs that show it removed (as if that step failed or was never pasted) the
// code is gone, that hop is `ok: null` with what to paste, the trace is not `ok: false` unless something else it
// also finds is broken, and nothing is added that the same node without the fault does not give. Every hop the
// trace code can build (read from src/analyze/trace*.ts) has such a case, or a reason it has none.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { trace, type TraceResult } from '../../src/analyze/trace.js';
import { Snapshot } from '../../src/model/snapshot.js';
import type { DesiredState } from '../../src/model/lease.js';
import { without } from '../doctor/fault-cases.js';
import { healthyRaw, type Raw } from '../doctor/fixture.js';
import { TRACE_CASES } from './absent-hops.cases.js';

const run = (raw: Raw, dst: string, desired: DesiredState | undefined): TraceResult => trace([Snapshot.parse(raw)], dst, { desired });
const codes = (r: TraceResult): string[] => [...new Set(r.problems)].sort();

/** `<function> <step>` for every hop(…) / unverifiedHop(…) / asHop(…) call with a literal step in the trace sources. */
function hopsInCode(): string[] {
  const dir = new URL('../../src/analyze/', import.meta.url);
  const out = new Set<string>();
  for (const f of readdirSync(dir).filter((x) => /^trace(-[a-z]+)?\.ts$/.test(x))) {
    let fn = '';
    for (const line of readFileSync(new URL(f, dir), 'utf8').split('\n')) {
      const m = /^(?:export )?(?:function (\w+)|const (\w+) =)/.exec(line);
      if (m) fn = m[1] ?? m[2];
      for (const h of line.matchAll(/\b(?:hop|unverifiedHop|asHop)\('([a-z-]+)'/g)) out.add(`${fn} ${h[1]}`);
    }
  }
  return [...out].sort();
}

// hops no single-node removal case can show, and why
const NO_CASE: Record<string, string> = {
  'bridgeWalk route': 'never broken here: a route to the bridge is judged in walkFrom (ROUTE_WRONG_DEV, with its case), which stops unverified without the route table',
  'bridgeWalk fdb': 'never broken: a learned entry ages out; without the bridge fdb the hop is left out and the bridge hop says what to paste',
  'vethRouteWalk route': 'never broken here: walkFrom judges the route (its cases), unverified without the route table',
  'wireguardWalk route': 'never broken here: walkFrom judges the route (its cases); without `wg show` the wg-peer hop is unverified (WG_PEER_MISSING case)',
  'wireguardWalk node': 'never broken: names the peer endpoint the kernel sends to',
  'nodeHop node': "VTEP_MAC_MISMATCH against the target node's own snapshot is a two-node trace; without that snapshot the hop only names the node from the fdb dst or route gateway it follows",
  'trace arrive': "never broken: the target node's snapshot was given, the hop names the crossing",
  'trace route': "ROUTE_WRONG_DEV on the target node is a two-node trace; without the target's route table its walk stops unverified at walkFrom's route hop",
  'walkFrom wg-peer': "the stand-in for wireguardWalk's wg-peer when `wg show` was not read: what the WG_PEER_MISSING case removes",
  'reversePath node': 'REVERSE_PATH_MISMATCH is a two-node trace: its removal case is in test/analyze/removal-cases.ts (run by reverse-path-absent.test.ts)',
};

describe('every hop the trace builds has a removal case or a reason', () => {
  it('the hops read from src/analyze/trace*.ts are covered', () => {
    const covered = new Set(TRACE_CASES.map((c) => `${c.at} ${c.step}`));
    const found = hopsInCode();
    // the reading works: the vxlan and local legs are there
    expect(found).toEqual(expect.arrayContaining(['vxlanWalk route', 'peerHops neigh', 'underlayHop underlay', 'mtuHop mtu', 'vethHop veth']));
    expect(found.filter((h) => !covered.has(h) && !NO_CASE[h])).toEqual([]);
    // a reason for a hop that no longer exists, or that has a case now, is stale
    expect(Object.keys(NO_CASE).filter((h) => !found.includes(h) || covered.has(h))).toEqual([]);
  });
});

describe('trace: without the input that shows a fault, its hop is unverified, not broken', () => {
  const rows = TRACE_CASES.flatMap((c) => c.evidence.map((input) => [c.code, c.name, input, c] as const));
  it.each(rows)('%s (%s) without %s', (code, _name, input, c) => {
    const { raw, desired } = healthyRaw();
    c.change(raw, desired);
    const d = c.noDesired ? undefined : desired;
    const full = run(raw, c.destination, d);
    expect(full.hops.find((h) => h.step === c.step && (h.problems ?? [h.problem]).includes(c.code as never)), `${code} at ${c.step}: ${JSON.stringify(full.hops)}`).toBeDefined();

    const less = run(without(raw, input), c.destination, d);
    expect(codes(less)).not.toContain(code);
    const at = less.hops.filter((h) => h.step === c.step);
    if (c.onDemand) {
      // resolved on demand: no hop broken or ok on that neighbour; a hop says it was not checked and what to paste
      expect(at.every((h) => h.ok !== false)).toBe(true);
      expect(less.hops.some((h) => /not checked.*`[^`]+`/.test(h.detail)), JSON.stringify(less.hops)).toBe(true);
    } else expect(at.some((h) => h.ok === null && /`[^`]+`/.test(h.unverified ?? '')), `${c.step} is unverified with what to paste: ${JSON.stringify(at)}`).toBe(true);
    // nothing added: what is still broken, the same node without the fault shows with the same input missing
    const healthy = healthyRaw();
    const base = run(without(healthy.raw, input), c.destination, c.noDesired ? undefined : healthy.desired);
    expect(codes(less).filter((x) => !codes(base).includes(x) && !codes(full).includes(x))).toEqual([]);
    // a neighbour resolved on demand is no required evidence: without it the trace may be ok on the rest
    if (codes(less).length === 0) expect(less.ok).toBe(c.onDemand ? less.hops.every((h) => h.ok === true) || null : null);
  });
});
