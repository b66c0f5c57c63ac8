import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type FakeApi, kubeconfigFor, startFakeApi } from '../cluster/kube-api.js';
import { buildDualStackCluster, type DualCluster, type DualNode, dualNodeObject, programPeers6 } from '../netns/flannel-cluster-v6.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { type CliResult, cliEntry, ROOT } from '../collect/cli.js';
import { codes } from '../repair/netns-helpers.js';

const URL = 'http://127.0.0.1:2379';
const NET_CONF = { EnableIPv4: false, EnableIPv6: true, IPv6Network: 'fd00:10:244::/56', Backend: { Type: 'vxlan' } };

// Issue 12: a v6-only cluster's leases read live, not from a file. The v6-only lab's Nodes served by the kube API
// stand-in (the real kubectl, --kube) with the net-conf EnableIPv4 false; and the same leases in a real etcd (v3 API)
// as flanneld writes them with EnableIPv4 false: key MakeSubnetKey(empty IP4Net, sn6) = "0.0.0.0-0&fd00:10:244:N::-64",
// value LeaseAttrs with PublicIP "0.0.0.0" (ip.IP4's zero value), PublicIPv6, BackendV6Data and no BackendData.
// doctor and trace on node1 (--netns): healthy -> no finding and trace ok; node2's v6 neigh deleted -> NEIGH_MISSING.
describeNetns('a v6-only cluster read live through --kube and --etcd (netns lab)', () => {
  const lab = new Lab('v6l');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-v6live-'));
  let cluster: DualCluster;
  let n1: DualNode;
  let n2: DualNode;
  let api: FakeApi;
  let etcd: ChildProcess | undefined;
  let etcdNs: string;
  let kubeArgs: string[];

  // asynchronous: the kube API stand-in answers from this process, which a spawnSync would block
  const cli = async (args: string[], o: { inNetns?: string }): Promise<CliResult> => {
    const argv = [...(o.inNetns ? ['ip', 'netns', 'exec', o.inNetns] : []), ...cliEntry(), ...args];
    const r = await execa(argv[0], argv.slice(1), { cwd: ROOT, reject: false, timeout: 60_000 });
    return { status: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, json: JSON.parse(r.stdout || 'null') };
  };
  const etcdKey = (n: DualNode): string => `/coreos.com/network/subnets/0.0.0.0-0&${n.subnet6.replace('/', '-')}`;
  const etcdValue = (n: DualNode): string =>
    JSON.stringify({ PublicIP: '0.0.0.0', PublicIPv6: n.ip6, BackendType: 'vxlan', BackendV6Data: { VNI: 1, VtepMAC: n.vtepMac6 } });
  const sources: [string, () => string[], () => string | undefined, string][] = [
    ['--kube', () => kubeArgs, () => undefined, 'kube'],
    ['--etcd', () => ['--etcd', URL], () => etcdNs, 'etcd-v3'],
  ];

  beforeAll(async () => {
    cluster = buildDualStackCluster(lab, { nodes: 2, podsPerNode: 1, family: 'v6' });
    [n1, n2] = cluster.nodes;
    api = await startFakeApi({
      nodesJson: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: cluster.nodes.map(dualNodeObject) }),
      podNodes: new Map(cluster.nodes.map((n) => [n.name, { netns: n.netns, hostIp: n.ip6 }])),
      netConf: NET_CONF,
    });
    writeFileSync(join(tmp, 'kubeconfig'), kubeconfigFor(api.url));
    kubeArgs = ['--kube', '--kubeconfig', join(tmp, 'kubeconfig'), '--context', 'fake'];
    // etcd (Debian's etcd-server) on the loopback of its own lab namespace; flanctl runs there to reach it
    etcdNs = lab.addNs('etcd');
    etcd = spawn(
      'ip',
      ['netns', 'exec', etcdNs, 'etcd', '--name', 'lab', '--data-dir', join(tmp, 'data'), '--listen-client-urls', URL, '--advertise-client-urls', URL, '--listen-peer-urls', 'http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380', '--initial-cluster', 'lab=http://127.0.0.1:2380'],
      { stdio: 'ignore' },
    );
    const etcdctl = (args: string[]) => lab.tryExec(etcdNs, ['env', 'ETCDCTL_API=3', 'etcdctl', '--endpoints', URL, ...args]);
    for (let i = 0; etcdctl(['endpoint', 'health']).status !== 0; i++) {
      if (i > 100) throw new Error('etcd did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const put = (key: string, value: string): void => expect(etcdctl(['put', key, value]).status).toBe(0);
    put('/coreos.com/network/config', JSON.stringify(NET_CONF));
    for (const n of cluster.nodes) put(etcdKey(n), etcdValue(n));
  });
  afterEach(() => programPeers6(lab, n1, cluster.nodes));
  afterAll(async () => {
    etcd?.kill('SIGTERM');
    await api?.close();
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  for (const [name, args, inNetns, source] of sources) {
    it(`${name}: healthy -> doctor has no finding, trace to node2's v6 pod is ok through flannel-v6.1`, async () => {
      const doctor = await cli(['doctor', '--netns', n1.netns, ...args(), '--json'], { inNetns: inNetns() });
      expect(doctor.status, doctor.stderr + doctor.stdout).toBe(0);
      expect(codes(doctor)).toEqual([]);
      expect(doctor.json.nodes[0].peers).toBe(1);
      // the lease came from the live source, its v6 half alone
      expect(doctor.json.nodes[0].localLease).toMatchObject({ source, subnet6: n1.subnet6, publicIpv6: n1.ip6, vtepMac6: n1.vtepMac6 });
      expect(doctor.json.nodes[0].localLease.subnet).toBeUndefined();
      // the net-conf came live too (the kube-flannel-cfg ConfigMap, etcd's <prefix>/config): IPv4 checks not applicable by it
      const skipped = (doctor.json.skipped as { check: string; reason: string }[]).filter((x) => x.check === 'vxlan device');
      expect(skipped.map((x) => x.reason)).toEqual(['not applicable: an IPv6-only node (net-conf.json EnableIPv4: false)']);
      const trace = await cli(['trace', n2.pods[0].ip6, '--netns', n1.netns, ...args(), '--json'], { inNetns: inNetns() });
      expect(trace.status, trace.stderr + trace.stdout).toBe(0);
      expect(trace.json).toMatchObject({ ok: true, family: 'v6', targetNode: { ip: n2.ip6, vtepMac: n2.vtepMac6, subnet: n2.subnet6 } });
      expect((trace.json.hops as { device: string }[]).some((h) => h.device === 'flannel-v6.1')).toBe(true);
    });

    it(`${name}: node2's v6 neighbour deleted on node1 -> NEIGH_MISSING in doctor and trace`, async () => {
      lab.ip(n1.netns, ['-6', 'neigh', 'del', n2.subnet6.split('/')[0], 'dev', 'flannel-v6.1']);
      const doctor = await cli(['doctor', '--netns', n1.netns, ...args(), '--json'], { inNetns: inNetns() });
      expect(doctor.status, doctor.stderr + doctor.stdout).toBe(1);
      expect(codes(doctor)).toEqual(['NEIGH_MISSING']);
      const trace = await cli(['trace', n2.pods[0].ip6, '--netns', n1.netns, ...args(), '--json'], { inNetns: inNetns() });
      expect(trace.status, trace.stderr + trace.stdout).toBe(1);
      expect(trace.json.ok).toBe(false);
      const broken = (trace.json.hops as { step: string; ok: boolean | null; problem?: string; problems?: string[] }[]).filter((h) => h.ok === false);
      expect(broken.map((h) => [h.step, h.problems ?? [h.problem]])).toEqual([['neigh', ['NEIGH_MISSING']]]);
    });
  }
});
