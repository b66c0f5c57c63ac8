// Rewrites the README's table of problem codes from src/model/codes.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { withCodesTable } from '../src/render/codes-table.js';

const path = new URL('../README.md', import.meta.url);
writeFileSync(path, withCodesTable(readFileSync(path, 'utf8')));
