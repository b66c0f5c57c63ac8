// src/model/fast-parse.ts is zod's safeParse with a fast path: zod itself is the answer. For every snapshot we ship
// (the doctor fixture and every node directory assembled), for each of the model's schemas, and for random
// mutations of real entries (a field removed, replaced by any JSON value or undefined, an extra key, the wrong
// container), the result must be the one zod gives: same success, same output (deep, and key order as JSON), same
// issues.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSnapshots } from '../../src/collect/index.js';
import { safeParse, safeParseBounded } from '../../src/model/fast-parse.js';
import { Address, CommandResult, FdbEntry, Lease, Link, Neigh, NetConf, Route, Snapshot } from '../../src/model/index.js';
import type * as z from '../../src/model/zod.js';

const NODES = 'fixtures/nodes';
const DOCTOR = 'fixtures/doctor/vxlan-node1.snapshot.json';

function same(schema: z.ZodMiniType, value: unknown): void {
  const want = schema.safeParse(value);
  const got = safeParse(schema, value);
  expect(got.success).toBe(want.success);
  if (want.success && got.success) {
    expect(got.data).toStrictEqual(want.data);
    expect(JSON.stringify(got.data)).toBe(JSON.stringify(want.data));
  } else {
    expect(got.error?.issues).toEqual(want.error?.issues);
  }
}

async function snapshots(): Promise<Record<string, unknown>[]> {
  const out = [JSON.parse(readFileSync(DOCTOR, 'utf8'))];
  // the node directories (fixtures/nodes also holds a nodes list beside them)
  for (const node of readdirSync(NODES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    const [snap] = await loadSnapshots({ fromDir: [join(NODES, node)] });
    out.push(JSON.parse(JSON.stringify(snap)));
  }
  return out;
}

describe('fast-parse gives what zod gives', () => {
  it('on every shipped snapshot, whole and entry by entry', async () => {
    const all = await snapshots();
    expect(all.length).toBeGreaterThan(5);
    for (const snap of all) {
      same(Snapshot, snap);
      for (const [schema, key] of [[Route, 'routes'], [Neigh, 'neigh'], [FdbEntry, 'fdb'], [Link, 'links'], [Address, 'addresses'], [CommandResult, 'commands']] as const) {
        for (const entry of (snap[key] as unknown[]) ?? []) same(schema, entry);
      }
    }
  });

  it('on random mutations of real entries', async () => {
    const all = await snapshots();
    const pool: [z.ZodMiniType, Record<string, unknown>][] = [];
    // every value each field holds somewhere in the fixtures: a mutation swaps in real values of other entries too
    const seen = new Map<string, unknown[]>();
    for (const snap of all) {
      for (const [schema, key] of [[Route, 'routes'], [Neigh, 'neigh'], [FdbEntry, 'fdb'], [Link, 'links'], [Address, 'addresses']] as const) {
        for (const entry of ((snap[key] as Record<string, unknown>[]) ?? []).slice(0, 20)) {
          pool.push([schema, entry]);
          for (const [k, v] of Object.entries(entry)) seen.set(k, [...(seen.get(k) ?? []), v]);
        }
      }
    }
    const odd = ['', 'x', 'AA:BB:CC:DD:EE:FF', '10.0.0.1', '10.0.0.0/24', 'fe80::1', -1, 0, 1.5, 2 ** 60, true, false, null, undefined, [], {}, ['a'], [1]];
    const mutation = fc.record({
      field: fc.oneof({ weight: 6, arbitrary: fc.nat() }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'extra', 'constructor') }),
      op: fc.constantFrom('set', 'set', 'set', 'delete'),
      value: fc.oneof({ weight: 2, arbitrary: fc.nat() }, { weight: 3, arbitrary: fc.constantFrom(...odd) }, { weight: 1, arbitrary: fc.jsonValue() }),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.nat(), (mutations, pick) => {
        const [schema, entry] = pool[pick % pool.length];
        const copy: Record<string, unknown> = JSON.parse(JSON.stringify(entry));
        const keys = [...new Set([...Object.keys(entry), ...Object.keys((schema as unknown as { _zod: { def: { shape?: object } } })._zod.def.shape ?? {}), 'kind', 'dev', 'mac', 'lladdr', 'dst'])];
        for (const m of mutations) {
          const field = typeof m.field === 'number' ? keys[m.field % keys.length] : m.field;
          const values = seen.get(field) ?? odd;
          const value = typeof m.value === 'number' ? values[m.value % values.length] : m.value;
          if (m.op === 'delete') delete copy[field];
          else Object.defineProperty(copy, field, { value, enumerable: true, writable: true, configurable: true });
        }
        same(schema, copy);
        same(schema, [copy]);
        same(Snapshot, { ...all[0], routes: [copy] });
      }),
      { numRuns: 1000 },
    );
    // real entries with their keys in any order, an extra key anywhere, or a field made non-enumerable
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat(), fc.constantFrom('order', 'extra', 'hidden'), (pick, seed, at, how) => {
        const [schema, entry] = pool[pick % pool.length];
        const entries = Object.entries(JSON.parse(JSON.stringify(entry)) as Record<string, unknown>);
        if (how === 'order') for (let i = entries.length - 1; i > 0; i--) { const j = (seed + i * 7919) % (i + 1); [entries[i], entries[j]] = [entries[j], entries[i]]; }
        if (how === 'extra') entries.splice(at % (entries.length + 1), 0, ['extra', seed]);
        const copy = Object.fromEntries(entries);
        if (how === 'hidden' && entries.length > 0) Object.defineProperty(copy, entries[at % entries.length][0], { enumerable: false });
        same(schema, copy);
        same(schema, [copy]);
      }),
      { numRuns: 1000 },
    );
    // and every field of one entry of each kind set to each odd value, or removed
    for (const schema of [Route, Neigh, FdbEntry, Link, Address]) {
      const [, entry] = pool.find(([s]) => s === schema)!;
      for (const field of [...Object.keys(entry), ...Object.keys((schema as unknown as { _zod: { def: { shape?: object } } })._zod.def.shape ?? {})]) {
        for (const value of odd) same(schema, { ...entry, [field]: value });
        const rest = { ...entry };
        delete rest[field];
        same(schema, rest);
      }
    }
  });

  it('hands back zod\'s own output as it is (no copy), and copies what zod would rebuild', async () => {
    const [doctor, ...nodes] = await snapshots();
    for (const snap of [doctor, ...nodes]) {
      // zod's output is what zod builds from it: fast-parse hands back the big tables as they are (links too: of a
      // discriminated union it runs the option the tag names, as zod does)
      const canonical = Snapshot.parse(snap) as Record<string, unknown>;
      const got = safeParse(Snapshot, canonical);
      expect(got.success).toBe(true);
      for (const key of ['routes', 'neigh', 'fdb', 'links', 'addresses', 'sysctls']) expect((got.data as Record<string, unknown>)[key]).toBe(canonical[key]);
    }
    const route = Route.parse((doctor.routes as unknown[])[0]) as Record<string, unknown>;
    // keys in another order, an extra key before the shape's, a default left out, a class instance, an array with a
    // hole: each is rebuilt as zod rebuilds it (same() holds key order too), never handed back
    const reversed = Object.fromEntries(Object.entries(route).reverse());
    const extraFirst = { extra: 1, ...route };
    const noTable = { ...route };
    delete noTable.table;
    class Entry {}
    const instance = Object.assign(new Entry(), route);
    for (const v of [reversed, extraFirst, noTable, instance]) {
      same(Route, v);
      const got = safeParse(Route, v);
      expect(got.success && got.data).not.toBe(v);
    }
    const holed: unknown[] = ['a'];
    holed[2] = 'b';
    same(Route, { ...route, flags: holed });
    same(Route, { ...route, flags: ['a', undefined] });
  });

  it('on values that are not objects at all, and on leases and net-conf', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.constant(undefined)), (v) => {
        for (const schema of [Snapshot, Route, Link, Lease, NetConf]) same(schema, v);
      }),
      { numRuns: 200 },
    );
    same(Lease, { subnet: '10.244.1.0/24', publicIp: '192.168.1.2', backendType: 'vxlan', vni: 1, extra: { a: 1 } });
    same(NetConf, { Network: '10.244.0.0/16', Backend: { Type: 'vxlan' } });
    same(NetConf, { Network: '10.244.0.0/16', Backend: {} });
    same(NetConf, { Backend: { VNI: 1.5 } });
  });
});

// safeParseBounded measures only what the schema does not bound (a loose object's other keys, what zod alone decides).
// The answer from outside: a recursive count of the nesting of the value put there, and zod's own parse.
describe('safeParseBounded: the depth of what the schema does not bound', () => {
  const depth = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depth)) : 0);

  it('finds a value nested deeper than the limit in any loose object\'s other keys, and nothing else (property)', () => {
    // entries with none of their own other keys, so the value put in is the only one not bounded by the schema
    const route = { table: 'main', type: 'unicast', dst: '10.0.0.0/24', dev: 'eth0', onlink: false, flags: [] };
    const link = { ifindex: 2, name: 'eth0', flags: ['UP'], mtu: 1500, kind: 'device' };
    const address = { dev: 'eth0', family: 'inet', local: '10.0.0.2', prefixlen: 24 };
    const snap = Snapshot.parse({ schemaVersion: 1, host: 'node1', time: '2026-01-01T00:00:00Z', source: { kind: 'dir' }, routes: [route], links: [link], addresses: [address] }) as Record<string, unknown>;
    // a route (fast path), a link (a discriminated union: zod decides it), an address, the snapshot itself
    const places: ((x: unknown) => Record<string, unknown>)[] = [
      (x) => ({ ...snap, routes: [route, { ...route, extra: x }] }),
      (x) => ({ ...snap, links: [{ ...link, extra: x }] }),
      (x) => ({ ...snap, addresses: [{ ...address, extra: x }] }),
      (x) => ({ ...snap, extra: x }),
    ];
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 1, max: 6 }), fc.nat(), (x, limit, at) => {
        const value = places[at % places.length](x);
        const { result, tooDeep } = safeParseBounded(Snapshot, value, limit);
        expect(tooDeep).toBe(depth(x) > limit);
        const want = Snapshot.safeParse(value);
        expect(result.success).toBe(want.success);
        if (result.success && want.success) expect(result.data).toStrictEqual(want.data);
      }),
      { numRuns: 300 },
    );
  });

  it('measures 200,000 nested arrays without recursing, and leaves plain safeParse unmeasured', async () => {
    const [snap] = await snapshots();
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const route = (snap.routes as Record<string, unknown>[])[0];
    for (const value of [{ ...snap, routes: [{ ...route, deep }] }, { ...snap, deep }]) {
      expect(safeParseBounded(Snapshot, value, 64).tooDeep).toBe(true);
      expect(safeParse(Snapshot, value).success).toBe(true);
    }
    expect(safeParseBounded(Snapshot, snap, 64).tooDeep).toBe(false);
  });
});
