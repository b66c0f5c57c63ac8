import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { buildFlannelCluster, type LabCluster, programPeers } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { cli, type CycleEnv, repairCycle } from '../repair/netns-helpers.js';

const URL = 'http://127.0.0.1:2379';

// Leases from a REAL etcd (Debian's etcd-server 3.4) on the loopback of a lab namespace; flanctl runs inside that
// namespace so it reaches etcd, and reads node1 with --netns. flannel >= 0.18 keys through the v3 API, older
// flannel's through v2 under seed 003's /kube-centos/network prefix.
describeNetns('desired state from a real etcd (v3 and v2 API)', () => {
  const lab = new Lab('etd');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-etcd-'));
  let etcd: ChildProcess | undefined;
  let etcdTls: ChildProcess | undefined;
  let etcdNs: string;
  let cluster: LabCluster;
  let env: CycleEnv;

  const etcdctl = (api: '2' | '3', args: string[]): string => lab.exec(etcdNs, ['env', `ETCDCTL_API=${api}`, 'etcdctl', '--endpoints', URL, ...args]);
  const leaseValue = (i: number): string => {
    const n = cluster.nodes[i];
    return JSON.stringify({ PublicIP: n.ip, PublicIPv6: null, BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: n.vtepMac } });
  };
  const key = (n: LabCluster['nodes'][number]): string => n.subnet.replace('/', '-');

  beforeAll(async () => {
    cluster = buildFlannelCluster(lab, { nodes: 3, podsPerNode: 1 });
    etcdNs = lab.addNs('etcd');
    const dataDir = join(tmp, 'data');
    etcd = spawn(
      'ip',
      ['netns', 'exec', etcdNs, 'etcd', '--name', 'lab', '--data-dir', dataDir, '--listen-client-urls', URL, '--advertise-client-urls', URL, '--listen-peer-urls', 'http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380', '--initial-cluster', 'lab=http://127.0.0.1:2380', '--enable-v2=true'],
      { stdio: 'ignore' },
    );
    // wait until it answers (etcd needs a moment to elect itself)
    for (let i = 0; ; i++) {
      if (lab.tryExec(etcdNs, ['env', 'ETCDCTL_API=3', 'etcdctl', '--endpoints', URL, 'endpoint', 'health']).status === 0) break;
      if (i > 100) throw new Error('etcd did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    // flannel >= 0.18: v3 keys
    etcdctl('3', ['put', '/coreos.com/network/config', '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}']);
    cluster.nodes.forEach((n, i) => etcdctl('3', ['put', `/coreos.com/network/subnets/${key(n)}`, leaseValue(i)]));
    // older flannel: v2 keys, seed 003's prefix
    etcdctl('2', ['set', '/kube-centos/network/config', '{"Network":"10.244.0.0/16","SubnetLen":24,"Backend":{"Type":"vxlan"}}']);
    cluster.nodes.forEach((n, i) => etcdctl('2', ['set', `/kube-centos/network/subnets/${key(n)}`, leaseValue(i)]));
    const [n1, n2] = cluster.nodes;
    env = { lab, ns: n1.netns, nodesArgs: ['--etcd', URL], journalDir: join(tmp, 'journal'), fromPod: n1.pods[0].netns, toIp: n2.pods[0].ip, inNetns: etcdNs };
  });
  afterEach(() => programPeers(lab, cluster.nodes[0], cluster.nodes));
  afterAll(() => {
    etcd?.kill('SIGTERM');
    etcdTls?.kill('SIGTERM');
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('reads v3 leases; a deleted fdb entry is found and repaired', () => {
    const healthy = cli(['doctor', '--netns', env.ns, '--etcd', URL, '--json'], { inNetns: etcdNs });
    expect(healthy.status, healthy.stdout + healthy.stderr).toBe(0);
    expect(healthy.json.nodes[0].localLease).toMatchObject({ subnet: '10.244.1.0/24', source: 'etcd-v3' });
    expect(healthy.json.nodes[0].peers).toBe(2);
    const n2 = cluster.nodes[1];
    lab.exec(env.ns, ['bridge', 'fdb', 'del', n2.vtepMac, 'dev', 'flannel.1', 'dst', n2.ip, 'self']);
    repairCycle(env, 'FDB_MISSING', expect);
  });

  it('reads v2 leases under /kube-centos/network; a deleted route is found and repaired', () => {
    const v2 = { ...env, nodesArgs: ['--etcd', URL, '--etcd-prefix', '/kube-centos/network'] };
    const healthy = cli(['doctor', '--netns', env.ns, ...v2.nodesArgs, '--json'], { inNetns: etcdNs });
    expect(healthy.status, healthy.stdout + healthy.stderr).toBe(0);
    expect(healthy.json.nodes[0].localLease).toMatchObject({ subnet: '10.244.1.0/24', source: 'etcd-v2' });
    lab.ip(env.ns, ['route', 'del', '10.244.2.0/24']);
    repairCycle(v2, 'ROUTE_MISSING', expect);
  });

  it('TLS with a client certificate (--etcd-cafile/--etcd-certfile/--etcd-keyfile, as flanneld has them)', async () => {
    const pki = join(tmp, 'pki');
    const ssl = (args: string[]): void => void lab.exec(etcdNs, ['openssl', ...args]);
    lab.exec(etcdNs, ['mkdir', '-p', pki]);
    ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=flanctl-test-ca', '-keyout', `${pki}/ca.key`, '-out', `${pki}/ca.pem`]);
    for (const [name, ext] of [['server', 'subjectAltName=IP:127.0.0.1'], ['client', 'extendedKeyUsage=clientAuth']]) {
      ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${pki}/${name}.key`, '-out', `${pki}/${name}.csr`]);
      lab.exec(etcdNs, ['sh', '-c', `printf '%s\n' '${ext}' > ${pki}/${name}.ext`]);
      ssl(['x509', '-req', '-in', `${pki}/${name}.csr`, '-CA', `${pki}/ca.pem`, '-CAkey', `${pki}/ca.key`, '-CAcreateserial', '-days', '1', '-extfile', `${pki}/${name}.ext`, '-out', `${pki}/${name}.pem`]);
    }
    const tlsUrl = 'https://127.0.0.1:2479';
    etcdTls = spawn(
      'ip',
      ['netns', 'exec', etcdNs, 'etcd', '--name', 'tls', '--data-dir', join(tmp, 'data-tls'), '--listen-client-urls', tlsUrl, '--advertise-client-urls', tlsUrl, '--listen-peer-urls', 'http://127.0.0.1:2480', '--initial-advertise-peer-urls', 'http://127.0.0.1:2480', '--initial-cluster', 'tls=http://127.0.0.1:2480', '--cert-file', `${pki}/server.pem`, '--key-file', `${pki}/server.key`, '--trusted-ca-file', `${pki}/ca.pem`, '--client-cert-auth'],
      { stdio: 'ignore' },
    );
    const ctl = ['env', 'ETCDCTL_API=3', 'etcdctl', '--endpoints', tlsUrl, '--cacert', `${pki}/ca.pem`, '--cert', `${pki}/client.pem`, '--key', `${pki}/client.key`];
    for (let i = 0; lab.tryExec(etcdNs, [...ctl, 'endpoint', 'health']).status !== 0; i++) {
      if (i > 100) throw new Error('etcd (TLS) did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    cluster.nodes.forEach((n, i) => lab.exec(etcdNs, [...ctl, 'put', `/coreos.com/network/subnets/${key(n)}`, leaseValue(i)]));
    const tls = ['--etcd', tlsUrl, '--etcd-cafile', `${pki}/ca.pem`, '--etcd-certfile', `${pki}/client.pem`, '--etcd-keyfile', `${pki}/client.key`];
    const ok = cli(['doctor', '--netns', env.ns, ...tls, '--json'], { inNetns: etcdNs });
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.json.nodes[0].peers).toBe(2);
    // without the client certificate etcd refuses the handshake
    const refused = cli(['doctor', '--netns', env.ns, '--etcd', tlsUrl, '--etcd-cafile', `${pki}/ca.pem`], { inNetns: etcdNs });
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(/cannot read etcd/);
  });

  it('an empty prefix is a usage error naming the prefix', () => {
    const r = cli(['doctor', '--netns', env.ns, '--etcd', URL, '--etcd-prefix', '/nothing/here'], { inNetns: etcdNs });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no keys under \/nothing\/here/);
  });
});
