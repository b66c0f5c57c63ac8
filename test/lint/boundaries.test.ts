// The machine edges are enforced by the project's own eslint.config.js (DESIGN.md): code added to a pure layer
// that runs a program, opens a socket or reads a file fails `npx eslint`. Linted through the ESLint Node API
// as if the text were a file at that path, so nothing is written into src/.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: join(import.meta.dirname, '../..') });

/** The no-restricted-imports messages for `code` placed at `file`. */
async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(import.meta.dirname, '../..', file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

const EXECA = "import { execa } from 'execa';\nexport const x = execa;\n";

describe('eslint.config.js: only the declared edges touch the machine', () => {
  it.each(['src/analyze/probe-edge.ts', 'src/parse/probe-edge.ts', 'src/render/probe-edge.ts', 'src/services/probe-edge.ts', 'src/commands/probe-edge.ts', 'src/leases/probe-edge.ts', 'src/cluster/probe-edge.ts'])(
    'execa in %s fails',
    async (file) => {
      expect(await restricted(file, EXECA)).toEqual([expect.stringContaining("'execa' import is restricted")]);
    },
  );

  it.each(['src/collect/runner.ts', 'src/cluster/transport.ts', 'src/repair/apply.ts'])('execa in %s (a declared edge) passes', async (file) => {
    expect(await restricted(file, EXECA)).toEqual([]);
  });

  it('child_process, http, https and net are refused outside their edges', async () => {
    for (const mod of ['node:child_process', 'child_process', 'node:http', 'node:https', 'node:net']) {
      expect(await restricted('src/analyze/probe-edge.ts', `import * as m from '${mod}';\nexport const x = m;\n`)).toHaveLength(1);
    }
    expect(await restricted('src/leases/etcd.ts', "import * as http from 'node:http';\nexport const x = http;\n")).toEqual([]);
    // an edge is one kind of edge
    expect(await restricted('src/leases/etcd.ts', EXECA)).toHaveLength(1);
    expect(await restricted('src/collect/runner.ts', "import * as http from 'node:http';\nexport const x = http;\n")).toHaveLength(1);
  });

  it('parse, analyze, render and repair/plan read no files; collect and the services may', async () => {
    const fs = "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n";
    for (const file of ['src/parse/probe-edge.ts', 'src/analyze/probe-edge.ts', 'src/render/probe-edge.ts', 'src/repair/plan.ts']) expect(await restricted(file, fs)).toHaveLength(1);
    for (const file of ['src/collect/probe-edge.ts', 'src/services/probe-edge.ts']) expect(await restricted(file, fs)).toEqual([]);
  });

  it('a dynamic import() is refused the same way', async () => {
    expect(await restricted('src/analyze/probe-edge.ts', "export const f = async () => (await import('execa')).execa;\n")).toEqual([expect.stringContaining("import('execa') runs programs")]);
    expect(await restricted('src/services/probe-edge.ts', "export const f = async () => (await import('../collect/runner.js')).run;\n")).toHaveLength(1);
    expect(await restricted('src/leases/index.ts', "export const f = async () => (await import('../cluster/transport.js')).kubectl;\n")).toEqual([]);
  });

  it('the runner is reached only through collect/, the transport through cluster/ (and leases/index.ts for --kube)', async () => {
    const runner = "import { run } from '../collect/runner.js';\nexport const x = run;\n";
    const transport = "import { kubectl } from '../cluster/transport.js';\nexport const x = kubectl;\n";
    expect(await restricted('src/analyze/probe-edge.ts', runner)).toHaveLength(1);
    expect(await restricted('src/services/probe-edge.ts', runner)).toHaveLength(1);
    expect(await restricted('src/collect/probe-edge.ts', runner)).toEqual([]);
    expect(await restricted('src/services/probe-edge.ts', transport)).toHaveLength(1);
    expect(await restricted('src/leases/index.ts', transport)).toEqual([]);
    expect(await restricted('src/leases/index.ts', runner)).toHaveLength(1);
    expect(await restricted('src/cluster/probe-edge.ts', transport)).toEqual([]);
  });
});
