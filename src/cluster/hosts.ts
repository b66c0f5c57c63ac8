// `--ssh-hosts FILE`: one `[user@]host[:port]` per line, or an ansible INI inventory
// (`node1 ansible_host=10.0.0.1 ansible_user=root ansible_port=2222` under `[group]` headers).
// Every value ends up on ssh's command line, so each is validated here. Pure.
import { UsageError } from '../errors.js';
import { isIPv4, isIPv6 } from '../model/net.js';

export interface SshTarget {
  /** the node's label: inventory name, else the host as written */
  name: string;
  host: string;
  user?: string;
  port?: number;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export const isHost = (s: string): boolean => isIPv4(s) || isIPv6(s) || HOSTNAME.test(s);

export function parseHostsFile(text: string, file = 'hosts file'): SshTarget[] {
  const targets: SshTarget[] = [];
  let skipSection = false;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\s[#;].*$/, '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const where = `${file} line ${i + 1}`;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      // ansible `[group:vars]` / `[group:children]` sections hold no hosts
      skipSection = section[1].includes(':');
      return;
    }
    if (skipSection) return;
    const [first, ...vars] = line.split(/\s+/);
    targets.push(vars.length ? inventoryLine(first, vars, where) : plainLine(first, where));
  });
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.name)) throw new UsageError(`${file}: node ${t.name} is listed twice`);
    seen.add(t.name);
  }
  if (targets.length === 0) throw new UsageError(`${file} lists no hosts`, 'one [user@]host[:port] per line, or an ansible inventory');
  return targets;
}

function plainLine(spec: string, where: string): SshTarget {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+|[0-9a-fA-F:]+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new UsageError(`${where}: not [user@]host[:port]: ${JSON.stringify(spec)}`);
  const host = m[2].replace(/^\[(.*)\]$/, '$1');
  return target(host, host, m[1], m[3], where);
}

function inventoryLine(name: string, vars: string[], where: string): SshTarget {
  if (!NAME.test(name)) throw new UsageError(`${where}: not a usable node name: ${JSON.stringify(name)}`);
  const kv: Record<string, string> = {};
  for (const v of vars) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`${where}: expected key=value, got ${JSON.stringify(v)}`);
    kv[v.slice(0, eq)] = v.slice(eq + 1).replace(/^(['"])(.*)\1$/, '$2');
  }
  const host = kv.ansible_host ?? kv.ansible_ssh_host ?? name;
  return target(name, host, kv.ansible_user ?? kv.ansible_ssh_user, kv.ansible_port ?? kv.ansible_ssh_port, where);
}

/** Check a target read back from a cluster manifest as strictly as one read from a hosts file. */
export const checkTarget = (t: SshTarget, where: string): SshTarget => target(t.name, t.host, t.user, t.port === undefined ? undefined : String(t.port), where);

function target(name: string, host: string, user: string | undefined, port: string | undefined, where: string): SshTarget {
  if (!isHost(host)) throw new UsageError(`${where}: not a host name or IP address: ${JSON.stringify(host)}`);
  if (!NAME.test(name) && !isHost(name)) throw new UsageError(`${where}: not a usable node name: ${JSON.stringify(name)}`);
  if (user !== undefined && !USER.test(user)) throw new UsageError(`${where}: not a user name: ${JSON.stringify(user)}`);
  let portNumber: number | undefined;
  if (port !== undefined) {
    portNumber = Number(port);
    if (!/^\d{1,5}$/.test(port) || portNumber < 1 || portNumber > 65535) throw new UsageError(`${where}: not a port: ${JSON.stringify(port)}`);
  }
  return { name, host, ...(user ? { user } : {}), ...(portNumber ? { port: portNumber } : {}) };
}
