/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- runs the bundle as the CommonJS loader does */
// Build step of scripts/sea.sh: run the bundled CLI once (argv: BUNDLE CACHE ARGS...) from a vm.Script, the way
// scripts/sea-loader.cjs runs it in the binary, and save V8's code cache after the run. A cache made after
// execution holds every function that ran (the SEA's own useCodeCache is made before: top-level code only), so the
// binary compiles next to nothing on start-up. Run it with the node that becomes the binary (the cache is per V8).
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { Script } = require('node:vm');

const [bundle, cache, ...args] = process.argv.slice(2);
const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`;
const script = new Script(source, { filename: 'flanctl.js' });
process.argv = [process.execPath, process.execPath, ...args];
const mod = { exports: {} };
script.runInThisContext()(mod.exports, require, mod, process.execPath, __dirname);
// the CLI finishes asynchronously: save once its work is done
let saved = false;
process.on('beforeExit', () => {
  if (saved) return;
  saved = true;
  writeFileSync(cache, script.createCachedData());
});
