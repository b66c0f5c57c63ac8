// Issue 16 item 4: a cluster directory handed over by someone else. Its cluster.json records how the nodes were
// reached; an ssh config with ProxyCommand or a kubeconfig with an `exec:` credential plugin runs a local
// command as root. `repair --cluster --apply` takes none of these from the directory: refused (exit 2, one
// line, nothing run) unless the command line gives them again — and given again, the same file does run
// (which shows the attack is real here, not a stub that could never fire).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../collect/cli.js';

const root = join(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'flanctl-replay-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** fixtures/cluster/stale-vtep (node1 needs two actions) with a cluster.json that says how to reach the nodes. */
function dirWith(name: string, reach: object): string {
  const dir = join(tmp, name);
  cpSync(join(root, 'fixtures/cluster/stale-vtep'), dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8'));
  writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ ...manifest, reach }));
  return dir;
}

describe('repair --cluster --apply does not replay configs, credentials or programs from the directory', () => {
  it('ssh: a recorded -F config with ProxyCommand is refused; given again with --ssh-config it is used', () => {
    const marker = join(tmp, 'ssh-ran');
    const config = join(tmp, 'evil_ssh_config');
    writeFileSync(config, `Host *\n  ProxyCommand sh -c 'touch ${marker}; exit 1'\n`);
    const targets = ['node1', 'node2', 'node3'].map((name) => ({ name, host: '127.0.0.1', port: 9 }));
    const dir = dirWith('ssh', { ssh: { targets, options: { configFile: config, connectTimeout: 2 } } });
    const r = runCli(['repair', '--cluster', dir, '--apply', '--yes', '--journal-dir', join(tmp, 'j')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`--ssh-config ${config}`);
    expect(existsSync(marker)).toBe(false);
    const trusted = runCli(['repair', '--cluster', dir, '--apply', '--yes', '--journal-dir', join(tmp, 'j'), '--ssh-config', config]);
    expect(trusted.status, trusted.stderr).toBe(3);
    expect(existsSync(marker)).toBe(true);
  });

  it('kubectl: a recorded kubeconfig with an exec credential plugin is refused; given again with --kubeconfig it is used', () => {
    const marker = join(tmp, 'kube-ran');
    const kubeconfig = join(tmp, 'evil_kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1', 'kind: Config', 'current-context: c',
        'clusters: [{name: k, cluster: {server: "https://127.0.0.1:9"}}]',
        'contexts: [{name: c, context: {cluster: k, user: u}}]',
        `users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: sh, args: ["-c", "touch ${marker}; exit 1"], interactiveMode: Never}}}]`,
        '',
      ].join('\n'),
    );
    const dir = dirWith('kube', { kube: { kubeconfig } });
    const r = runCli(['repair', '--cluster', dir, '--apply', '--yes', '--journal-dir', join(tmp, 'j')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`--kubeconfig ${kubeconfig}`);
    expect(existsSync(marker)).toBe(false);
    const trusted = runCli(['repair', '--cluster', dir, '--apply', '--yes', '--journal-dir', join(tmp, 'j'), '--kubeconfig', kubeconfig]);
    expect(trusted.status, trusted.stderr).toBe(3);
    expect(existsSync(marker)).toBe(true);
  });
});
