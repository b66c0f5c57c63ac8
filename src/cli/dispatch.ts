// The fast path: `--version` and a command line that needs nothing of oclif run without loading it (oclif's
// Config alone is ≈ 16 ms of a start-up, BENCHMARKS.md). Help, completion, an unknown command and every
// command line argv.ts leaves alone go to oclif, which parses them again and answers as before.
import { COMMAND_IDS } from '../commands/index.js';
import { reportError } from '../errors.js';
import { parseArgv } from './argv.js';
import { type CommandSpec, setExitStatus } from './spec.js';

export interface Cli {
  /** the package's name and version (oclif's user agent: name/version platform-arch node-version) */
  name: string;
  version: string;
  load(id: string): Promise<CommandSpec>;
}

const isCommandId = (id: string | undefined): boolean => (COMMAND_IDS as readonly (string | undefined)[]).includes(id);

/** Run argv without oclif; false when oclif must run it. */
export async function dispatch(argv: readonly string[], cli: Cli): Promise<boolean> {
  if (argv[0] === '--version') {
    console.log(`${cli.name}/${cli.version} ${process.platform}-${process.arch === 'ia32' ? 'x86' : process.arch} node-${process.version}`);
    return true;
  }
  const [id, ...rest] = argv;
  // oclif's CONTENT_TYPE=json turns --json on without the flag: left to oclif
  if (!isCommandId(id) || process.env.FLANCTL_CONTENT_TYPE !== undefined) return false;
  const spec = await cli.load(id);
  const parsed = parseArgv(spec, rest, process.env);
  if (!parsed) return false;
  // as oclif's Command does: a reader that closes the pipe (`| head`) ends the output, not the command
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  const json = parsed.flags.json === true;
  const out = {
    json,
    log: (text: string) => {
      if (!json) console.log(text);
    },
    finish: setExitStatus,
  };
  try {
    const doc = await spec.run(parsed, out);
    if (doc && json) console.log(JSON.stringify(doc, undefined, 2));
  } catch (error) {
    if (!json) throw error;
    // oclif's --json error: the one line on stderr, and { error } on stdout for scripts
    reportError(error);
    const err = error instanceof Error ? { error: { ...error, message: error.message, name: error.name } } : { error };
    console.log(JSON.stringify(err, undefined, 2));
  }
  return true;
}
