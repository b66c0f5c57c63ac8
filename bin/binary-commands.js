// The commands bundle of the single executable (scripts/build-binary.sh): every command class, bundled apart from
// bin/binary.js so that `--version`, `--help` and completion neither compile nor load them. bin/binary.js loads it
// when a command runs and hands it oclif's modules (scripts/sea.sh leaves @oclif/core out of this bundle).
// reportError comes along because the errors a command throws are this bundle's classes (instanceof FlanctlError).
export { default as commands } from '../dist/commands/index.js';
export { reportError } from '../dist/errors.js';
