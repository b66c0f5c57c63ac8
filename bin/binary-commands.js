// The commands bundle of the single executable (scripts/build-binary.sh): every command's spec and what it runs,
// bundled apart from bin/binary.js so that `--version`, `--help` and completion neither compile nor load them.
// Each command's modules are initialised when that command runs (esbuild keeps the target of an import() lazy), so
// a trace does not build doctor's, repair's or decode's: dist/commands/ID.js is command ID, the file names being
// src/commands/index.ts's COMMAND_IDS (test/binary/command-files.test.ts).
export const loadCommand = async (id) => (await import(`../dist/commands/${id}.js`)).default;
