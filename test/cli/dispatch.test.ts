// The fast path (bin/run.js → src/cli/dispatch.ts) against oclif running the same command line (oclif's run over
// the classes built from the same specs, as bin/run.js did before the fast path): the same stdout, stderr and exit
// code, for documents, tables, problems found (exit 1), bad input (exit 2), with and without --json. The
// parsing itself is held to oclif's by test/cli/argv.test.ts; this holds what is printed around it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgv } from '../../src/cli/argv.js';
import type { CommandSpec } from '../../src/cli/spec.js';
import { cliEntry, ROOT } from '../collect/cli.js';

const journal = mkdtempSync(join(tmpdir(), 'fct-dispatch-'));
afterAll(() => rmSync(journal, { recursive: true, force: true }));

const SEED = ['--from-dir', 'fixtures/nodes/k8snode028'];
const LINES: string[][] = [
  ['trace', '10.27.13.5', ...SEED],
  ['trace', '10.27.13.5', ...SEED, '--json'],
  ['trace', '10.27.13.5', ...SEED, '--format', 'mermaid'],
  ['trace', '10.99.0.1', '--snapshot', 'fixtures/cluster/stale-vtep/node1.json', '--json'],
  ['whohas', 'zz', ...SEED],
  ['whohas', 'zz', ...SEED, '--json'],
  ['show', 'routes', ...SEED],
  ['show', 'neigh', ...SEED, '--json'],
  ['doctor', '--cluster', 'fixtures/cluster/stale-vtep'],
  ['doctor', '--cluster', 'fixtures/cluster/stale-vtep', '--json'],
  ['pod-veth', '--from-dir', 'fixtures/nodes/node1', '--json'],
  ['decode', 'fixtures/pcap/ipip-node1.pcap', '--summary'],
  ['decode', 'fixtures/pcap/ipip-node1.pcap', '--json', '--limit', '2', '--records'],
  ['decode', 'fixtures/pcap/no-such.pcap'],
  ['repair', '--list', '--journal-dir', journal],
  ['repair', '--list', '--json', '--journal-dir', journal],
  ['repair', '--cluster', 'fixtures/cluster/stale-vtep', '--json'],
];

const run = (argv: string[]) => {
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, COLUMNS: '100' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
// oclif's own run of a command line (its Config, its parser, the Command class's printing)
const OCLIF = "const { run } = await import('@oclif/core/run'); const { flush } = await import('@oclif/core/flush'); const { reportError } = await import('./dist/errors.js'); await run(process.argv.slice(1), process.cwd() + '/bin/run.js').then(() => flush()).catch(reportError);";

describe('the fast path prints what oclif prints', () => {
  const statuses = new Set<number | null>();
  afterAll(() => {
    // the lines cover a clean answer, a problem found and bad input
    expect([...statuses].sort()).toEqual([0, 1, 2]);
  });

  it.each(LINES.map((line) => [line.join(' '), line]))('%s', async (_, line) => {
    const [id, ...rest] = line;
    const spec = ((await import(`../../src/commands/${id}.ts`)) as { default: CommandSpec }).default;
    // a line the fast path takes: the comparison is about its printing
    expect(parseArgv(spec, rest, {})).toBeDefined();
    const fast = run([...cliEntry(), ...line]);
    const oclif = run([process.execPath, '--input-type=module', '-e', OCLIF, ...line]);
    expect(fast).toEqual(oclif);
    statuses.add(fast.status);
  });
});
