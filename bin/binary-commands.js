// The commands bundle of the single executable (scripts/build-binary.sh): every command class, bundled apart from
// bin/binary.js so that `--version`, `--help` and completion neither compile nor load them. bin/binary.js loads it
// when a command runs and hands it oclif's modules (scripts/sea.sh leaves @oclif/core out of this bundle).
// reportError comes along because the errors a command throws are this bundle's classes (instanceof FlanctlError).
// Each command's modules are initialised when that command runs (esbuild keeps the target of an import() lazy), so
// a trace does not build doctor's, repair's or decode's: dist/commands/ID.js is command ID, the file names being the
// ids of src/commands/index.ts (test/binary/command-files.test.ts).
export const loadCommand = async (id) => (await import(`../dist/commands/${id}.js`)).default;
export { reportError } from '../dist/errors.js';
