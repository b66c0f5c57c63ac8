// `--json` prints one document and builds no table (cli-table3 is quadratic in rows: `show routes --json` on
// 20k routes took 71 s building tables nobody saw). Each command runs with cli-table3 replaced by a Table that
// throws when constructed and render/box.ts by a drawBox that throws (no-table-hook.mjs): with --json it must
// succeed, without it the same run fails, which shows the hook is in force.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../collect/cli.js';

const env = { ...process.env, NODE_OPTIONS: `--import ${join(import.meta.dirname, 'no-table-hook.mjs')}` };
const k8s = ['--from-dir', 'fixtures/nodes/k8snode028'];

describe('--json builds no table', () => {
  it.each([
    ['show routes', ['show', 'routes', ...k8s]],
    ['show iptables', ['show', 'iptables', '--from-dir', 'fixtures/nodes/vms105']],
    ['trace', ['trace', '10.27.13.5', ...k8s]],
    ['doctor', ['doctor', '--from-dir', 'fixtures/nodes/vms105']],
    ['whohas', ['whohas', '42:32:74:de:24:50', ...k8s]],
    ['pod-veth', ['pod-veth', '--from-dir', 'fixtures/nodes/node1']],
  ])('%s', (_name, args) => {
    const json = runCli([...args, '--json'], { env });
    expect(json.stderr).not.toMatch(/built a table/);
    expect([0, 1]).toContain(json.status);
    expect(json.json).toBeTypeOf('object');
    const human = runCli(args, { env });
    expect(human.stderr).toMatch(/(cli-table3|render\/box.ts) built a table/);
  });
});
