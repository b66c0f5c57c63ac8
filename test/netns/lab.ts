// A lab of network namespaces for integration tests. Everything it creates lives inside namespaces
// named with a unique prefix; nothing is ever added to or changed in the root namespace.
// Teardown deletes the namespaces (and with them every link, route, neigh and fdb entry inside).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const isRoot = (): boolean => process.getuid?.() === 0;

/** True when this machine can run the netns tests (root, iproute2, vxlan). */
export function canUseNetns(): boolean {
  if (!isRoot()) return false;
  return spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' }).status === 0;
}

export class Lab {
  readonly prefix: string;
  private readonly created: string[] = [];

  constructor(tag = 'lab') {
    // short: netns names appear in `ip -o link` output and test logs
    this.prefix = `fct${tag}${randomBytes(2).toString('hex')}-`;
  }

  /** Create a namespace `<prefix><name>` with lo up; returns its full name. */
  addNs(name: string): string {
    const ns = this.prefix + name;
    ip(['netns', 'add', ns]);
    this.created.push(ns);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** Run a program inside a namespace (argv array, no shell); throws with stderr on failure. */
  exec(ns: string, argv: string[]): string {
    return execFileSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Same as exec but returns the exit status instead of throwing. */
  tryExec(ns: string, argv: string[]): { status: number; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', timeout: 20_000 });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** `ip -n NS ...` */
  ip(ns: string, args: string[]): string {
    return ip(['-n', ns, ...args]);
  }

  /** One bounded ping from inside `ns`; true when a reply came back. */
  ping(ns: string, dst: string): boolean {
    return this.tryExec(ns, ['ping', '-c', '1', '-W', '1', '-q', dst]).status === 0;
  }

  /**
   * Waits (≤ 5 s) until no IPv6 address in this lab is tentative: the kernel clears the flag when duplicate address
   * detection ends, about a second after a link comes up, and output read before that differs from output read after.
   */
  settleDad(): void {
    for (let i = 0; i < 50; i++) {
      if (this.created.every((ns) => ip(['-n', ns, '-6', 'addr', 'show', 'tentative']).trim() === '')) return;
      spawnSync('sleep', ['0.1']);
    }
    throw new Error('IPv6 addresses still tentative after 5 s');
  }

  teardown(): void {
    for (const ns of this.created.splice(0).reverse()) {
      spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    }
  }
}

export function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
