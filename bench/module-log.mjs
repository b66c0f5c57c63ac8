// `node --import ./bench/module-log.mjs bin/run.js ...`: write every module the command loaded (ESM through a
// load hook, CommonJS from require.cache at exit) to $FLANCTL_MODULE_LOG, one file URL or path a line.
// bench/startup.ts uses it to check that one command never loads another's dependencies.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.FLANCTL_MODULE_LOG;
if (file) {
  register('./module-log-hooks.mjs', import.meta.url, { data: { file } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => appendFileSync(file, Object.keys(cache).map((p) => `cjs:${p}\n`).join('')));
}
