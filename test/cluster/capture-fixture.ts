// Captures fixtures/cluster/stale-vtep/: a 3-node namespace cluster where node1 still points node3's VTEP
// at an old MAC, collected exactly as `collect --all --ssh-hosts` does (real sshd, real ssh). Run as root:
//   npx tsx test/cluster/capture-fixture.ts
// The manifest's `reach` (temp key paths) is dropped: the fixture is for reading, not for repair --apply.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFlannelCluster, randomMac } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { SshLab } from './sshd.js';

const root = join(import.meta.dirname, '../..');
const target = join(root, 'fixtures/cluster/stale-vtep');
const lab = new Lab('cap');
const ssh = new SshLab(lab);
try {
  const cluster = buildFlannelCluster(lab, { nodes: 3, podsPerNode: 1 });
  ssh.addClient(cluster);
  for (const n of cluster.nodes) await ssh.start(n.netns, n.ip, n.name);
  const [node1, , node3] = cluster.nodes;
  const stale = randomMac();
  lab.ip(node1.netns, ['neigh', 'replace', '10.244.3.0', 'lladdr', stale, 'dev', 'flannel.1', 'nud', 'permanent']);
  lab.exec(node1.netns, ['bridge', 'fdb', 'del', node3.vtepMac, 'dev', 'flannel.1', 'dst', node3.ip, 'self']);
  lab.exec(node1.netns, ['bridge', 'fdb', 'replace', stale, 'dev', 'flannel.1', 'dst', node3.ip, 'self', 'permanent']);
  // traffic so the bridges have learnt their pods
  for (const n of cluster.nodes) lab.ping(n.pods[0].netns, cluster.nodes[1].pods[0].ip);
  const hosts = join(ssh.dir, 'inventory.ini');
  writeFileSync(hosts, ['[k8s]', ...cluster.nodes.map((n) => `${n.name} ansible_host=${n.ip} ansible_user=root`), ''].join('\n'));
  const out = join(ssh.dir, 'out');
  const flags = { output: out, 'ssh-hosts': hosts, 'ssh-identity': ssh.key, 'ssh-config': '/dev/null', 'ssh-option': ['StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'LogLevel=ERROR'], parallel: 3, timeout: 30 };
  const r = spawnSync('ip', ['netns', 'exec', ssh.clientNs, process.execPath, '--import', 'tsx', join(root, 'test/cluster/driver.ts'), JSON.stringify({ cmd: 'collect', flags })], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const manifest = JSON.parse(readFileSync(join(out, 'cluster.json'), 'utf8'));
  delete manifest.reach;
  writeFileSync(join(out, 'cluster.json'), JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(
    join(out, 'README.md'),
    [
      '# stale-vtep: a 3-node cluster where node1 has a stale view of node3',
      '',
      `Collected with \`collect --all --ssh-hosts\` (real sshd per namespace node) by test/cluster/capture-fixture.ts.`,
      `node1 resolves node3's VTEP 10.244.3.0 to ${stale} and forwards that MAC to ${node3.ip}; node3's flannel.1 is ${node3.vtepMac}.`,
      'Every other ordered pair is healthy. `raw/<node>/` holds the outputs exactly as the nodes printed them.',
      '',
    ].join('\n'),
  );
  rmSync(target, { recursive: true, force: true });
  cpSync(out, target, { recursive: true });
  console.log(`wrote ${target}`);
} finally {
  ssh.stop();
  lab.teardown();
}
