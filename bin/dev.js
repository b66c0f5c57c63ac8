#!/usr/bin/env -S node --import tsx
import { flush, run } from '@oclif/core';
import { reportError } from '../src/errors.ts';

await run(process.argv.slice(2), { root: new URL('..', import.meta.url).pathname, development: true })
  .then(() => flush())
  .catch(reportError);
