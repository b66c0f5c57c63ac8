/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- a single executable's main script is CommonJS */
// Main script of the binary when scripts/sea.sh trained a code cache. The CLI is one or more CommonJS bundles, each
// a SEA asset NAME.js with V8's code cache NAME.cache: `cli` runs now; a bundle the CLI loads later (the commands,
// only when one runs) is compiled when asked for, through `require('flanctl:sea').loadBundle(NAME)`.
// A rejected cache (another V8) only means compiling as usual. scripts/sea-train.cjs runs this same file at build
// time with getRawAsset reading the bundles from disk and no caches, and saves the caches of `scripts` after the run.
// Bundles are stored as Latin-1 (scripts/sea.sh checks they hold nothing above U+00FF), read in place from the
// binary: V8 keeps a one-byte source string (UTF-8 decoding made a two-byte copy, ≈ 2 ms of each start-up).
'use strict';
const { getRawAsset } = require('node:sea');
const { Script } = require('node:vm');

const scripts = new Map();
module.exports = scripts;

function loadBundle(name) {
  const code = Buffer.from(getRawAsset(`${name}.js`)).toString('latin1');
  const source = `(function (exports, require, module, __filename, __dirname) {${code}\n})`;
  const cache = getRawAsset(`${name}.cache`);
  const script = new Script(source, { filename: `flanctl-${name}.js`, cachedData: cache && Buffer.from(cache) });
  if (process.env.FLANCTL_DEBUG_CODE_CACHE) process.stderr.write(`code cache ${name}: ${script.cachedDataRejected === false ? 'used' : 'not used'}\n`);
  scripts.set(name, script);
  const mod = { exports: {} };
  const bundleRequire = (id) => {
    if (id === 'flanctl:sea') return { loadBundle };
    return require(id);
  };
  script.runInThisContext()(mod.exports, bundleRequire, mod, process.execPath, process.cwd());
  return mod.exports;
}

loadBundle('cli');
