// Real sshd per simulated node, for the cluster-mode integration tests. Each sshd runs inside the node's
// namespace (so every command it runs sees that node's links, routes, neigh, fdb), listening on the
// node's underlay IP, with a host key, client key and config in a temp directory. A "client" namespace on
// the same underlay runs flanctl. Every sshd is killed by pid in stop().
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../netns/lab.js';
import type { LabCluster } from '../netns/flannel-cluster.js';

export const CLIENT_IP = '192.168.56.200';
const ROOT_BASHRC = '/root/.bashrc';

export class SshLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'fct-ssh-'));
  readonly key = join(this.dir, 'client_key');
  clientNs = '';
  private readonly procs: ChildProcess[] = [];

  constructor(private readonly lab: Lab) {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', this.key]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(this.dir, 'host_key')]);
    execFileSync('cp', [`${this.key}.pub`, join(this.dir, 'authorized_keys')]);
    // Debian's sshd insists on its privilege separation directory
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  }

  /** A namespace on the underlay bridge to run ssh (and flanctl) from. */
  addClient(cluster: LabCluster): string {
    const ns = this.lab.addNs('client');
    this.lab.ip(ns, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'p-client', 'netns', cluster.switchNs]);
    this.lab.ip(cluster.switchNs, ['link', 'set', 'p-client', 'master', 'underlay', 'up']);
    this.lab.ip(ns, ['addr', 'add', `${CLIENT_IP}/24`, 'dev', 'eth0']);
    this.lab.ip(ns, ['link', 'set', 'eth0', 'up']);
    this.clientNs = ns;
    return ns;
  }

  /** Start sshd in `ns` on `ip`:22 and wait until it listens; `extra` lines end its config (a ForceCommand). */
  async start(ns: string, ip: string, name: string, extra: string[] = []): Promise<void> {
    const conf = join(this.dir, `sshd_${name}.conf`);
    writeFileSync(
      conf,
      [
        `ListenAddress ${ip}`,
        'Port 22',
        `HostKey ${join(this.dir, 'host_key')}`,
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
        `PidFile ${join(this.dir, `sshd_${name}.pid`)}`,
        'StrictModes no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'MaxStartups 100',
        'LogLevel ERROR',
        ...extra,
        '',
      ].join('\n'),
    );
    // `ip netns exec` execs sshd in place (so do unshare and sh): the child's pid is sshd's. sshd runs every command
    // through root's login shell, and bash sources ~/.bashrc for a command run by sshd: this machine's runs `pyenv
    // init` (≈ 100 ms CPU per connection, more than the node's whole collect). A simulated node's root has an empty
    // one: /dev/null bound over it in sshd's own mount namespace; the file itself is not touched.
    const sshd = `exec /usr/sbin/sshd -f '${conf}' -D -e`;
    const quietRc = existsSync(ROOT_BASHRC) ? `mount --bind /dev/null ${ROOT_BASHRC} && ` : '';
    const proc = spawn('ip', ['netns', 'exec', ns, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', quietRc + sshd], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.procs.push(proc);
    for (let i = 0; i < 100; i++) {
      const ss = spawnSync('ip', ['netns', 'exec', ns, 'ss', '-Hltn', `src ${ip}:22`], { encoding: 'utf8' });
      if (ss.stdout.includes(`${ip}:22`)) return;
      if (proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`sshd in ${ns} did not start`);
  }

  /** ssh options every flanctl call in the tests passes: the test key, no user config, no known_hosts. */
  flanctlSshFlags(): string[] {
    return ['--ssh-config', '/dev/null', '--ssh-identity', this.key, '--ssh-option', 'StrictHostKeyChecking=no', '--ssh-option', 'UserKnownHostsFile=/dev/null', '--ssh-option', 'LogLevel=ERROR'];
  }

  stop(): void {
    for (const p of this.procs.splice(0)) if (p.exitCode === null && p.pid) p.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
