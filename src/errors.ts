// The error family and its exit codes (DESIGN.md): 2 bad input or usage, 3 environment.
// Exit 1 ("the tool worked and found a problem") is not an error: commands set process.exitCode.

export const EXIT = { ok: 0, problem: 1, usage: 2, environment: 3 } as const;

// The single binary carries two bundles (bin/binary.js, and oclif's in bin/binary-oclif.js), each with its own copy
// of these classes; reportError knows a flanctl error by this brand, which both copies share, not by instanceof.
const BRAND = Symbol.for('flanctl.error');

export class FlanctlError extends Error {
  readonly [BRAND] = true;

  constructor(
    message: string,
    readonly exitCode: 2 | 3,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, arguments or values: an IP, MAC, device name or file the user gave us. */
export class UsageError extends FlanctlError {
  constructor(message: string, hint?: string) {
    super(message, 2, hint);
  }
}

/** Input text that is not what the named command prints. `line` is 1-based. */
export class ParseError extends FlanctlError {
  constructor(
    readonly command: string,
    readonly reason: string,
    readonly line?: number,
    readonly text?: string,
  ) {
    const where = line === undefined ? '' : ` at line ${line}${text === undefined ? '' : `: ${JSON.stringify(text.slice(0, 80))}`}`;
    super(`cannot parse ${command} output${where}: ${reason}`, 2);
  }
}

/** The machine is not as needed: program missing, no permission, lock held, namespace gone. */
export class EnvironmentError extends FlanctlError {
  constructor(message: string, hint?: string) {
    super(message, 3, hint);
  }
}

interface OclifLikeError {
  oclif?: { exit?: number };
  code?: string;
}

/** Print one line on stderr and set the exit code. The stack only with --debug. */
export function reportError(error: unknown): void {
  const debug = process.argv.includes('--debug') || process.env.DEBUG === 'flanctl';
  const err = error instanceof Error ? error : new Error(String(error));
  const oclif = (err as OclifLikeError).oclif;
  // oclif's own exit (this.exit(n)) carries no message worth printing
  if ((err as OclifLikeError).code === 'EEXIT') {
    process.exitCode = oclif?.exit ?? 0;
    return;
  }
  let code: number;
  let line: string;
  if ((err as Partial<FlanctlError>)[BRAND] === true) {
    const flanctl = err as FlanctlError;
    code = flanctl.exitCode;
    line = flanctl.message + (flanctl.hint ? ` (${flanctl.hint})` : '');
  } else if (oclif) {
    // flag and argument errors from oclif's parser
    code = EXIT.usage;
    line = err.message.split('\n')[0] + ' (see --help)';
  } else {
    code = EXIT.environment;
    line = `internal error: ${err.message} (run with --debug for the stack)`;
  }
  process.stderr.write(`flanctl: ${line}\n`);
  if (debug && err.stack) process.stderr.write(err.stack + '\n');
  process.exitCode = code;
}
