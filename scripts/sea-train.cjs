/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- runs the bundles as the CommonJS loader does */
// Build step of scripts/sea.sh: run the bundled CLI once (argv: DIR ARGS...; DIR holds the bundles NAME.js) through
// scripts/sea-loader.cjs, the binary's own main script, with getRawAsset reading DIR instead of the binary's assets,
// and save V8's code cache of every bundle that ran as DIR/NAME.cache after the run. A cache made after execution
// holds every function that ran (the SEA's own useCodeCache is made before: top-level code only), so the binary
// compiles next to nothing on start-up. Run it with the node that becomes the binary (the cache is per V8).
'use strict';
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const [dir, ...args] = process.argv.slice(2);
const sea = {
  getRawAsset(name) {
    const file = join(dir, name);
    // no cache yet: that is what this run makes
    if (name.endsWith('.cache')) return undefined;
    if (!existsSync(file)) throw new Error(`no SEA asset ${name} (${file})`);
    const bytes = readFileSync(file);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  },
};
const loaderFile = join(__dirname, 'sea-loader.cjs');
const loader = new Script(`(function (exports, require, module) {${readFileSync(loaderFile, 'utf8')}\n})`, { filename: loaderFile });
process.argv = [process.execPath, process.execPath, ...args];
const mod = { exports: {} };
loader.runInThisContext()(mod.exports, (id) => (id === 'node:sea' ? sea : require(id)), mod);
const scripts = mod.exports;
// the CLI finishes asynchronously: save once its work is done
let saved = false;
process.on('beforeExit', () => {
  if (saved) return;
  saved = true;
  for (const [name, script] of scripts) writeFileSync(join(dir, `${name}.cache`), script.createCachedData());
});
