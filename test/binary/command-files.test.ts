// The single binary loads command ID from dist/commands/ID.js (bin/binary.js), as bin/run.js does: for
// every command the manifest lists (oclif's classes, src/cli/oclif-commands.ts), that file's default export is the
// spec the class was built from, and COMMAND_IDS lists what the manifest lists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { flags: Record<string, unknown>; summary?: string; description?: string }> };
// what the binary bundles: the build's output
const load = async (file: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(join(ROOT, 'dist', file)).href)) as Record<string, unknown>;

describe('dist/commands/ID.js is command ID', () => {
  it('the manifest lists COMMAND_IDS', async () => {
    const { COMMAND_IDS } = (await load('commands/index.js')) as { COMMAND_IDS: string[] };
    expect(Object.keys(manifest.commands).sort()).toEqual([...COMMAND_IDS].sort());
  });

  it.each(Object.keys(manifest.commands))('%s', async (id) => {
    const spec = (await load(`commands/${id}.js`)).default as { flags: Record<string, unknown>; summary?: string; description?: string };
    const listed = manifest.commands[id];
    expect([listed.summary, listed.description]).toEqual([spec.summary, spec.description]);
    expect(Object.keys(listed.flags).filter((f) => f !== 'json' && f !== 'debug').sort()).toEqual(Object.keys(spec.flags).sort());
  });
});
