// zod's safeParse, with a fast path for input that fits. Validating a 5,000-peer snapshot (15,000 routes, neigh and
// fdb entries) took zod ≈ 100 ms CPU in a start-up of ≈ 70 ms (BENCHMARKS.md, issue 15 levers): its first calls
// compile code with `new Function` that no code cache keeps, and walk generic paths per entry. Here each schema is
// turned once into plain closures that check the common shapes (objects, arrays, records, strings, numbers,
// booleans, enums, literals, optional, default, nullable and the checks our schemas use) and build the same output
// zod builds. Whatever the closures do not handle, or any value that does not fit, goes to zod itself: errors, their
// messages and every unusual case stay zod's (test/model/fast-parse.test.ts holds the outputs equal).
// An object, array or record that already is what zod would build (each value kept as it is, keys in the shape's
// order) is handed back itself, not copied: a snapshot file is such JSON, and copying its 15,000 entries cost ≈ 18 ms
// CPU of a 160 ms trace. So the result may be the input: callers pass values they own (fresh JSON, a parser's entry).
// Depth: JSON.parse is not recursive, and every walk here follows the schema, whose depth is fixed — except what the
// schema does not bound: a loose object's other keys, `unknown`, and what zod alone decides. safeParseBounded measures
// those values only (a snapshot file is someone else's JSON: 200,000 nested arrays in an extra key overflowed the
// stack when printed), instead of scanning every character of a 1.7 MB snapshot for brackets (≈ 4.5 ms cold).
import type * as z from './zod.js';

type Schema = z.ZodMiniType;
/** A compiled check: the parsed value, or NO when zod must decide. */
type Fast = (value: unknown) => unknown;

const NO = Symbol('not decided');
const compiled = new WeakMap<Schema, Fast>();

// safeParseBounded's limit while it runs (0: not measured; parsing is synchronous, so one at a time) and its finding
let depthLimit = 0;
let tooDeep = false;

/** Is `v` nested more than `limit` levels of objects and arrays deep? Iterative: the depth is the attacker's. */
function deeperThan(v: unknown, limit: number): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const stack: [object, number][] = [[v, 1]];
  while (stack.length > 0) {
    const [o, d] = stack.pop()!;
    if (d > limit) return true;
    for (const key in o) {
      const x = (o as Record<string, unknown>)[key];
      if (typeof x === 'object' && x !== null) stack.push([x, d + 1]);
    }
  }
  return false;
}

/** A value kept as it came, whose depth no schema bounds: measured when safeParseBounded asks. */
function unbounded(v: unknown): void {
  if (depthLimit !== 0 && !tooDeep && deeperThan(v, depthLimit)) tooDeep = true;
}

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  keyType?: Schema;
  valueType?: Schema;
  innerType?: Schema;
  defaultValue?: unknown;
  values?: unknown[];
  entries?: Record<string, unknown>;
  options?: Schema[];
  discriminator?: string;
  unionFallback?: boolean;
}

interface CheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  fn?: (value: unknown) => unknown;
  value?: number;
  inclusive?: boolean;
}

const defOf = (schema: Schema): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** One check of a string or number, or undefined when only zod knows it. */
function checkOf(def: CheckDef): ((value: never) => boolean) | undefined {
  if (def.check === 'string_format' && def.format === 'regex' && def.pattern && !def.pattern.global && !def.pattern.sticky) {
    const re = def.pattern;
    return (v: string) => re.test(v);
  }
  if (def.check === 'custom' && def.fn) {
    const fn = def.fn;
    return (v: unknown) => {
      const r = fn(v);
      return r === true || (r !== false && !(r instanceof Promise) && Boolean(r));
    };
  }
  if (def.check === 'number_format' && def.format === 'safeint') return (v: number) => Number.isSafeInteger(v);
  if (def.check === 'greater_than' && typeof def.value === 'number') {
    const min = def.value;
    return def.inclusive ? (v: number) => v >= min : (v: number) => v > min;
  }
  return undefined;
}

/** The schema's checks as one test, or undefined when one of them is not ours to run. */
function checksOf(def: Def): ((value: never) => boolean) | undefined {
  const tests = (def.checks ?? []).map((c) => checkOf(c._zod.def));
  if (tests.some((t) => t === undefined)) return undefined;
  const all = tests as ((value: never) => boolean)[];
  if (all.length <= 1) return all[0] ?? NONE;
  return (v: never) => {
    for (const t of all) if (!t(v)) return false;
    return true;
  };
}

/** No checks: the type alone decides (most fields, so they skip the call). */
const NONE = (): boolean => true;

/** zod decides this value: its output when valid, else NO. */
const byZod =
  (schema: Schema): Fast =>
  (v) => {
    const r = schema.safeParse(v);
    if (!r.success) return NO;
    unbounded(r.data);
    return r.data;
  };

function compile(schema: Schema): Fast {
  let fast = compiled.get(schema);
  if (fast) return fast;
  // a recursive schema finds its own entry while it is being compiled
  compiled.set(schema, (v) => fast!(v));
  fast = build(schema);
  compiled.set(schema, fast);
  return fast;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function build(schema: Schema): Fast {
  const def = defOf(schema);
  const checks = checksOf(def);
  if (!checks) return byZod(schema);
  switch (def.type) {
    case 'string':
      return checks === NONE ? (v) => (typeof v === 'string' ? v : NO) : (v) => (typeof v === 'string' && checks(v as never) ? v : NO);
    case 'number':
      return (v) => (typeof v === 'number' && Number.isFinite(v) && checks(v as never) ? v : NO);
    case 'boolean':
      return checks === NONE ? (v) => (typeof v === 'boolean' ? v : NO) : (v) => (typeof v === 'boolean' && checks(v as never) ? v : NO);
    case 'literal': {
      const values = def.values ?? [];
      return (v) => (values.includes(v) ? v : NO);
    }
    case 'enum': {
      const values = new Set(Object.values(def.entries ?? {}));
      return (v) => ((typeof v === 'string' || typeof v === 'number') && values.has(v) ? v : NO);
    }
    case 'unknown':
      return (v) => {
        unbounded(v);
        return v;
      };
    case 'optional': {
      const inner = compile(def.innerType!);
      return (v) => (v === undefined ? undefined : inner(v));
    }
    case 'nullable': {
      const inner = compile(def.innerType!);
      return (v) => (v === null ? null : inner(v));
    }
    case 'default': {
      const inner = compile(def.innerType!);
      // the getter hands out a fresh copy each time, as zod applies it
      return (v) => (v === undefined ? def.defaultValue : inner(v));
    }
  }
  // zod runs the checks of an array, record or object on what it built: those stay zod's
  if ((def.checks ?? []).length > 0) return byZod(schema);
  switch (def.type) {
    case 'array':
      return arrayOf(compile(def.element!));
    case 'record': {
      const key = defOf(def.keyType!);
      return key.type === 'string' && (key.checks ?? []).length === 0 ? recordOf(compile(def.valueType!)) : byZod(schema);
    }
    case 'object':
      return objectOf(def) ?? byZod(schema);
    case 'union':
      return discriminatedOf(def) ?? byZod(schema);
    default:
      return byZod(schema);
  }
}

function arrayOf(element: Fast): Fast {
  return (v) => {
    if (!Array.isArray(v)) return NO;
    // the array itself when every element is kept as it is (no hole, nothing undefined): zod's copy would equal it
    let out: unknown[] | undefined = Object.getPrototypeOf(v) === Array.prototype ? undefined : new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const raw: unknown = v[i];
      const e = element(raw);
      if (e === NO) return NO;
      if (out === undefined && (e !== raw || e === undefined)) out = v.slice(0, i);
      if (out !== undefined) out[i] = e;
    }
    return out ?? v;
  };
}

function recordOf(value: Fast): Fast {
  return (v) => {
    if (!isRecord(v) || Object.getOwnPropertySymbols(v).length > 0) return NO;
    // the record itself when every value is kept as it is (as arrays and objects above)
    let out: Record<string, unknown> | undefined = Object.getPrototypeOf(v) === Object.prototype ? undefined : {};
    for (const key of Object.keys(v)) {
      if (key === '__proto__') return NO;
      const raw = v[key];
      const e = value(raw);
      if (e === NO) return NO;
      if (out === undefined && e !== raw) out = { ...v };
      if (out !== undefined) out[key] = e;
    }
    return out ?? v;
  };
}

/** A discriminated union of objects tagged by literals (Link by `kind`): zod runs the one option the tag names, so
 * does this; any other tag, and any other union, is zod's. */
function discriminatedOf(def: Def): Fast | undefined {
  const tag = def.discriminator;
  if (tag === undefined || def.unionFallback || !def.options) return undefined;
  const byTag = new Map<unknown, Fast>();
  for (const option of def.options) {
    const d = defOf(option);
    const literal = d.type === 'object' && d.shape?.[tag] ? defOf(d.shape[tag]) : undefined;
    if (literal?.type !== 'literal' || !literal.values) return undefined;
    for (const value of literal.values) if (!byTag.has(value)) byTag.set(value, compile(option));
  }
  return (v) => {
    if (!isRecord(v)) return NO;
    const option = byTag.get(v[tag]);
    return option ? option(v) : NO;
  };
}

/** Objects as zod builds them: the shape's keys in its order, then (loose) the other keys as they came. */
function objectOf(def: Def): Fast | undefined {
  const shape = def.shape!;
  const keys = Object.keys(shape);
  if (Object.getOwnPropertySymbols(shape).length > 0 || keys.includes('__proto__')) return undefined;
  const catchall = def.catchall && defOf(def.catchall).type;
  if (catchall !== undefined && catchall !== 'unknown') return undefined;
  const loose = catchall === 'unknown';
  const known = new Set(keys);
  const fields = keys.map((key) => {
    const d = defOf(shape[key]);
    const optional = d.type === 'optional';
    const defaulted = d.type === 'default';
    // `inner`: what a present, defined value goes through (the optional/default wrapper decides only undefined)
    return { key, parse: compile(shape[key]), inner: optional || defaulted ? compile(d.innerType!) : compile(shape[key]), optional, defaulted };
  });
  // only optional, default and required fields: zod's rules for what an absent key gives are these three
  if (fields.some((f) => !f.optional && !f.defaulted && ['nullable', 'unknown', 'any', 'undefined', 'void'].includes(defOf(shape[f.key]).type))) return undefined;
  const build = (v: Record<string, unknown>): unknown => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const present = f.key in v;
      if (!present && f.optional) continue;
      if (!present && !f.defaulted) return NO;
      const value = f.parse(v[f.key]);
      if (value === NO) return NO;
      if (value !== undefined || present || f.defaulted) out[f.key] = value;
    }
    if (loose) {
      for (const key in v) {
        if (known.has(key) || key === '__proto__') continue;
        unbounded(v[key]);
        out[key] = v[key];
      }
    }
    return out;
  };
  // fields past 31 do not fit the bitmask of present keys: such a schema always builds
  const canon = fields.length <= 31;
  return (v) => {
    if (!isRecord(v)) return NO;
    if (!canon || Object.getPrototypeOf(v) !== Object.prototype) return build(v);
    // first pass: check every field without building; when each value is kept as it is and the keys come in the
    // shape's order (loose: extra keys after them), zod would build this very object: hand it back
    let present = 0;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      const raw = v[f.key];
      if (raw === undefined && !(f.key in v)) {
        if (f.optional) continue;
        return f.defaulted ? build(v) : NO;
      }
      const value = raw === undefined ? f.parse(raw) : f.inner(raw);
      if (value === NO) return NO;
      if (value !== raw) return build(v);
      present |= 1 << i;
    }
    let i = 0;
    for (const key in v) {
      while (i < fields.length && (present & (1 << i)) === 0) i++;
      if (i < fields.length) {
        if (key !== fields[i].key) return build(v);
        i++;
      } else if (!loose || key === '__proto__') return build(v);
      else unbounded(v[key]);
    }
    // a present field the walk did not meet (not enumerable): zod's output has it, this object does not show it
    while (i < fields.length && (present & (1 << i)) === 0) i++;
    return i < fields.length ? build(v) : v;
  };
}

/** `schema.safeParse(value)`, the same result, faster when the value fits the common shapes. */
export function safeParse<S extends Schema>(schema: S, value: unknown): z.util.SafeParseResult<z.output<S>> {
  const out = compile(schema)(value);
  if (out !== NO) return { success: true, data: out as z.output<S> };
  return schema.safeParse(value);
}

/**
 * safeParse, and whether a value the schema does not bound (see the top of this file) nests more than `maxDepth`
 * levels deep; the schema's own levels come on top of that, so the result is at most `maxDepth` + the schema's depth.
 */
export function safeParseBounded<S extends Schema>(schema: S, value: unknown, maxDepth: number): { result: z.util.SafeParseResult<z.output<S>>; tooDeep: boolean } {
  depthLimit = maxDepth;
  tooDeep = false;
  try {
    const out = compile(schema)(value);
    if (out !== NO) return { result: { success: true, data: out as z.output<S> }, tooDeep };
    // zod decided the whole value: what it accepts is measured whole, its schema's levels included
    const result = schema.safeParse(value);
    return { result, tooDeep: result.success && deeperThan(result.data, maxDepth) };
  } finally {
    depthLimit = 0;
  }
}
