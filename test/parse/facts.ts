// Hand-written facts about a fixture: what a person reading the raw output checks, written next to it as
// <case>.facts, never generated from a parser. One fact a line:
//   # comment (say where the facts were read from)
//   count N                   the result (an array) has N entries
//   count SECTION N           result[SECTION] has N entries
//   key=value key=value ...   some entry of the result has these values
//   SECTION: key=value ...    some entry of result[SECTION] (an array) has these values, or result[SECTION] itself
//                             (SECTION may be a dotted path: tables.0.rules)
// A key is a property name or a dotted path (stats.peer_ifindex); a value is compared as text: arrays
// joined with commas, `-` for absent, "double quotes" for values with spaces.

export interface Fact {
  line: number;
  text: string;
  section?: string;
  count?: number;
  fields: [string, string][];
}

export function parseFacts(text: string): Fact[] {
  const facts: Fact[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const count = /^count(?:\s+([\w.-]+))?\s+(\d+)$/.exec(line);
    if (count) return void facts.push({ line: i + 1, text: line, section: count[1], count: Number(count[2]), fields: [] });
    const section = /^([\w.-]+):\s+/.exec(line);
    const rest = section ? line.slice(section[0].length) : line;
    const fields: [string, string][] = [];
    for (const m of rest.matchAll(/([\w./-]+)=("([^"]*)"|\S*)/g)) fields.push([m[1], m[3] ?? m[2]]);
    if (!fields.length) throw new Error(`facts line ${i + 1}: no key=value in ${JSON.stringify(line)}`);
    facts.push({ line: i + 1, text: line, section: section?.[1], fields });
  });
  return facts;
}

function get(obj: unknown, key: string): unknown {
  if (obj && typeof obj === 'object' && key in obj) return (obj as Record<string, unknown>)[key];
  let cur = obj;
  for (const part of key.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return cur;
}

const asText = (v: unknown): string => (v === undefined || v === null ? '-' : Array.isArray(v) ? v.join(',') : String(v));

const matches = (entry: unknown, fields: [string, string][]): boolean => fields.every(([k, v]) => asText(get(entry, k)) === v);

/** The facts that do not hold of `result`, each with the reason. */
export function failedFacts(result: unknown, facts: Fact[]): string[] {
  const failed: string[] = [];
  for (const f of facts) {
    const target = f.section ? get(result, f.section) : result;
    if (f.count !== undefined) {
      const n = Array.isArray(target) ? target.length : -1;
      if (n !== f.count) failed.push(`line ${f.line} "${f.text}": found ${n}`);
      continue;
    }
    const entries = Array.isArray(target) ? target : [target];
    if (!entries.some((e) => matches(e, f.fields))) failed.push(`line ${f.line} "${f.text}": no entry has all of these`);
  }
  return failed;
}
