// The fast path's parser (src/cli/argv.ts) against oclif's own (the answer from outside the code): for every
// command and any command line, when argv.ts takes a line, oclif's parser takes it too and gives the same
// arguments and flags. A line argv.ts leaves alone goes to oclif, which is then right by definition. The lines
// people type (each command's examples, and the common forms below) must be taken, or the fast path is not used.
import { parse } from '@oclif/core/parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseArgv } from '../../src/cli/argv.js';
import { toOclifArgs, toOclifFlags } from '../../src/cli/oclif.js';
import { type CommandSpec, GLOBAL_FLAGS } from '../../src/cli/spec.js';
import { COMMAND_IDS } from '../../src/commands/index.js';

const specs = Object.fromEntries(await Promise.all(COMMAND_IDS.map(async (id) => [id, ((await import(`../../src/commands/${id}.ts`)) as { default: CommandSpec }).default] as const)));

/** oclif's answer: { args, flags } as Command.parse gives them, or the message of the error it throws. */
async function oclif(spec: CommandSpec, argv: string[]): Promise<{ args: unknown; flags: unknown } | string> {
  const flags = toOclifFlags({ ...(spec.json === false ? {} : { json: GLOBAL_FLAGS.json }), debug: GLOBAL_FLAGS.debug, ...spec.flags });
  try {
    const out = await parse(argv, { args: toOclifArgs(spec), flags, strict: true });
    return { args: out.args, flags: out.flags };
  } catch (error) {
    return (error as Error).message;
  }
}

/** Words a command line of this command may hold: its flags in every spelling, values good and bad, plain words. */
function words(spec: CommandSpec): fc.Arbitrary<string> {
  const names = [...Object.keys(spec.flags), 'json', 'debug'];
  const values = ['-', '10.244.1.5', 'node1.json', '0', '1', '3', '65535', '70000', '-5', '1x', '', 'a=b', '--json', '-o', 'routes', 'dot'];
  for (const f of Object.values(spec.flags)) values.push(...(f.options ?? []));
  for (const a of Object.values(spec.args ?? {})) values.push(...(a.options ?? []));
  const chars = Object.values(spec.flags).flatMap((f) => (f.char ? [`-${f.char}`] : []));
  return fc.oneof(
    fc.constantFrom(...names.map((n) => `--${n}`)),
    fc.tuple(fc.constantFrom(...names), fc.constantFrom(...values)).map(([n, v]) => `--${n}=${v}`),
    fc.constantFrom(...values),
    fc.constantFrom('--', '--bogus', '-x', '--no-json', '-h', ...chars, ...chars.map((c) => `${c}file`)),
  );
}

// the lines of README.md and the commands' examples, as typed
const TYPED: [string, string[]][] = [
  ['trace', ['10.27.13.5', '--from-dir', 'fixtures/nodes/k8snode028']],
  ['trace', ['10.244.2.3', '--snapshot', 'node1.json', '--snapshot', 'node2.json', '--format', 'dot']],
  ['trace', ['10.244.1.5', '10.244.3.7', '--cluster', 'cluster/', '--json']],
  ['trace', ['10.244.2.3', '--snapshot', 'a.json', 'b.json']],
  ['whohas', ['ee:fe:63:b1:d5:1f', '--from-dir', '-']],
  ['show', ['routes', '--netns', 'node1']],
  ['pod-veth', ['--netns', 'node1', '--nodes', 'nodes.json']],
  ['doctor', ['--from-dir', 'dir', '--dev', 'flannel.1', '--at', '120']],
  ['collect', ['-o', 'node1.json', '--netns', 'node1', '--raw-dir', 'raw']],
  ['collect', ['--all', '--ssh-hosts', 'hosts.txt', '-o', 'cluster/', '--parallel', '20', '--ssh-option', 'StrictHostKeyChecking=no']],
  ['repair', ['--netns', 'node1', '--nodes', 'nodes.json', '--apply', '--yes']],
  ['repair', ['--undo', '2026-11-23T17-25-00-123Z', '--journal-dir', '/tmp/journal']],
  ['repair', ['--list']],
  ['decode', ['node1.cap', '--summary', '--vxlan-port', '4789', '--known-vni', '1', '--known-vni', '2']],
  ['decode', ['-', '--ndjson', '--limit', '10', '--proto', 'dns']],
  ['probe', ['10.244.2.3', '--from', 'pod-a', '--netns', 'node1', '--nodes', 'nodes.json', '--proto', 'udp', '--port', '53']],
  ['probe-send', ['--proto', 'udp', '--dst', '10.244.2.3', '--port', '53', '--src-port', '40000']],
];

const ENVS: NodeJS.ProcessEnv[] = [{}, { FLANCTL_JOURNAL_DIR: '/tmp/journal' }, { FLANCTL_JOURNAL_DIR: '' }];

describe('argv.ts parses as oclif does', () => {
  it.each(COMMAND_IDS)('%s: every line it takes, oclif takes the same way', async (id) => {
    const spec = specs[id];
    let taken = 0;
    // random words alone, or around a line that satisfies the command's required arguments and flags
    const bases = [[], ...TYPED.filter(([t]) => t === id).map(([, argv]) => argv)];
    const lines = fc.tuple(fc.array(words(spec), { maxLength: 4 }), fc.constantFrom(...bases), fc.array(words(spec), { maxLength: 4 })).map(([a, base, b]) => [...a, ...base, ...b]);
    await fc.assert(
      fc.asyncProperty(lines, fc.constantFrom(...ENVS), async (argv, env) => {
        const fast = parseArgv(spec, argv, env);
        if (fast === undefined) return;
        taken++;
        const saved = { ...process.env };
        Object.assign(process.env, env);
        try {
          expect(await oclif(spec, argv)).toEqual(fast);
        } finally {
          for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
          Object.assign(process.env, saved);
        }
      }),
      { numRuns: 800 },
    );
    // the property says nothing if argv.ts takes nothing
    expect(taken).toBeGreaterThanOrEqual(3);
  });
});

/** Each example's command line after `flanctl ID`, when it is one plain command (no pipe, no redirection). */
const examples = COMMAND_IDS.flatMap((id) =>
  (specs[id].examples ?? []).flatMap((e) => {
    const line = e.command.replace('<%= config.bin %> ', '').replace('<%= command.id %>', id);
    return /[|>]/.test(line) ? [] : [[id, line.split(' ').slice(1)] as [string, string[]]];
  }),
);

describe('the lines people type take the fast path', () => {
  it.each([...TYPED, ...examples])('%s %j', async (id, argv) => {
    const fast = parseArgv(specs[id], argv, {});
    expect(fast).toBeDefined();
    expect(await oclif(specs[id], argv)).toEqual(fast);
  });
});
