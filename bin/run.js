#!/usr/bin/env node
import { flush, run } from '@oclif/core';
import { reportError } from '../dist/errors.js';

await run(process.argv.slice(2), import.meta.url).then(() => flush()).catch(reportError);
