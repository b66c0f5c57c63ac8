// Every flanctl command, by id: src/commands/ID.ts is command ID (its spec, src/cli/spec.ts). The fast path
// (src/cli/dispatch.ts) loads only the one asked for; oclif's explicit strategy reads the classes of
// src/cli/oclif-commands.ts, built from the same files. A new command is added here as well as in its own file.
export const COMMAND_IDS = ['collect', 'decode', 'doctor', 'pod-veth', 'probe', 'probe-send', 'repair', 'show', 'trace', 'whohas'] as const;
