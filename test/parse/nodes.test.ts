// The seed node directories (fixtures/nodes/<node>/, the --from-dir layout) parse with the parsers, and
// hold what the seeds show (checked on the facts the trace/doctor examples rely on).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Neigh } from '../../src/model/neigh.js';
import type { Route } from '../../src/model/route.js';
import { blockText, splitTranscript } from '../../src/parse/transcript.js';
import { dirFileParser, parseArp, parseBrctlShow, parseBridgeFdb, parseRouteN, parserFor } from '../../src/parse/index.js';

const nodesDir = join(import.meta.dirname, '..', '..', 'fixtures', 'nodes');
const NOT_OUTPUTS = new Set(['README.md', 'hostname.txt', 'kernel.txt', 'nodes.json']);

function dirs(root: string): string[] {
  return readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory());
}

function checkDir(dir: string, pod: boolean): void {
  for (const file of readdirSync(dir)) {
    const path = join(dir, file);
    if (statSync(path).isDirectory() || NOT_OUTPUTS.has(file)) continue;
    it(`${path.slice(nodesDir.length + 1)} parses`, () => {
      const p = dirFileParser(file);
      expect(p, `no parser for ${file}`).toBeDefined();
      const arg = p!.arg ?? (pod && p!.parser === 'iflink' ? 'eth0' : undefined);
      // a file may start with the prompt line of the command that printed it (a grep'd paste): the output follows
      const outputs = splitTranscript(readFileSync(path, 'utf8')).blocks.map(blockText);
      for (const text of outputs) expect(() => parserFor(p!.parser)(text, arg)).not.toThrow();
    });
  }
}

describe('fixtures/nodes', () => {
  for (const node of dirs(nodesDir)) {
    describe(node, () => {
      // a seed's node names the post it comes from; a lab-collected node names the builder that made it
      it('has a README naming its source', () => {
        expect(readFileSync(join(nodesDir, node, 'README.md'), 'utf8')).toMatch(/seeds?\/00\d|seed 00\d|collected from the netns lab[\s\S]*test\/netns\/\S+\.ts/);
      });
      checkDir(join(nodesDir, node), false);
      const pods = join(nodesDir, node, 'pods');
      if (existsSync(pods)) for (const pod of dirs(pods)) checkDir(join(pods, pod), true);
    });
  }

  it('k8snode028: route -> neigh -> fdb lead from 10.27.13.5 to node 10.18.19.129', () => {
    const dir = join(nodesDir, 'k8snode028');
    const routes: Route[] = parseRouteN(readFileSync(join(dir, 'route-n.txt'), 'utf8'));
    expect(routes.filter((r) => r.dev === 'flannel.1')).toHaveLength(14);
    const route = routes.find((r) => r.dst === '10.27.13.0/24');
    expect(route).toMatchObject({ gateway: '10.27.13.0', dev: 'flannel.1' });
    // arp.txt and bridge-fdb.txt keep the post's grep as a prompt line (the output is filtered): the output follows it
    const output = (file: string): string => readFileSync(join(dir, file), 'utf8').split('\n').slice(1).join('\n');
    const neigh: Neigh[] = parseArp(output('arp.txt'));
    expect(neigh).toEqual([expect.objectContaining({ dst: '10.27.13.0', lladdr: '42:32:74:de:24:50', dev: 'flannel.1', state: ['PERMANENT'] })]);
    const fdb = parseBridgeFdb(output('bridge-fdb.txt'));
    expect(fdb).toEqual([expect.objectContaining({ mac: '42:32:74:de:24:50', dst: '10.18.19.129', self: true, state: 'permanent' })]);
    const bridges = parseBrctlShow(readFileSync(join(dir, 'brctl-show.txt'), 'utf8'));
    expect(bridges.map((b) => [b.name, b.interfaces.length])).toEqual([['cni0', 31], ['docker0', 0]]);
  });
});
