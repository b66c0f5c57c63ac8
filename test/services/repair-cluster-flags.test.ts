// Every repair flag reaches the cluster path (issue 13: --prune, --node, the etcd TLS flags and --subnet-env
// were dropped there). The flag list comes from the command; each flag is given to `repair --cluster` on the
// captured cluster directory with a value whose effect shows in the answer (a file that does not exist, an
// unsafe kubectl value, a node not in the directory). Flags with nothing to show in a dry run are covered by
// test/services/options.test.ts (the mapper) and named here.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Repair from '../../src/commands/repair.js';
import { runCli } from '../collect/cli.js';

const DIR = 'fixtures/cluster/stale-vtep';
// the same directory as if collected over ssh / kubectl with connection options recorded in cluster.json:
// --apply must be given them again, one by one (cluster/reach.ts), and never gets as far as connecting here
const tmp = mkdtempSync(join(tmpdir(), 'fct-reach-'));
function withReach(name: string, reach: object): string {
  const dir = join(tmp, name);
  cpSync(DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8'));
  writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ ...manifest, reach }));
  return dir;
}
const SSH = withReach('ssh', { ssh: { targets: [{ name: 'node1', host: '192.168.56.11' }], options: { configFile: '/dev/null', identity: '/k', options: ['LogLevel=ERROR', 'StrictHostKeyChecking=no'] } } });
const KUBE = withReach('kube', { kube: { selector: 'app=flannel', container: 'kube-flannel', debugImage: 'busybox:1.36' } });
const APPLY = ['--apply', '--yes'];
const NODES = 'fixtures/leases/nodes-mixed.json';

// flag -> extra arguments and what the one-line error (exit 2/3) or the JSON must show
const EFFECT: Record<string, { dir?: string; args: string[]; status: number; stderr?: RegExp; json?: (doc: { actions: { node: string }[]; nodes: { node: string }[] }) => void }> = {
  nodes: { args: ['--nodes', '/nonexistent/nodes.json'], status: 2, stderr: /\/nonexistent\/nodes\.json/ },
  kube: { args: ['--kube', '--kubeconfig', '-x'], status: 2, stderr: /not a kubeconfig path/ },
  kubeconfig: { args: ['--kube', '--kubeconfig', '--oops'], status: 2, stderr: /not a kubeconfig path: "--oops"/ },
  context: { args: ['--kube', '--context', '-ctx'], status: 2, stderr: /not a kubeconfig context: "-ctx"/ },
  etcd: { args: ['--etcd', 'ftp://127.0.0.1:9'], status: 2, stderr: /ftp:\/\/127\.0\.0\.1:9/ },
  'etcd-cafile': { args: ['--etcd', 'https://127.0.0.1:9', '--etcd-cafile', '/nonexistent/ca.pem'], status: 2, stderr: /\/nonexistent\/ca\.pem/ },
  'etcd-certfile': { args: ['--etcd', 'https://127.0.0.1:9', '--etcd-certfile', '/nonexistent/cert.pem', '--etcd-keyfile', '/nonexistent/key.pem'], status: 2, stderr: /\/nonexistent\/(cert|key)\.pem/ },
  'etcd-keyfile': { args: ['--etcd', 'https://127.0.0.1:9', '--etcd-certfile', '/nonexistent/cert.pem', '--etcd-keyfile', '/nonexistent/key.pem'], status: 2, stderr: /\/nonexistent\/(cert|key)\.pem/ },
  'subnet-env': { args: ['--subnet-env', '/nonexistent/subnet.env', '--node', 'node1'], status: 2, stderr: /\/nonexistent\/subnet\.env/ },
  node: { args: ['--node', 'node2'], status: 0, json: (doc) => expect(doc.nodes.map((n) => n.node)).toEqual(['node2']) },
  prune: { args: ['--prune'], status: 2, stderr: /--prune with --cluster needs the leases/ },
  apply: { args: ['--apply', '--yes', '--node', 'node2'], status: 0, json: (doc) => expect(doc.nodes).toEqual([{ node: 'node2', status: 'nothing-to-do', applied: 0 }]) },
  undo: { args: ['--undo'], status: 2, stderr: /--undo restores one node from its own journal/ },
  list: { args: ['--list'], status: 2, stderr: /--list shows the journals of this node/ },
  // each one given moves the refusal on to the next recorded option
  'ssh-config': { dir: SSH, args: [...APPLY, '--ssh-config', '/dev/null'], status: 2, stderr: /with --ssh-identity \/k/ },
  'ssh-identity': { dir: SSH, args: [...APPLY, '--ssh-config', '/dev/null', '--ssh-identity', '/k'], status: 2, stderr: /with --ssh-option LogLevel=ERROR/ },
  'ssh-option': { dir: SSH, args: [...APPLY, '--ssh-config', '/dev/null', '--ssh-identity', '/k', '--ssh-option', 'LogLevel=ERROR'], status: 2, stderr: /with --ssh-option StrictHostKeyChecking=no/ },
  // a value other than the recorded one is refused, naming the flag
  'flannel-selector': { dir: KUBE, args: [...APPLY, '--flannel-selector', 'app=other'], status: 2, stderr: /with --flannel-selector app=flannel/ },
  'flannel-container': { dir: KUBE, args: [...APPLY, '--flannel-container', 'other'], status: 2, stderr: /with --flannel-container kube-flannel/ },
  'debug-image': { dir: KUBE, args: [...APPLY, '--debug-image', 'other:1'], status: 2, stderr: /with --debug-image busybox:1\.36/ },
};
// nothing to show without changing a node: the mapper test checks they reach the options
const MAPPER_ONLY = ['etcd-prefix', 'yes', 'journal-dir'];
// oclif refuses them next to --cluster (exclusive)
// --dev and --at read a pasted --from-dir, so they are refused with --cluster as --from-dir is
const EXCLUSIVE = ['netns', 'snapshot', 'from-dir', 'dev', 'at'];

describe('repair --cluster: every flag reaches the cluster path', () => {
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const flags = Object.keys(Repair.flags).filter((f) => f !== 'cluster');

  it('every repair flag is accounted for here', () => {
    expect([...Object.keys(EFFECT), ...MAPPER_ONLY, ...EXCLUSIVE].sort()).toEqual(flags.sort());
  });

  it.each(Object.entries(EFFECT))('--%s', (_flag, e) => {
    const r = runCli(['repair', '--cluster', e.dir ?? DIR, ...e.args, '--json']);
    expect(r.status, r.stderr).toBe(e.status);
    if (e.stderr) expect(r.stderr).toMatch(e.stderr);
    if (e.json) e.json(r.json);
  });

  it.each(EXCLUSIVE)('--%s is refused next to --cluster', (flag) => {
    const r = runCli(['repair', '--cluster', DIR, `--${flag}`, flag === 'netns' ? 'x' : flag === 'at' ? '3' : NODES]);
    expect(r.status).toBe(2);
  });
});
