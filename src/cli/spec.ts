// A command's command line as plain data: its flags, arguments and help texts. The fast path (dispatch.ts,
// argv.ts) reads it without loading oclif; oclif.ts turns the same data into oclif's flags and a Command class for
// help, completion, the manifest, and every command line the fast path leaves to oclif.
import type { FlagValues } from '../services/options.js';

export interface FlagSpec {
  type: 'boolean' | 'string' | 'integer';
  description?: string;
  char?: string;
  /** repeatable; a greedy one also takes the plain words that follow it (oclif's default) */
  multiple?: boolean;
  multipleNonGreedy?: boolean;
  options?: readonly string[];
  default?: string | number;
  /** the value when the flag is not given (oclif's env) */
  env?: string;
  required?: boolean;
  exclusive?: readonly string[];
  dependsOn?: readonly string[];
  min?: number;
  max?: number;
  helpGroup?: string;
}

export interface ArgSpec {
  description: string;
  required?: boolean;
  options?: readonly string[];
}

export interface Example {
  description: string;
  command: string;
}

/** Where a command prints: its text only without --json (then the document it returns is printed instead). */
export interface Out {
  json: boolean;
  log(text: string): void;
  /** a service's exit status: 1 the tool worked and found a problem, 3 a node or command failed */
  finish(exit: number): void;
}

/** Out.finish as both fronts (dispatch.ts, oclif.ts) do it: a non-zero status is the process's, 0 changes nothing. */
export function setExitStatus(exit: number): void {
  if (exit !== 0) process.exitCode = exit;
}

export interface Parsed {
  /** a required argument is always there; an optional one not given is undefined */
  args: Record<string, string>;
  flags: FlagValues;
}

export interface CommandSpec {
  summary?: string;
  description?: string;
  examples?: readonly Example[];
  hidden?: boolean;
  /** --json (default true): run() returns the document printed with it */
  json?: boolean;
  args?: Record<string, ArgSpec>;
  flags: Record<string, FlagSpec>;
  run(parsed: Parsed, out: Out): Promise<unknown>;
}

/** The flags every command has besides its own (oclif's baseFlags and enableJsonFlag). */
export const GLOBAL_FLAGS = {
  debug: { type: 'boolean', description: 'print the stack trace of an error', helpGroup: 'GLOBAL' },
  json: { type: 'boolean', description: 'Format output as json.', helpGroup: 'GLOBAL' },
} as const satisfies Record<string, FlagSpec>;
