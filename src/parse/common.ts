// Helpers shared by the parsers: numbered lines, whitespace tokens, strict numbers, JSON arrays,
// and validation of every result against its zod schema (a failure there is a ParseError too).
import type * as z from '../model/zod.js';
import { ParseError } from '../errors.js';
import { safeParse } from '../model/fast-parse.js';
import { isIP, isIPv4, isIPv6, maskToPrefixLength } from '../model/net.js';

export interface Line {
  /** 1-based line number in the input */
  no: number;
  text: string;
}

/** `text.split(/\r?\n/)`, searching for '\n' as a string: the regex walked every character of a 400 kB `ip -j` line. */
export function splitRows(text: string): string[] {
  const rows = text.split('\n');
  // a '\r' ends a row only before a '\n': not the last row's
  for (let i = 0; i < rows.length - 1; i++) if (rows[i].endsWith('\r')) rows[i] = rows[i].slice(0, -1);
  return rows;
}

/** Non-blank lines with their numbers; CRLF and trailing blanks removed. */
export function lines(text: string): Line[] {
  const out: Line[] = [];
  splitRows(text).forEach((raw, i) => {
    const t = raw.replace(/\s+$/, '');
    if (t.trim() !== '') out.push({ no: i + 1, text: t });
  });
  return out;
}

/** Split on any run of whitespace (pasted outputs mix tabs and spaces). */
export const tokens = (s: string): string[] => s.trim().split(/\s+/).filter((t) => t !== '');

export function fail(command: string, reason: string, line?: Line): never {
  throw new ParseError(command, reason, line?.no, line?.text);
}

/** A non-negative decimal integer, or a ParseError. */
export function int(command: string, s: string | undefined, what: string, line?: Line): number {
  if (s === undefined || !/^\d{1,15}$/.test(s)) fail(command, `${what}: expected a number, got ${JSON.stringify(s ?? '')}`, line);
  return Number(s);
}

export function ipv4(command: string, s: string | undefined, what: string, line?: Line): string {
  if (s === undefined || !isIPv4(s)) fail(command, `${what}: expected an IPv4 address, got ${JSON.stringify(s ?? '')}`, line);
  return s;
}

export function ip(command: string, s: string | undefined, what: string, line?: Line): string {
  if (s === undefined || !isIP(s)) fail(command, `${what}: expected an IP address, got ${JSON.stringify(s ?? '')}`, line);
  return s;
}

/** Dotted netmask -> prefix length, or a ParseError. */
export function maskLen(command: string, mask: string, line?: Line): number {
  const len = maskToPrefixLength(mask);
  if (len === undefined) fail(command, `not a netmask: ${JSON.stringify(mask)}`, line);
  return len;
}

const MAC = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/;
const CANONICAL_MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/** A colon MAC as tools print it (BSD arp drops leading zeros), returned as aa:bb:cc:dd:ee:ff. */
export function mac(command: string, s: string | undefined, what: string, line?: Line): string {
  // iproute2 prints them so: one test instead of the rebuild below (a 5,000-peer node has 10,000 of them)
  if (s !== undefined && CANONICAL_MAC.test(s)) return s;
  const v = (s ?? '').toLowerCase();
  if (!MAC.test(v)) fail(command, `${what}: expected a MAC address, got ${JSON.stringify(s ?? '')}`, line);
  return v
    .split(':')
    .map((p) => p.padStart(2, '0'))
    .join(':');
}

// `a.b.c.d/len` with a valid address and length: what prefix() would rebuild from its parts is the text itself
const IPV4_PREFIX = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

/** A CIDR prefix, `default`, or a bare address (a host route). */
export function prefix(command: string, s: string | undefined, line?: Line, v6Hint = false): string {
  if (s === undefined) fail(command, 'missing destination', line);
  // one test, no split and no new string, for each of a 5,000-route table's prefixes
  if (IPV4_PREFIX.test(s)) return s;
  if (s === 'default') return v6Hint ? '::/0' : '0.0.0.0/0';
  const [addr, len, more] = s.split('/');
  if (more !== undefined) fail(command, `not a prefix: ${JSON.stringify(s)}`, line);
  if (isIPv4(addr) && (len === undefined || (/^\d{1,2}$/.test(len) && Number(len) <= 32))) return `${addr}/${len ?? 32}`;
  if (isIPv6(addr) && (len === undefined || (/^\d{1,3}$/.test(len) && Number(len) <= 128))) return `${addr}/${len ?? 128}`;
  return fail(command, `not a prefix: ${JSON.stringify(s)}`, line);
}

/** True when the text is JSON (`ip -j`, `bridge -j`, conflists): first non-blank character. */
export const looksJson = (text: string): boolean => /^\s*[[{]/.test(text);

/** `ip -j` output: a JSON array of objects (iproute2 prints `[]` for nothing, sometimes several arrays for several tables). */
export function jsonArray(command: string, text: string): Record<string, unknown>[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // `ip -j route show table all` can print one array per table, back to back
    const joined = text.trim().replace(/\]\s*\[/g, ',');
    try {
      value = JSON.parse(joined);
    } catch {
      fail(command, `invalid JSON: ${(e as Error).message}`);
    }
  }
  if (!Array.isArray(value)) fail(command, 'expected a JSON array');
  value.forEach((v, i) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(command, `JSON element ${i} is not an object`);
  });
  return value as Record<string, unknown>[];
}

/** Type-checked field access on a JSON object: undefined when absent, ParseError when of the wrong type. */
export function field<T extends 'string' | 'number' | 'boolean'>(
  command: string,
  obj: Record<string, unknown>,
  key: string,
  type: T,
): (T extends 'string' ? string : T extends 'number' ? number : boolean) | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type) fail(command, `JSON field ${key} should be a ${type}, got ${JSON.stringify(v)}`);
  return v as never;
}

export function stringArray(command: string, obj: Record<string, unknown>, key: string): string[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(command, `JSON field ${key} should be an array of strings`);
  return v as string[];
}

/** The JSON keys a parser did not map, kept under `raw` so nothing is dropped silently. */
export function rest(obj: Record<string, unknown>, used: ReadonlySet<string>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  // no array of keys per entry (a 5,000-peer node has 15,000 of them); own keys only, as Object.keys
  for (const k in obj) if (!used.has(k) && Object.hasOwn(obj, k)) (out ??= {})[k] = obj[k];
  return out;
}

/** Drop undefined values so expected JSON stays small and stable. A copy: `delete` would leave a slow object. */
export function compact<T extends Record<string, unknown>>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) if (obj[k] !== undefined) out[k] = obj[k];
  return out as T;
}

/** Validate a parser's result with the model schema; a mismatch is the input's fault, so a ParseError. */
export function validate<S extends z.ZodMiniType>(command: string, schema: S, value: unknown, line?: Line): z.infer<S> {
  const r = safeParse(schema, value);
  if (!r.success) {
    const issue = r.error.issues[0];
    fail(command, `result does not fit the model (${issue.path.join('.') || 'value'}: ${issue.message})`, line);
  }
  return r.data;
}

/** A line a parser could not use, or a value it had to leave out: shown to the user, never silent. */
export interface ParseWarning {
  line?: number;
  text?: string;
  reason: string;
}

// the warnings of the parse running now (parsers are synchronous, so one sink at a time is enough)
let sink: ParseWarning[] | undefined;

/** A value the parser leaves out (`vxlan … local 122`): the rest of the line is kept. */
export function warn(reason: string, line?: Line): void {
  sink?.push({ line: line?.no, text: line?.text, reason });
}

const MAX_SKIPPED = 200;

/**
 * Run a parser leniently: a line it rejects is blanked and the text parsed again, so one bad line costs
 * that line only (with a warning naming it). A rejection without a line number (not this command's output
 * at all) or more than 200 bad lines is thrown as it is.
 */
export function parseLenient<T>(parse: (text: string) => T, text: string): { value: T; warnings: ParseWarning[] } {
  const rows = text.split('\n');
  const warnings: ParseWarning[] = [];
  for (;;) {
    const outer = sink;
    sink = [];
    try {
      // the text itself until a line was blanked: no copy of a 400 kB output on the way in
      const value = parse(warnings.length === 0 ? text : rows.join('\n'));
      return { value, warnings: [...warnings, ...sink].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
    } catch (error) {
      const no = error instanceof ParseError ? error.line : undefined;
      if (no === undefined || no < 1 || no > rows.length || rows[no - 1].trim() === '' || warnings.length >= MAX_SKIPPED) throw error;
      warnings.push({ line: no, text: rows[no - 1].trimEnd(), reason: error instanceof ParseError ? error.reason : String(error) });
      rows[no - 1] = '';
    } finally {
      sink = outer;
    }
  }
}

/** `10.xx.xx.1`, `*.*.*.1`, `10.0.x.x`: an IPv4 address with some octets hidden by the person who pasted it. */
export const isRedactedIPv4 = (s: string): boolean => /^([0-9]{1,3}|[x*]+)(\.([0-9]{1,3}|[x*]+)){3}$/i.test(s) && /[x*]/i.test(s);
