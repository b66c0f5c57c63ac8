// oclif's explicit command strategy (package.json oclif.commands) reads this map of Command classes: help,
// completion, `oclif manifest`, and the command lines the fast path leaves to oclif (src/cli/dispatch.ts).
import { COMMAND_IDS } from '../commands/index.js';
import type { CommandSpec } from './spec.js';
import { oclifCommand } from './oclif.js';

const specs = await Promise.all(COMMAND_IDS.map(async (id) => [id, ((await import(`../commands/${id}.js`)) as { default: CommandSpec }).default] as const));

export default Object.fromEntries(specs.map(([id, spec]) => [id, oclifCommand(spec)]));
