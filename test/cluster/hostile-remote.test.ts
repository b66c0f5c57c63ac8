// Issue 16 item 1 over the real transports: a node runs the collect script, then prints sections of its own
// choosing under the nonce its command line carries (it receives it), named ../../../<victim>/pwned, an
// absolute path and step names with a NUL or a slash. `flanctl collect --all` (the built CLI) must write nothing
// outside its output directory (the filesystem says so) and name each bad section in one line.
// Over ssh: the node's real sshd runs the script under a ForceCommand; over kubectl: the flannel pod of the
// recorded-API server (kube-api.ts) runs the exec'd command under the same wrapper. Over ssh the same node's forged
// subnet.env then meets `repair --cluster --apply` (item 3).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STEP_OF_FILE } from '../../src/cluster/remote-script.js';
import { cliEntry, runCli } from '../collect/cli.js';
import { buildFlannelCluster, type LabCluster, nodesJson } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { type FakeApi, kubeconfigFor, startFakeApi } from './kube-api.js';
import { SshLab } from './sshd.js';

/** Where the hostile sections aim: a directory of its own, beside the output directory's parent's. */
const victim = mkdtempSync(join(tmpdir(), 'fct-victim-'));
afterAll(() => rmSync(victim, { recursive: true, force: true }));

/** The section names the node prints (as printf %b reads them: \0 is a NUL), relative ones climbing from DIR/raw/node1/. */
const hostileNames = (out: string): string[] => {
  const up = '../'.repeat(out.split('/').filter(Boolean).length + 2);
  return [`${up}${victim.slice(1)}/pwned`, `${victim}/pwned-abs`, `hostname.txt\\0${up}${victim.slice(1)}/pwned-nul`, `ip-link.txt/../${up}${victim.slice(1)}/pwned-slash`];
};
/** The same names as flanctl reports them: the NUL escaped. */
const reported = (out: string): string[] => hostileNames(out).map((n) => n.replace('\\0', '\\x00'));

// Then a flood: one name of 1 MiB of ESC characters, and 10,000 sections x0 ... x9999. The report lists 20 distinct
// names (the README's cap), each at most 80 characters once escaped (`…` marks a cut), and counts the rest.
const FLOOD = 10_000;
/** The 1 MiB ESC name as the cap shows it: 20 escapes of 4 characters fill the 80, then the cut mark. */
const BIG_SHOWN = `${'\\x1b'.repeat(20)}…`;
/** The 20 names listed, in the order the node printed them. */
const listed = (out: string): string[] => [...reported(out), BIG_SHOWN, ...Array.from({ length: 15 }, (_, i) => `x${i}`)];

/** A wide terminal: the report's lines are not wrapped. */
const WIDE = { ...process.env, COLUMNS: '1000' };

/** The wrapper a hostile node runs its command under: the command itself (the real collect), then its own sections. */
function writeWrapper(dir: string, names: string[]): string {
  const path = join(dir, 'hostile.sh');
  writeFileSync(
    path,
    [
      '"$@"',
      // the nonce is the command's last argument (sh -s -- NONCE)
      'for m; do :; done',
      ...names.map((n) => `printf '\\n@@flanctl-%s begin %b\\nowned\\n@@flanctl-%s end %b 0 \\n' "$m" '${n}' "$m" '${n}'`),
      // issue 16 item 3: the node's own subnet.env, forged to claim half the address space (a later section that
      // worked replaces the real one)
      `printf '\\n@@flanctl-%s begin subnet.env\\nFLANNEL_NETWORK=0.0.0.0/0\\nFLANNEL_SUBNET=128.0.0.1/1\\nFLANNEL_MTU=1450\\nFLANNEL_IPMASQ=true\\n@@flanctl-%s end subnet.env 0 \\n' "$m" "$m"`,
      `big=$(head -c ${1 << 20} /dev/zero | tr '\\0' '\\033')`,
      `printf '\\n@@flanctl-%s begin %s\\n@@flanctl-%s end %s 0 \\n' "$m" "$big" "$m" "$big"`,
      `i=0; while [ $i -lt ${FLOOD} ]; do printf '\\n@@flanctl-%s begin x%d\\n@@flanctl-%s end x%d 0 \\n' "$m" $i "$m" $i; i=$((i+1)); done`,
      '',
    ].join('\n'),
  );
  return path;
}

/** What collect --all left behind: the victim directory empty, node1's raw files all step files, one line per bad section. */
function expectContained(r: { status?: number; exitCode?: number; stdout: string; stderr: string }, out: string): void {
  // the filesystem first: a run that wrote there and then failed still shows it
  expect(readdirSync(victim)).toEqual([]);
  expect(r.status ?? r.exitCode).toBe(0);
  expect(r.stderr).toBe('');
  for (const name of ['pwned', 'pwned-abs', 'pwned-nul', 'pwned-slash']) expect(existsSync(join(victim, name))).toBe(false);
  const raw = readdirSync(join(out, 'raw', 'node1'));
  expect(raw.filter((f) => !STEP_OF_FILE.has(f))).toEqual([]);
  // the real outputs are kept: hostname.txt is the node's own, not the hostile section's text
  expect(readFileSync(join(out, 'raw', 'node1', 'hostname.txt'), 'utf8')).not.toContain('owned');
  expect(raw).toContain('ip-link.txt');
  // the hostile names are short enough to be listed whole (the cap cuts at 80)
  for (const n of reported(out)) expect(n.length).toBeLessThanOrEqual(80);
  const more = 4 + 1 + FLOOD - 20;
  const bad = r.stdout.split('\n').filter((l) => l.startsWith('  ! '));
  expect(bad).toEqual([
    ...listed(out).map((n) => `  ! node1  printed a section named "${n}", which is no step file: not saved`),
    `  ! node1  … and ${more} more sections under names that are no step file: not saved`,
  ]);
  const manifest = JSON.parse(readFileSync(join(out, 'cluster.json'), 'utf8'));
  expect(manifest.nodes.map((n: { name: string; ok: boolean; foreignSections?: string[]; foreignSectionsMore?: number }) => [n.name, n.ok, n.foreignSections, n.foreignSectionsMore])).toEqual([
    ['node1', true, listed(out), more],
    ['node2', true, undefined, undefined],
  ]);
}

describeNetns('collect --all over real sshd: a hostile node writes nothing outside DIR', () => {
  const lab = new Lab('hssh');
  let ssh: SshLab;
  let cluster: LabCluster;
  let out: string;

  beforeAll(async () => {
    ssh = new SshLab(lab);
    cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 0 });
    ssh.addClient(cluster);
    out = join(ssh.dir, 'out');
    const wrapper = writeWrapper(ssh.dir, hostileNames(out));
    // sshd runs the forced command with the user's shell: $SSH_ORIGINAL_COMMAND splits into the wrapper's arguments
    await ssh.start(cluster.nodes[0].netns, cluster.nodes[0].ip, 'node1', [`ForceCommand /bin/sh ${wrapper} $SSH_ORIGINAL_COMMAND`]);
    await ssh.start(cluster.nodes[1].netns, cluster.nodes[1].ip, 'node2');
  });
  afterAll(() => {
    ssh?.stop();
    lab.teardown();
  });

  it('node1 is collected from its real outputs; its bad sections are reported (20 listed, the rest counted), none written', () => {
    const hosts = join(ssh.dir, 'hosts.txt');
    // an ansible inventory: the nodes are named node1 and node2, as in the manifest
    writeFileSync(hosts, cluster.nodes.map((n) => `${n.name} ansible_host=${n.ip} ansible_user=root`).join('\n') + '\n');
    const r = runCli(['collect', '--all', '--ssh-hosts', hosts, ...ssh.flanctlSshFlags(), '--timeout', '20', '-o', out], { prefix: ['ip', 'netns', 'exec', ssh.clientNs], env: WIDE });
    expectContained(r, out);
  });

  // Issue 16 item 3: in cluster mode the desired state defaults to the nodes' own snapshots, which each node writes
  // itself. node1's forged subnet.env (128.0.0.1/1, collected above) made `repair --cluster --apply` send half of
  // node2's egress into flannel.1 towards node1. Now the lease is refused: listed with its code on node2, node1 not
  // repaired from it, exit 1, and node2's routing table (the kernel's) unchanged.
  it("repair --cluster --apply: node1's forged subnet.env is refused, node2's routes are untouched", () => {
    const node2 = cluster.nodes[1];
    const routes = (): string => lab.ip(node2.netns, ['-4', '-j', 'route', 'show', 'table', 'main']);
    const before = routes();
    const r = runCli(['repair', '--cluster', out, '--journal-dir', join(ssh.dir, 'journal'), ...ssh.flanctlSshFlags(), '--apply', '--yes', '--json'], { prefix: ['ip', 'netns', 'exec', ssh.clientNs] });
    expect(r.status, r.stderr).toBe(1);
    expect(r.json.actions.map((a: { command: string }) => a.command).join('\n')).not.toContain('128.0.0.0/1');
    expect(r.json.skipped).toContainEqual(expect.objectContaining({ node: 'node2', target: 'node1', code: 'LEASE_SUBNET_UNSAFE' }));
    expect(r.json.skipped).toContainEqual(expect.objectContaining({ node: 'node1', code: 'LEASE_SUBNET_UNSAFE' }));
    expect(routes()).toBe(before);
    expect(lab.ip(node2.netns, ['route', 'show', '128.0.0.0/1'])).toBe('');
  });
});

describeNetns('collect --all --kube (real kubectl): a hostile flannel pod writes nothing outside DIR', () => {
  const lab = new Lab('hkub');
  const dir = mkdtempSync(join(tmpdir(), 'fct-hkube-'));
  let cluster: LabCluster;
  let api: FakeApi;
  let kubeconfig: string;
  const out = join(dir, 'out');

  beforeAll(async () => {
    cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 0 });
    const wrapper = writeWrapper(dir, hostileNames(out));
    const podNodes = new Map(cluster.nodes.map((n, i) => [n.name, { netns: n.netns, hostIp: n.ip, ...(i === 0 ? { wrapper: ['/bin/sh', wrapper] } : {}) }]));
    api = await startFakeApi({ nodesJson: nodesJson(cluster), podNodes });
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigFor(api.url));
  });
  afterAll(async () => {
    await api?.close();
    lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('node1 is collected from its real outputs; its bad sections are reported (20 listed, the rest counted), none written', async () => {
    // the API server runs in this process: the CLI runs asynchronously (runCli's spawnSync would starve it)
    const [node, ...cli] = cliEntry();
    const r = await execa(node, [...cli, 'collect', '--all', '--kube', '--kubeconfig', kubeconfig, '--context', 'fake', '--timeout', '30', '-o', out], { reject: false, env: WIDE });
    expectContained(r, out);
  });
});
