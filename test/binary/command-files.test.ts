// The single binary loads command ID from dist/commands/ID.js (bin/binary-commands.js), not through the map of
// src/commands/index.ts that oclif's explicit strategy reads on the node path: for every command the manifest lists,
// that file's default export must be the class the map gives that id, and the map must list what the manifest lists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
// what the binary bundles: the build's output
const load = async (file: string): Promise<unknown> => ((await import(pathToFileURL(join(ROOT, 'dist/commands', file)).href)) as { default: unknown }).default;

describe('dist/commands/ID.js is command ID', () => {
  it('the manifest lists the commands of src/commands/index.ts', async () => {
    const commands = (await load('index.js')) as Record<string, unknown>;
    expect(Object.keys(manifest.commands).sort()).toEqual(Object.keys(commands).sort());
  });

  it.each(Object.keys(manifest.commands))('%s', async (id) => {
    const commands = (await load('index.js')) as Record<string, unknown>;
    expect(await load(`${id}.js`)).toBe(commands[id]);
  });
});

// bin/binary.js starts collect's launcher from this text (src/collect/early.ts) before the parsers it is built from load
describe('dist/collect/launcher-script.json (scripts/build-binary.sh)', () => {
  it('is the launcher script of src/collect/launcher.ts', async () => {
    const { binary } = await import('./hidden-node.js');
    binary();
    const { LAUNCHER_SCRIPT } = await import('../../src/collect/launcher.js');
    expect(JSON.parse(readFileSync(join(ROOT, 'dist/collect/launcher-script.json'), 'utf8'))).toBe(LAUNCHER_SCRIPT);
  });
});
