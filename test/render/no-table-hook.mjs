// Loaded with `node --import`: any import of cli-table3 gets a Table that throws when built, and render/box.ts (which
// draws the plain tables cli-table3 would) a drawBox that throws when called, so a test can tell whether a command
// drew a table at all.
import { register } from 'node:module';

const table = 'data:text/javascript,' + encodeURIComponent('export default class Table { constructor() { throw new Error("cli-table3 built a table"); } }');
const box = 'data:text/javascript,' + encodeURIComponent('export function drawBox() { throw new Error("render/box.ts built a table"); }');
const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === 'cli-table3') return { url: ${JSON.stringify(table)}, shortCircuit: true };
  if (specifier === './box.js' && context.parentURL?.endsWith('/render/table.js')) return { url: ${JSON.stringify(box)}, shortCircuit: true };
  return next(specifier, context);
}`;
register('data:text/javascript,' + encodeURIComponent(hooks));
