// Entry of the single executable (`npm run build:binary`, scripts/build-binary.sh). esbuild bundles this file and
// everything it reaches into one CommonJS script (a SEA's require reaches built-in modules only), and
// `node --experimental-sea-config` runs it once at build time and saves V8's heap as the binary's startup snapshot
// (useSnapshot): every command's modules are evaluated then, and the run FLANCTL_WARM_UP names (the seed trace)
// goes once, so that what it runs is compiled. The binary starts from that heap and calls main(). So nothing may
// be decided at load from the machine, the terminal or the environment: those are read when a command runs.
// Help, completion and the lines the fast path leaves to oclif load oclif then (bin/binary-oclif.js).
import { getAsset } from 'node:sea';
import { startupSnapshot } from 'node:v8';
import { Script } from 'node:vm';
import { dispatch } from '../dist/cli/dispatch.js';
import { startEarly, stopEarly } from '../dist/collect/early.js';
import { LAUNCHER_SCRIPT } from '../dist/collect/launcher.js';
import { COMMAND_IDS } from '../dist/commands/index.js';
import { reportError } from '../dist/errors.js';
import pjson from '../package.json' with { type: 'json' };

const load = async (id) => (await import(`../dist/commands/${id}.js`)).default;
const cli = { name: pjson.name, version: pjson.version, load };

/**
 * oclif, bundled apart (bin/binary-oclif.js, the SEA asset oclif.js; scripts/sea.sh SEA_ASSETS): its ≈ 0.5 MB of
 * source kept out of the saved heap, which every start maps (≈ 1 ms of `--version`), compiled only when asked for.
 */
function oclif() {
  const source = `(function (exports, require, module) {${getAsset('oclif.js', 'utf8')}\n})`;
  const module = { exports: {} };
  // the bundle's require is the single executable's own (built-in modules only), as the oclif bundle needs
  // eslint-disable-next-line no-undef -- esbuild's CommonJS output has it
  new Script(source, { filename: 'flanctl-oclif.js' }).runInThisContext()(module.exports, require, module);
  return module.exports;
}

function main(argv) {
  // collect's launcher first: its programs run while the command gets going (src/collect/early.ts)
  startEarly(argv, LAUNCHER_SCRIPT);
  return dispatch(argv, cli)
    .then((done) => done || oclif().runOclif(argv, load))
    .catch((error) => reportError(error))
    .finally(() => stopEarly());
}

startupSnapshot.setDeserializeMainFunction(() => main(process.argv.slice(2)));

// build time (no top-level await: the bundle is CommonJS)
Promise.all(COMMAND_IDS.map(load))
  .then(() => {
    if (!process.env.FLANCTL_WARM_UP) throw new Error('FLANCTL_WARM_UP: the run to warm up with, as JSON (scripts/sea.sh sets it)');
    return main(JSON.parse(process.env.FLANCTL_WARM_UP));
  })
  .then(() => {
    // a warm-up that fails fails the build
    if (process.exitCode) throw new Error(`the warm-up run ${process.env.FLANCTL_WARM_UP} exited ${process.exitCode}`);
    process.exitCode = undefined;
  });
