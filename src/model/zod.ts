// zod's mini API for every schema: functions instead of methods, so a bundle keeps only what is used and building
// a schema binds no methods. Against the classic API it makes the binary's seed trace cheaper to start (BENCHMARKS.md,
// issue 15 levers). The classic API loads its English messages by itself; mini needs them set once, here, so errors
// read the same. Import it as a namespace (`import * as z`): a re-exported namespace object would keep every locale.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
