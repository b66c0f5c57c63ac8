// Issue 16 item 1: a node's collect output names the files it is saved under. A hostile node (it receives the
// nonce, so it can print well-formed markers) names paths outside raw/<node>/: nothing is written there.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectCluster } from '../../src/cluster/collect.js';
import type { Transport } from '../../src/cluster/transport.js';

const tmp = mkdtempSync(join(tmpdir(), 'flanctl-hostile-node-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A node that answers the collect script with sections of its own choosing (nonce = the script's first argument). */
function hostileNode(sections: [string, string][]): Transport {
  return {
    kind: 'ssh',
    nodes: async () => ['evil'],
    runScript: async (_node, _script, args) => ({
      stdout: sections.map(([file, text]) => `\n@@flanctl-${args[0]} begin ${file}\n${text}\n@@flanctl-${args[0]} end ${file} 0 \n`).join(''),
      stderr: '',
      exitCode: 0,
    }),
    openScript: () => {
      throw new Error('not used by collect');
    },
  };
}

describe('collect --all: a hostile node cannot write outside its raw directory', () => {
  it('sections named ../../x, an absolute path or a nested name are dropped; the real step files are kept', async () => {
    const out = join(tmp, 'cluster');
    const escape = `../../../${tmp.split('/').pop()}/escaped`;
    const transport = hostileNode([
      [escape, 'owned'],
      ['../../evil.json', '{}'],
      [join(tmp, 'absolute'), 'owned'],
      ['ip-link.txt/../../../sub', 'owned'],
      ['hostname.txt', 'evil'],
      ['ip-route.txt', 'default via 10.0.0.1 dev eth0'],
    ]);
    const manifest = await collectCluster({ transport, outDir: out, parallel: 1, timeoutMs: 10_000, now: () => new Date(0) });
    expect(manifest.nodes.map((n) => n.ok)).toEqual([true]);
    // what the test created: the output directory only; under it the manifest, the snapshot and raw/evil/ with the two real files
    expect(readdirSync(tmp).sort()).toEqual(['cluster']);
    expect(readdirSync(out).sort()).toEqual(['cluster.json', 'evil.json', 'raw']);
    expect(readdirSync(join(out, 'raw'))).toEqual(['evil']);
    expect(readdirSync(join(out, 'raw', 'evil')).sort()).toEqual(['hostname.txt', 'ip-route.txt']);
    // each dropped section named once in the manifest, as the node printed it
    expect(manifest.nodes[0].foreignSections).toEqual([escape, '../../evil.json', join(tmp, 'absolute'), 'ip-link.txt/../../../sub']);
    expect(manifest.nodes[0].foreignSectionsMore).toBeUndefined();
  });

  // the README's cap: at most 20 distinct names per node in cluster.json, each escaped and at most 80 characters
  // (… marks a cut), and how many more there were
  it('10,000 foreign sections and a 1 MiB name: 20 listed, shortened, the rest counted; none written', async () => {
    const out = join(tmp, 'flood');
    const big = `\u001b]0;${'x'.repeat(1 << 20)}`;
    const transport = hostileNode([[big, ''], ...Array.from({ length: 10_000 }, (_, i): [string, string] => [`../f${i}`, 'owned']), ['ip-route.txt', 'default via 10.0.0.1 dev eth0']]);
    const manifest = await collectCluster({ transport, outDir: out, parallel: 1, timeoutMs: 10_000, now: () => new Date(0) });
    // the escape shown as 4 characters, `]0;` 3, then 73 x: 80
    expect(manifest.nodes[0].foreignSections).toEqual([`\\x1b]0;${'x'.repeat(73)}…`, ...Array.from({ length: 19 }, (_, i) => `../f${i}`)]);
    expect(manifest.nodes[0].foreignSectionsMore).toBe(10_001 - 20);
    expect(readdirSync(join(out, 'raw', 'evil'))).toEqual(['ip-route.txt']);
    expect(readdirSync(tmp).sort()).toEqual(['cluster', 'flood']);
  });
});
