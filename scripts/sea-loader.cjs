/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- a single executable's main script is CommonJS */
// Main script of the binary when scripts/sea.sh trained a code cache: the CLI bundle and its cache are SEA assets;
// compile the bundle with the cache (a rejected cache, e.g. another V8, only means compiling as usual) and run it.
'use strict';
const { getAsset } = require('node:sea');
const { Script } = require('node:vm');

const source = `(function (exports, require, module, __filename, __dirname) {${getAsset('cli.js', 'utf8')}\n})`;
const script = new Script(source, { filename: 'flanctl.js', cachedData: Buffer.from(getAsset('cli.cache')) });
if (process.env.FLANCTL_DEBUG_CODE_CACHE) process.stderr.write(`code cache ${script.cachedDataRejected ? 'rejected' : 'used'}\n`);
script.runInThisContext()(module.exports, require, module, process.execPath, process.cwd());
