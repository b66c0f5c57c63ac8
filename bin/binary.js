// Entry of the single executable (`npm run build:binary`, scripts/build-binary.sh): esbuild bundles this file and
// everything it reaches into one CommonJS script that runs inside a copy of node. A command line that needs
// nothing of oclif runs through dist/cli/dispatch.js; help, completion and the rest through oclif
// (bin/binary-oclif.js, loaded only then). The commands are a second bundle (bin/binary-commands.js), compiled
// only when a command runs.
import './binary-early.js';
import { stopEarly } from '../dist/collect/early.js';
import { dispatch } from '../dist/cli/dispatch.js';
import { reportError } from '../dist/errors.js';
import { loadBundle } from 'flanctl:sea';
import pjson from '../package.json' with { type: 'json' };

let commands;
const loadCommand = (id) => (commands ??= loadBundle('commands')).loadCommand(id);
const argv = process.argv.slice(2);

// no top-level await: the bundle is CommonJS (a single executable's main script)
dispatch(argv, { name: pjson.name, version: pjson.version, load: loadCommand })
  .then(async (done) => done || (await import('./binary-oclif.js')).runOclif(argv, loadCommand))
  .catch((error) => reportError(error))
  .finally(() => stopEarly());
