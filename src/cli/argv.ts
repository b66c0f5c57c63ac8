// The fast path's command-line parser: oclif's parse of a command line (flags, args, defaults, env, options,
// integers, exclusive, dependsOn, required), for the forms people type. Whatever it does not take — `--`, a short
// flag with its value attached, `--no-…`, an unknown flag, a negative number, and every command line oclif would
// refuse — it leaves to oclif (undefined), which parses it again and prints oclif's own message. So it never has
// to word an error, and a line it takes means what it means to oclif (test/cli/argv.test.ts runs both).
import { type CommandSpec, type FlagSpec, GLOBAL_FLAGS, type Parsed } from './spec.js';

type Value = string | number | boolean | (string | number)[];

/** A flag's value from one input: options and integer bounds checked as oclif's Flags.integer does; else undefined. */
function flagValue(def: FlagSpec, input: string): string | number | undefined {
  if (def.options && !def.options.includes(input)) return undefined;
  if (def.type !== 'integer') return input;
  if (!/^-?\d+$/.test(input)) return undefined;
  const n = Number.parseInt(input, 10);
  if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) return undefined;
  return n;
}

/** The command line of one command (argv after the command id) as oclif parses it, or undefined: leave it to oclif. */
export function parseArgv(spec: CommandSpec, argv: readonly string[], env: NodeJS.ProcessEnv): Parsed | undefined {
  const defs: Record<string, FlagSpec> = { ...(spec.json === false ? {} : { json: GLOBAL_FLAGS.json }), debug: GLOBAL_FLAGS.debug, ...spec.flags };
  const byChar = new Map(Object.entries(defs).flatMap(([name, d]) => (d.char ? [[d.char, name] as const] : [])));
  // oclif's findFlag: a word that names a flag, which an option flag refuses as its value
  const flagNamed = (word: string): string | undefined =>
    word.startsWith('--') ? (Object.hasOwn(defs, word.slice(2)) ? word.slice(2) : undefined) : word.startsWith('-') ? byChar.get(word[1]) : undefined;

  const inputs = new Map<string, string[]>();
  const words: string[] = [];
  let current: string | undefined; // the last option flag: a greedy multiple one takes the plain words after it
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word.startsWith('-') && word !== '-') {
      let name = flagNamed(word);
      let inline: string | undefined;
      if (word.startsWith('--') && name === undefined && word.includes('=')) {
        const at = word.indexOf('=');
        name = flagNamed(word.slice(0, at));
        inline = word.slice(at + 1);
      }
      // `--`, an unknown flag, a negative number, or `-ovalue`
      if (name === undefined || (!word.startsWith('--') && word.length > 2)) return undefined;
      const def = defs[name];
      if (def.type === 'boolean') {
        if (inline !== undefined) return undefined;
        inputs.set(name, ['true']);
        continue;
      }
      if (!def.multiple && inputs.has(name)) return undefined;
      current = name;
      const value = inline ?? argv[++i];
      if (value === undefined || flagNamed(value) !== undefined) return undefined;
      inputs.set(name, [...(inputs.get(name) ?? []), value]);
      continue;
    }
    if (current !== undefined && defs[current].multiple && !defs[current].multipleNonGreedy) inputs.get(current)?.push(word);
    else words.push(word);
  }

  const argDefs = Object.entries(spec.args ?? {});
  if (words.length > argDefs.length) return undefined;
  const args: Record<string, string> = {};
  for (const [i, [name, def]] of argDefs.entries()) {
    const word = words[i];
    if (word === undefined) {
      if (def.required) return undefined;
    } else if (def.options && !def.options.includes(word)) return undefined;
    else args[name] = word;
  }

  const flags: Record<string, Value> = {};
  const fromDefault = new Set<string>();
  for (const [name, def] of Object.entries(defs)) {
    const given = inputs.get(name) ?? (def.env && env[def.env] ? [env[def.env] as string] : undefined);
    if (given) {
      if (def.type === 'boolean') {
        if (!inputs.has(name)) return undefined; // a boolean from the environment: oclif's isTruthy
        flags[name] = true;
        continue;
      }
      const values = given.map((input) => flagValue(def, input));
      if (values.some((v) => v === undefined)) return undefined;
      flags[name] = def.multiple ? (values as (string | number)[]) : (values[0] as string | number);
    } else if (def.default !== undefined) {
      flags[name] = def.default;
      fromDefault.add(name);
    } else if (def.required) return undefined;
  }
  for (const [name, def] of Object.entries(defs)) {
    if (flags[name] === undefined) continue;
    if (def.dependsOn?.some((d) => flags[d] === undefined)) return undefined;
    // oclif does not hold a defaulted flag to its exclusions, nor a flag to a defaulted one
    if (!fromDefault.has(name) && def.exclusive?.some((e) => flags[e] !== undefined && !fromDefault.has(e))) return undefined;
  }
  return { args, flags };
}
