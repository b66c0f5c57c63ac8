// A malformed IPv6 address in every IPv6 input (issue 12, error discipline): Node annotations and podCIDRs, an etcd
// lease value and key, a nodes file (JSON and grep'd annotation lines), subnet.env (in a directory and as
// --subnet-env), and `ip -6` / `bridge` outputs saved as text or JSON. Each is a problem naming the value, a warning
// naming file and line (the rest of the input still read), or a one-line error with exit 2 — never a crash or a
// stack trace. The bad values are written here by hand: `fd00:56::1::13` has two `::`, which RFC 4291 forbids.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leasesFromEtcd } from '../../src/leases/etcd-keys.js';
import { parseNodesJson } from '../../src/leases/kube.js';
import { expectOneLineError, runCli } from './cli.js';

const A = 'flannel.alpha.coreos.com';
const BAD = 'fd00:56::1::13';
const node = (ann: Record<string, string>, podCIDRs = ['10.244.3.0/24', 'fd00:10:244:3::/64']): object => ({
  kind: 'Node',
  metadata: { name: 'node3', annotations: { [`${A}/kube-subnet-manager`]: 'true', [`${A}/backend-type`]: 'vxlan', [`${A}/public-ip`]: '192.168.56.13', [`${A}/backend-data`]: '{"VNI":1,"VtepMAC":"4e:9d:22:aa:10:03"}', [`${A}/backend-v6-data`]: '{"VNI":1,"VtepMAC":"6a:11:22:33:44:55"}', ...ann } },
  spec: { podCIDR: podCIDRs[0], podCIDRs },
});
const etcdValue = (publicIpv6: string): string => JSON.stringify({ PublicIP: '192.168.56.13', PublicIPv6: publicIpv6, BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: '4e:9d:22:aa:10:03' }, BackendV6Data: { VNI: 1, VtepMAC: '6a:11:22:33:44:55' } });

describe('leases: the IPv6 half with a malformed address is a problem naming it; the IPv4 lease stays', () => {
  it.each([
    ['annotation public-ipv6', node({ [`${A}/public-ipv6`]: BAD }), 'LEASE_BAD_PUBLIC_IP', BAD],
    ['podCIDRs IPv6 entry', node({ [`${A}/public-ipv6`]: 'fd00:56::13' }, ['10.244.3.0/24', 'fd00:10:244:3::1::/64']), 'LEASE_BAD_SUBNET', 'fd00:10:244:3::1::/64'],
  ])('%s', (_what, n, code, value) => {
    const d = parseNodesJson(JSON.stringify({ items: [n] }));
    expect(d.leases.map((l) => l.subnet)).toEqual(['10.244.3.0/24']);
    expect(d.problems.map((p) => p.code)).toEqual([code]);
    expect(d.problems[0].summary).toContain(JSON.stringify(value));
  });

  it.each([
    ['etcd value PublicIPv6', '10.244.3.0-24&fd00:10:244:3::-64', etcdValue(BAD), 'LEASE_BAD_PUBLIC_IP', BAD],
    ['etcd key IPv6 part', '10.244.3.0-24&fd00:10:244:3::1::-64', etcdValue('fd00:56::13'), 'LEASE_BAD_SUBNET', 'fd00:10:244:3::1::/64'],
  ])('%s', (_what, key, value, code, bad) => {
    const d = leasesFromEtcd('/coreos.com/network', [{ key: `/coreos.com/network/subnets/${key}`, value }], 'etcd-v3');
    expect(d.leases.map((l) => l.subnet)).toEqual(['10.244.3.0/24']);
    expect(d.problems.map((p) => p.code)).toEqual([code]);
    expect(d.problems[0].summary).toContain(JSON.stringify(bad));
    // the key the value was read from is the evidence
    expect(d.problems[0].evidence).toContain(`/coreos.com/network/subnets/${key}`);
  });
});

describe('the CLI on malformed IPv6 inputs', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fct-bad6-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const NODE_DIR = 'fixtures/doctor/vxlan-node1';
  const noStack = (stderr: string): void => expect(stderr).not.toMatch(/^\s+at /m);

  it.each([
    ['kubectl get nodes -o json', JSON.stringify({ kind: 'List', items: [node({ [`${A}/public-ipv6`]: BAD })] })],
    ["grep'd annotation lines", `${A}/backend-type: vxlan\n${A}/public-ip: 192.168.56.13\n${A}/public-ipv6: ${BAD}\n${A}/backend-data: {"VNI":1,"VtepMAC":"4e:9d:22:aa:10:03"}\n`],
  ])('--nodes with %s: doctor runs, the problem names the value, one JSON document', (_what, text) => {
    const file = join(tmp, `nodes-${_what.length}.txt`);
    writeFileSync(file, text);
    const r = runCli(['doctor', '--from-dir', NODE_DIR, '--nodes', file, '--json']);
    expect([0, 1], r.stderr).toContain(r.status);
    noStack(r.stderr);
    expect(JSON.stringify(r.json)).toContain(BAD);
  });

  it('--subnet-env with a malformed FLANNEL_IPV6_SUBNET: one line naming the line, exit 2', () => {
    const file = join(tmp, 'subnet.env');
    writeFileSync(file, 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_IPV6_SUBNET=fd00:10:244:1::1::1/64\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
    const r = runCli(['doctor', '--from-dir', NODE_DIR, '--subnet-env', file]);
    expect(r.status).toBe(2);
    expect(expectOneLineError(r)).toMatch(/line 3.*fd00:10:244:1::1::1\/64/);
  });

  // one good line and one bad line per output, as iproute2 prints them, and the bad one's line number
  const saved: [file: string, text: string, bad: string, good: string, line?: number][] = [
    [
      'ip-addr.txt',
      '2: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n    inet6 fd00:56::1::11/64 scope global nodad\n       valid_lft forever preferred_lft forever\n    inet6 fd00:56::11/64 scope global nodad\n       valid_lft forever preferred_lft forever\n',
      'fd00:56::1::11',
      'fd00:56::11',
      3,
    ],
    ['ip-route6.txt', 'fd00:10:244:2::/64 via fd00:10:244:2:: dev flannel-v6.1 metric 1024 onlink pref medium\nfd00:10:244:3::1::/64 via fd00:10:244:3:: dev flannel-v6.1 metric 1024 onlink pref medium\n', 'fd00:10:244:3::1::/64', 'fd00:10:244:2::/64'],
    ['ip-neigh.txt', 'fd00:10:244:2:: dev flannel-v6.1 lladdr 8a:1c:3f:5e:66:02 PERMANENT\nfd00:10:244::3::1 dev flannel-v6.1 lladdr 8a:1c:3f:5e:66:03 PERMANENT\n', 'fd00:10:244::3::1', 'fd00:10:244:2::'],
    ['bridge-fdb.txt', '8a:1c:3f:5e:66:02 dev flannel-v6.1 dst fd00:56::12 self permanent\n8a:1c:3f:5e:66:03 dev flannel-v6.1 dst fd00:56::1::13 self permanent\n', BAD, 'fd00:56::12'],
    ['subnet.env', 'FLANNEL_IPV6_NETWORK=fd00:10:244::/56\nFLANNEL_IPV6_SUBNET=fd00:10:244:1::1::1/64\nFLANNEL_NETWORK=10.244.0.0/16\n', 'fd00:10:244:1::1::1/64', 'fd00:10:244::/56'],
  ];
  for (const [file, text, bad, good, line = 2] of saved) {
    it(`${file} with a malformed IPv6 line: doctor and collect warn with file:${line}, keep the good line`, () => {
      const dir = join(tmp, `dir-${file}`);
      mkdirSync(dir);
      writeFileSync(join(dir, file), text);
      for (const args of [['doctor', '--from-dir', dir, '--json'], ['collect', '--from-dir', dir, '-o', join(tmp, `${file}.json`)]]) {
        const r = runCli(args);
        expect([0, 1], `${args[0]}: ${r.stderr}`).toContain(r.status);
        noStack(r.stderr);
        const warnings = r.stderr.split('\n').filter((l) => l.startsWith('flanctl: warning:'));
        expect(warnings, args[0]).toEqual([`flanctl: warning: ${join(dir, file)}:${line}: skipped: ${warnings[0]?.split(': skipped: ')[1]}`]);
        expect(warnings[0]).toContain(JSON.stringify(bad));
      }
      const snapshot = readFileSync(join(tmp, `${file}.json`), 'utf8');
      expect(snapshot).toContain(`"${good}"`);
      expect(snapshot).not.toContain(bad);
    });
  }

  it('`ip -6 -j route` saved with a malformed dst: the JSON document is refused in one line, exit 2', () => {
    const dir = join(tmp, 'json');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ip-route6.txt'), JSON.stringify([{ dst: 'fd00:10:244:2::/64', gateway: 'fd00:10:244:2::', dev: 'flannel-v6.1', flags: ['onlink'] }, { dst: 'fd00:10:244:3::1::/64', gateway: 'fd00:10:244:3::', dev: 'flannel-v6.1', flags: ['onlink'] }]));
    const r = runCli(['doctor', '--from-dir', dir]);
    expect(r.status).toBe(2);
    expect(expectOneLineError(r)).toContain('"fd00:10:244:3::1::/64"');
  });
});
