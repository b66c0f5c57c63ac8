// The ssh transport: the system `ssh` (the user's agent and ~/.ssh/config apply), BatchMode so it never
// prompts, one connection per node running `sh -s -- ARGS` with the script on stdin.
import { UsageError } from '../errors.js';
import type { SshTarget } from './hosts.js';
import { openProgram, runProgram, type ScriptResult, type ScriptSession, type Transport } from './transport.js';

export interface SshOptions {
  /** `-F FILE` (e.g. /dev/null to ignore ~/.ssh/config) */
  configFile?: string;
  /** `-i FILE` */
  identity?: string;
  /** extra `-o Key=Value` options */
  options?: string[];
  /** seconds for ssh's own TCP connect */
  connectTimeout?: number;
}

const SSH_OPTION = /^([A-Za-z][A-Za-z0-9]*)=([^\s]+)$/;
// Options that tune the connection. Ones that run local commands (ProxyCommand, LocalCommand,
// KnownHostsCommand…) are refused: a run given them would execute what they name.
const SAFE_OPTIONS = new Set(
  ['StrictHostKeyChecking', 'UserKnownHostsFile', 'LogLevel', 'ConnectTimeout', 'ConnectionAttempts', 'IdentitiesOnly', 'ServerAliveInterval', 'ServerAliveCountMax', 'Compression', 'ProxyJump', 'HostKeyAlias', 'CheckHostIP', 'AddressFamily', 'BindAddress', 'User', 'Port', 'KexAlgorithms', 'Ciphers', 'HostKeyAlgorithms', 'PubkeyAcceptedAlgorithms', 'ControlMaster', 'ControlPath', 'ControlPersist'].map((k) => k.toLowerCase()),
);

// ProxyJump: `none`, or comma-separated [user@]host[:port] (host: a DNS name, IPv4, or [IPv6])
const JUMP = /^(?:[A-Za-z_][A-Za-z0-9_.-]{0,31}@)?(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;

/** --ssh-option values: Key=Value, a connection option, a ProxyJump that names hosts only. Usage errors (exit 2). */
export function checkSshOptions(options: string[] = []): void {
  for (const opt of options) {
    const m = SSH_OPTION.exec(opt);
    if (!m) throw new UsageError(`not an ssh option: ${JSON.stringify(opt)}`, 'expected Key=Value, e.g. StrictHostKeyChecking=accept-new');
    if (!SAFE_OPTIONS.has(m[1].toLowerCase())) throw new UsageError(`ssh option ${m[1]} is not accepted here`, 'put it in your ~/.ssh/config instead');
    if (m[1].toLowerCase() === 'proxyjump' && m[2] !== 'none' && !m[2].split(',').every(isJumpHost)) {
      throw new UsageError(`ssh option ProxyJump=${m[2]}: not a list of [user@]host[:port]`);
    }
  }
}

function isJumpHost(hop: string): boolean {
  const m = JUMP.exec(hop);
  const port = m?.[1] === undefined ? 22 : Number(m[1]);
  return !!m && port >= 1 && port <= 65535;
}

export function sshArgv(t: SshTarget, o: SshOptions, remote: string[]): string[] {
  checkSshOptions(o.options);
  return [
    'ssh',
    ...(o.configFile ? ['-F', o.configFile] : []),
    ...(o.identity ? ['-i', o.identity] : []),
    ...(o.options ?? []).flatMap((opt) => ['-o', opt]),
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${o.connectTimeout ?? 10}`,
    ...(t.port ? ['-p', String(t.port)] : []),
    ...(t.user ? ['-l', t.user] : []),
    '--',
    t.host,
    ...remote,
  ];
}

export function sshTransport(targets: SshTarget[], o: SshOptions = {}): Transport {
  // before any node is reached: a bad option is the user's (exit 2), not each node's failure
  checkSshOptions(o.options);
  const byName = new Map(targets.map((t) => [t.name, t]));
  const argvFor = (node: string, args: string[]): { t: SshTarget; argv: string[] } => {
    const t = byName.get(node);
    if (!t) throw new UsageError(`unknown node ${node}`);
    return { t, argv: sshArgv(t, o, ['sh', '-s', '--', ...checkArgs(args)]) };
  };
  // ssh itself exits 255 on connection and authentication failures; say so in ssh's own words
  const sshError = (t: SshTarget, r: ScriptResult): Error => new Error(`ssh ${t.user ? t.user + '@' : ''}${t.host}: ${lastLine(r.stderr) ?? 'connection failed'}`);
  return {
    kind: 'ssh',
    nodes: async () => targets.map((t) => t.name),
    async runScript(node, script, args, signal): Promise<ScriptResult> {
      const { t, argv } = argvFor(node, args);
      const r = await runProgram(argv, script, signal);
      if (r.exitCode === 255) throw sshError(t, r);
      return r;
    },
    openScript(node, script, args, signal): ScriptSession {
      const { t, argv } = argvFor(node, args);
      const session = openProgram(argv, script, signal);
      return {
        until: session.until,
        async finish(line) {
          const r = await session.finish(line);
          if (r.exitCode === 255) throw sshError(t, r);
          return r;
        },
      };
    },
  };
}

const lastLine = (s: string): string | undefined => s.split('\n').map((l) => l.trim()).filter(Boolean).pop();

/** ssh joins the remote command with spaces for the remote shell: only plain words pass. */
export function checkArgs(args: string[]): string[] {
  for (const a of args) if (!/^[A-Za-z0-9_.:/=+-]+$/.test(a)) throw new UsageError(`unsafe remote argument ${JSON.stringify(a)}`);
  return args;
}
