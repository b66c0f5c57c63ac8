import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import { reportError } from '../errors.js';

/**
 * Every flanctl command: `--json` through oclif's enableJsonFlag (run() returns the document),
 * exit 1 through `foundProblem()` so the JSON is still printed, errors as one line (bin/run.js).
 */
export abstract class BaseCommand extends Command {
  static enableJsonFlag = true;

  static baseFlags = {
    debug: Flags.boolean({ description: 'print the stack trace of an error', helpGroup: 'GLOBAL' }),
  };

  /**
   * With --json oclif prints the error as a JSON document on stdout and swallows it;
   * scripts read that, people and logs still get the one-line message on stderr and the exit code.
   */
  async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (this.jsonEnabled()) reportError(err);
    return super.catch(err);
  }

  /** A service's exit status: 1 the tool worked and found a problem, 3 a node or command failed. */
  protected finish(exit: number): void {
    if (exit !== 0) process.exitCode = exit;
  }
}
