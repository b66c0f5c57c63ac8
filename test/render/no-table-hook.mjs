// Loaded with `node --import`: any import of cli-table3 gets a Table that throws when built, so a test can
// tell whether a command built a table at all.
import { register } from 'node:module';

const table = 'data:text/javascript,' + encodeURIComponent('export default class Table { constructor() { throw new Error("cli-table3 built a table"); } }');
const hooks = `export async function resolve(specifier, context, next) {
  return specifier === 'cli-table3' ? { url: ${JSON.stringify(table)}, shortCircuit: true } : next(specifier, context);
}`;
register('data:text/javascript,' + encodeURIComponent(hooks));
