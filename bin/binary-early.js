// First import of bin/binary.js, so it runs before oclif's modules are evaluated and the command loads (≈ 20 ms
// here, on one core while the other is idle): starts collect's launcher for a `collect` command line
// (src/collect/early.ts), from the script text written at build time (scripts/build-binary.sh).
import { startEarly } from '../dist/collect/early.js';
import launcherScript from '../dist/collect/launcher-script.json' with { type: 'json' };

startEarly(process.argv.slice(2), launcherScript);
