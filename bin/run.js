#!/usr/bin/env node
// Start-up matters (flanctl runs dozens of times during an incident): import oclif's run and flush entry points,
// not the '@oclif/core' index, which loads every part of oclif (~60 more modules) before --version or --help.
// Commands are found through oclif.manifest.json (written by `npm run build`), so only the command asked for loads.
import { run } from '@oclif/core/run';
import { flush } from '@oclif/core/flush';
import { reportError } from '../dist/errors.js';

await run(process.argv.slice(2), import.meta.url).then(() => flush()).catch(reportError);
