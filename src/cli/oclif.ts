// A command spec (spec.ts) as oclif's Command class: what `oclif manifest`, help and completion read, and what runs
// a command line the fast path (dispatch.ts) leaves to oclif. Only this file and oclif-commands.ts load oclif.
import * as Args from '@oclif/core/args';
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import type { FlagInput } from '@oclif/core/interfaces';
import { reportError } from '../errors.js';
import { type CommandSpec, type FlagSpec, GLOBAL_FLAGS, setExitStatus } from './spec.js';

type OclifFlag = ReturnType<typeof Flags.string> | ReturnType<typeof Flags.boolean> | ReturnType<typeof Flags.integer>;

function toOclifFlag(spec: FlagSpec): OclifFlag {
  const { type, ...options } = spec;
  // oclif's flag options are mutable arrays
  const common = { ...options, options: spec.options && [...spec.options], exclusive: spec.exclusive && [...spec.exclusive], dependsOn: spec.dependsOn && [...spec.dependsOn] };
  if (type === 'boolean') return Flags.boolean(common as Parameters<typeof Flags.boolean>[0]);
  if (type === 'integer') return Flags.integer(common as Parameters<typeof Flags.integer>[0]);
  return Flags.string(common as Parameters<typeof Flags.string>[0]);
}

/** oclif's flags for a spec's flags (the global --json and --debug are added by the Command class). */
export function toOclifFlags(flags: Record<string, FlagSpec>): FlagInput {
  return Object.fromEntries(Object.entries(flags).map(([name, f]) => [name, toOclifFlag(f)])) as FlagInput;
}

/** oclif's args; none is read from stdin when missing: stdin belongs to `--from-dir -` and repair's question. */
export function toOclifArgs(spec: CommandSpec): Record<string, ReturnType<typeof Args.string>> {
  return Object.fromEntries(Object.entries(spec.args ?? {}).map(([name, a]) => [name, Args.string({ ...a, options: a.options && [...a.options], ignoreStdin: true })]));
}

/** The oclif Command class of a spec. */
export function oclifCommand(spec: CommandSpec): Command.Class {
  return class extends Command {
    static summary = spec.summary;
    static description = spec.description;
    static examples = spec.examples?.map((e) => ({ ...e })) ?? [];
    static hidden = spec.hidden ?? false;
    static enableJsonFlag = spec.json ?? true;
    static baseFlags = { debug: toOclifFlag(GLOBAL_FLAGS.debug) };
    static args = toOclifArgs(spec);
    static flags = toOclifFlags(spec.flags);

    /**
     * With --json oclif prints the error as a JSON document on stdout and swallows it;
     * scripts read that, people and logs still get the one-line message on stderr and the exit code.
     */
    async catch(err: Error & { exitCode?: number }): Promise<unknown> {
      if (this.jsonEnabled()) reportError(err);
      return super.catch(err);
    }

    async run(): Promise<unknown> {
      const { args, flags } = await this.parse(this.ctor);
      return spec.run(
        { args, flags },
        {
          json: this.jsonEnabled(),
          log: (text) => this.log(text),
          finish: setExitStatus,
        },
      );
    }
  };
}
