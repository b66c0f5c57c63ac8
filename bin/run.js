#!/usr/bin/env node
// Start-up matters (flanctl runs dozens of times during an incident): a command line that needs nothing of oclif
// runs without loading it (dist/cli/dispatch.js); help, completion and the rest go to oclif's run, through the
// command classes of dist/cli/oclif-commands.js (oclif.manifest.json, written by `npm run build`, lists them).
import { readFileSync } from 'node:fs';
import { dispatch } from '../dist/cli/dispatch.js';
import { reportError } from '../dist/errors.js';

const argv = process.argv.slice(2);
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const cli = { name: pjson.name, version: pjson.version, load: async (id) => (await import(`../dist/commands/${id}.js`)).default };

try {
  if (!(await dispatch(argv, cli))) {
    // oclif's entry points, not the '@oclif/core' index, which loads every part of oclif
    const [{ run }, { flush }] = await Promise.all([import('@oclif/core/run'), import('@oclif/core/flush')]);
    await run(argv, import.meta.url);
    await flush();
  }
} catch (error) {
  reportError(error);
}
