import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leasesFromEtcd, normalizePrefix, subnetFromKey } from '../../src/leases/etcd-keys.js';
import { parseEndpoints, v2Kvs, v3Kvs } from '../../src/leases/etcd.js';
import { loadDesiredState } from '../../src/leases/index.js';
import { parseFlannelConfigMaps, parseNodesJson } from '../../src/leases/kube.js';
import { ParseError, UsageError } from '../../src/errors.js';
import { Lease } from '../../src/model/lease-schema.js';
import { kubeconfigFor, startFakeApi } from '../cluster/kube-api.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/leases/${name}`, import.meta.url), 'utf8');

describe('parseNodesJson', () => {
  // Read from nodes-mixed.json's annotations and podCIDRs, and the cases its README sets out.
  it('reads every flannel annotation and turns bad ones into problems', () => {
    const { leases, problems } = parseNodesJson(fixture('nodes-mixed.json'));
    const byNode = new Map(leases.map((l) => [l.node, l]));
    // node1: backend-data {"VNI":1,"VtepMAC":"8A:1C:3F:5E:77:01"}, public-ip 192.168.56.11, podCIDR 10.244.1.0/24
    expect(byNode.get('node1')).toMatchObject({ subnet: '10.244.1.0/24', publicIp: '192.168.56.11', backendType: 'vxlan', vni: 1, vtepMac: '8a:1c:3f:5e:77:01' });
    // node3: podCIDRs [10.244.3.0/24, fd00:10:244:3::/64], VtepMAC 4e:9d:22:aa:10:03
    expect(byNode.get('node3')).toMatchObject({ subnet: '10.244.3.0/24', subnet6: 'fd00:10:244:3::/64', vtepMac: '4e:9d:22:aa:10:03' });
    // node7: host-gw, backend-data null, on node1's podCIDR
    expect(byNode.get('node7')).toMatchObject({ subnet: '10.244.1.0/24', publicIp: '192.168.56.17', backendType: 'host-gw' });
    expect(byNode.get('node7')).not.toHaveProperty('vtepMac');
    // windows-1 has no flannel annotations, node6 no podCIDR, node8 no kube-subnet-manager: none is a lease
    expect([...byNode.keys()].filter((n) => ['windows-1', 'node6', 'node8'].includes(n!))).toEqual([]);
    expect(problems.map((p) => `${p.code} ${p.node ?? ''}`.trim()).sort()).toEqual(
      [
        'LEASE_OVERWRITE_PENDING node3', // public-ip-overwrite 203.0.113.7, public-ip still 10.0.2.15
        'LEASE_BAD_BACKEND_DATA node4', // backend-data cut off inside the VtepMAC string
        'LEASE_NOT_FLANNEL windows-1',
        'LEASE_NO_SUBNET node6',
        'LEASE_NOT_KUBE_SUBNET_MANAGER node8',
        'LEASE_DUPLICATE_SUBNET', // 10.244.1.0/24: node1 and node7
      ].sort(),
    );
    expect(problems.find((p) => p.code === 'LEASE_DUPLICATE_SUBNET')?.summary).toMatch(/node1.*node7/);
  });

  // A v6-only node as flanneld (EnableIPv4 false, EnableIPv6 true) annotates it in pkg/subnet/kube: backend-v6-data
  // and public-ipv6, no backend-data / public-ip, and the controller-manager's podCIDR(s) an IPv6 prefix alone.
  it('an IPv6-only Node is a lease with its IPv6 part alone; the dual-stack one beside it keeps both', () => {
    const ann = (extra: Record<string, string>) => ({ 'flannel.alpha.coreos.com/kube-subnet-manager': 'true', 'flannel.alpha.coreos.com/backend-type': 'vxlan', ...extra });
    const v6only = {
      kind: 'Node',
      metadata: { name: 'v6node', annotations: ann({ 'flannel.alpha.coreos.com/backend-v6-data': '{"VNI":1,"VtepMAC":"8a:1c:3f:5e:66:03"}', 'flannel.alpha.coreos.com/public-ipv6': 'fd00:56::13' }) },
      spec: { podCIDR: 'fd00:10:244:3::/64', podCIDRs: ['fd00:10:244:3::/64'] },
      status: { addresses: [{ type: 'InternalIP', address: 'fd00:56:0::13' }, { type: 'Hostname', address: 'v6node' }] },
    };
    const dual = {
      kind: 'Node',
      metadata: { name: 'dual', annotations: ann({ 'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"8a:1c:3f:5e:77:01"}', 'flannel.alpha.coreos.com/public-ip': '192.168.56.11' }) },
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24', 'fd00:10:244:1::/64'] },
    };
    const { leases, problems } = parseNodesJson(JSON.stringify({ items: [v6only, dual] }));
    expect(problems).toEqual([]);
    const v6 = leases.find((l) => l.node === 'v6node');
    // the annotations above, the InternalIP in RFC 5952 form; no IPv4 field at all
    expect(v6).toEqual({ node: 'v6node', backendType: 'vxlan', source: 'nodes-file', subnet6: 'fd00:10:244:3::/64', publicIpv6: 'fd00:56::13', vni6: 1, vtepMac6: '8a:1c:3f:5e:66:03', addresses: ['fd00:56::13'] });
    expect(Lease.safeParse(v6).success).toBe(true);
    expect(leases.find((l) => l.node === 'dual')).toMatchObject({ subnet: '10.244.1.0/24', publicIp: '192.168.56.11', subnet6: 'fd00:10:244:1::/64' });
  });

  it('an IPv6-only Node without public-ipv6 is no lease: LEASE_BAD_PUBLIC_IP names it', () => {
    const node = {
      kind: 'Node',
      metadata: { name: 'v6node', annotations: { 'flannel.alpha.coreos.com/kube-subnet-manager': 'true', 'flannel.alpha.coreos.com/backend-type': 'vxlan', 'flannel.alpha.coreos.com/backend-v6-data': '{"VNI":1,"VtepMAC":"8a:1c:3f:5e:66:03"}' } },
      spec: { podCIDRs: ['fd00:10:244:3::/64'] },
    };
    const { leases, problems } = parseNodesJson(JSON.stringify(node));
    expect(leases).toEqual([]);
    expect(problems.map((p) => `${p.code} ${p.node}`)).toEqual(['LEASE_BAD_PUBLIC_IP v6node']);
    // a malformed public-ipv6 is the same code, with the value
    const bad = parseNodesJson(JSON.stringify({ ...node, metadata: { ...node.metadata, annotations: { ...node.metadata.annotations, 'flannel.alpha.coreos.com/public-ipv6': 'fd00::1::2' } } }));
    expect(bad.leases).toEqual([]);
    expect(bad.problems.map((p) => p.code)).toEqual(['LEASE_BAD_PUBLIC_IP']);
    expect(bad.problems[0].summary).toContain('fd00::1::2');
  });

  it('the Lease schema takes either family and rejects a lease with neither', () => {
    expect(Lease.safeParse({ backendType: 'vxlan', subnet: '10.244.1.0/24', publicIp: '192.168.56.11' }).success).toBe(true);
    expect(Lease.safeParse({ backendType: 'vxlan', subnet6: 'fd00:10:244:1::/64', publicIpv6: 'fd00:56::11' }).success).toBe(true);
    expect(Lease.safeParse({ backendType: 'vxlan', node: 'n1' }).success).toBe(false);
    // half a family is not one: a subnet without its public IP
    expect(Lease.safeParse({ backendType: 'vxlan', subnet: '10.244.1.0/24', subnet6: 'fd00:10:244:1::/64' }).success).toBe(false);
  });

  it('accepts one Node (kubectl get node X -o json)', () => {
    const list = JSON.parse(fixture('nodes-mixed.json'));
    const one = parseNodesJson(JSON.stringify(list.items[0]));
    expect(one.leases.map((l) => [l.node, l.subnet, l.vtepMac])).toEqual([['node1', '10.244.1.0/24', '8a:1c:3f:5e:77:01']]);
    // the other nodes' leases are not in it (test/leases/one-node.test.ts: what doctor and repair make of that)
    expect(one.incomplete).toBe('one Node object, not `kubectl get nodes`');
    expect(parseNodesJson(fixture('nodes-mixed.json')).incomplete).toBeUndefined();
  });

  it('refuses what is not kubectl output with a ParseError', () => {
    expect(() => parseNodesJson('not json')).toThrow(ParseError);
    expect(() => parseNodesJson('{"kind":"Pod","spec":{}}')).toThrow(ParseError);
  });

  it('never throws on any annotation value (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (data, type, ip, cidr) => {
        const doc = {
          items: [{ kind: 'Node', metadata: { name: 'n', annotations: { 'flannel.alpha.coreos.com/kube-subnet-manager': 'true', 'flannel.alpha.coreos.com/backend-data': data, 'flannel.alpha.coreos.com/backend-type': type, 'flannel.alpha.coreos.com/public-ip': ip } }, spec: { podCIDR: cidr } }],
        };
        const r = parseNodesJson(JSON.stringify(doc));
        // either a lease with validated values or a problem saying why not
        expect(r.leases.length + r.problems.length).toBeGreaterThan(0);
        for (const l of r.leases) {
          expect(l.subnet).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
          if (l.vtepMac) expect(l.vtepMac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        }
      }),
    );
  });
});

describe('parseFlannelConfigMaps', () => {
  const cm = (netConf: string): string => JSON.stringify({ kind: 'List', items: [{ kind: 'ConfigMap', metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel' }, data: { 'cni-conf.json': '{}', 'net-conf.json': netConf } }] });

  it("reads the manifest's net-conf.json", () => {
    const r = parseFlannelConfigMaps(cm('{\n  "Network": "10.244.0.0/16",\n  "EnableNFTables": false,\n  "Backend": {\n    "Type": "vxlan", "DirectRouting": true\n  }\n}\n'));
    expect(r.netConf).toMatchObject({ Network: '10.244.0.0/16', Backend: { Type: 'vxlan', DirectRouting: true } });
    expect(r.problem).toBeUndefined();
  });

  it('a missing or broken ConfigMap is a problem, not a crash', () => {
    expect(parseFlannelConfigMaps('{"items":[]}').problem?.code).toBe('LEASE_NO_CONFIG');
    expect(parseFlannelConfigMaps(cm('{"Network": ')).problem?.code).toBe('LEASE_BAD_CONFIG');
    expect(parseFlannelConfigMaps('not json').problem?.code).toBe('LEASE_BAD_CONFIG');
  });
});

describe('etcd keys', () => {
  it('reads the v2 layout of seed 003 (/kube-centos/network, host-gw)', () => {
    const state = leasesFromEtcd('/kube-centos/network/', v2Kvs(JSON.parse(fixture('etcd-v2-kube-centos.json'))), 'etcd-v2');
    expect(state.netConf?.Network).toBe('172.33.0.0/16');
    expect(state.leases.map((l) => [l.subnet, l.publicIp, l.backendType])).toEqual([
      ['172.33.68.0/24', '172.17.8.101', 'host-gw'],
      ['172.33.31.0/24', '172.17.8.102', 'host-gw'],
      ['172.33.96.0/24', '172.17.8.103', 'host-gw'],
    ]);
    expect(state.problems).toEqual([]);
  });

  it('decodes v3 base64 and reads dual-stack keys, bad values as problems', () => {
    const b = (s: string): string => Buffer.from(s).toString('base64');
    const kvs = v3Kvs({
      kvs: [
        { key: b('/coreos.com/network/config'), value: b('{"Network":"10.244.0.0/16","Backend":{"Type":"VxLAN","Directrouting":"true"}}') },
        { key: b('/coreos.com/network/subnets/10.244.3.0-24&fd00:10:244:3::-64'), value: b('{"PublicIP":"192.168.56.13","PublicIPv6":null,"BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"4e:9d:22:aa:10:03"}}') },
        { key: b('/coreos.com/network/subnets/10.244.4.0-24'), value: b('{"PublicIP":"192.168.56.14","BackendData":{"VtepMAC":"4e:9d:22:aa:10:04"}}') },
        { key: b('/coreos.com/network/subnets/10.244.5.0-24'), value: b('{"PublicIP":"192.168.56.15",') },
        { key: b('/coreos.com/network/subnets/garbage'), value: b('{}') },
      ],
    });
    const state = leasesFromEtcd('/coreos.com/network', kvs, 'etcd-v3');
    expect(state.leases.map((l) => [l.subnet, l.publicIp, l.backendType, l.vtepMac])).toEqual([
      ['10.244.3.0/24', '192.168.56.13', 'vxlan', '4e:9d:22:aa:10:03'],
      // no BackendType: the config's (seed 001 spells it "VxLAN")
      ['10.244.4.0/24', '192.168.56.14', 'vxlan', '4e:9d:22:aa:10:04'],
    ]);
    expect(state.problems.map((p) => p.code)).toEqual(['LEASE_BAD_VALUE', 'LEASE_BAD_KEY']);
  });

  // flannel's MakeSubnetKey(sn, sn6) with EnableIPv4 false writes the empty IP4Net ("0.0.0.0-0") before "&", and
  // LeaseAttrs.PublicIP (ip.IP4, MarshalJSON `"%s"`) as "0.0.0.0"; ParseSubnetKey's regex requires that v4 part
  it('reads a v6-only lease key (0.0.0.0-0&<v6>-<len>) with PublicIPv6 and no IPv4 public IP, over v2 and v3', () => {
    const key = '/coreos.com/network/subnets/0.0.0.0-0&fd00:10:244:3::-64';
    const value = '{"PublicIP":"0.0.0.0","PublicIPv6":"fd00:56::13","BackendType":"vxlan","BackendV6Data":{"VNI":1,"VtepMAC":"8a:1c:3f:5e:66:03"}}';
    const b = (t: string): string => Buffer.from(t).toString('base64');
    const v3 = leasesFromEtcd('/coreos.com/network', v3Kvs({ kvs: [{ key: b(key), value: b(value) }] }), 'etcd-v3');
    const v2 = leasesFromEtcd('/coreos.com/network', v2Kvs({ node: { dir: true, nodes: [{ key, value }] } }), 'etcd-v2');
    for (const state of [v3, v2]) {
      expect(state.problems).toEqual([]);
      expect(state.leases).toEqual([{ node: 'fd00:10:244:3::/64', backendType: 'vxlan', source: state === v3 ? 'etcd-v3' : 'etcd-v2', subnet6: 'fd00:10:244:3::/64', publicIpv6: 'fd00:56::13', vni6: 1, vtepMac6: '8a:1c:3f:5e:66:03' }]);
    }
    // without PublicIPv6 the v6-only lease has nothing to program: a problem, no lease (and no crash on a bad one)
    for (const bad of ['{"PublicIP":"0.0.0.0","BackendType":"vxlan"}', '{"PublicIP":"0.0.0.0","PublicIPv6":"fd00::1::2"}']) {
      const state = leasesFromEtcd('/coreos.com/network', [{ key, value: bad }], 'etcd-v2');
      expect(state.leases).toEqual([]);
      expect(state.problems.map((p) => p.code)).toEqual(['LEASE_BAD_PUBLIC_IP']);
    }
  });

  it('normalises prefixes and keys', () => {
    expect(normalizePrefix('coreos.com/network/')).toBe('/coreos.com/network');
    expect(subnetFromKey('10.244.3.0-24')).toBe('10.244.3.0/24');
    expect(subnetFromKey('10.244.3.0-33')).toBeUndefined();
    expect(subnetFromKey('10.244.3.0')).toBeUndefined();
  });

  it('validates endpoints before any connection', () => {
    expect(parseEndpoints('127.0.0.1:2379,https://e:2379').map((u) => u.origin)).toEqual(['http://127.0.0.1:2379', 'https://e:2379']);
    expect(() => parseEndpoints('ftp://x')).toThrow(UsageError);
    expect(() => parseEndpoints(' , ')).toThrow(UsageError);
  });
});

describe('loadDesiredState', () => {
  it('is undefined without a source and refuses two sources', async () => {
    await expect(loadDesiredState({})).resolves.toBeUndefined();
    await expect(loadDesiredState({ nodes: 'x', etcd: 'http://127.0.0.1:1' })).rejects.toThrow(UsageError);
  });

  it('says which --nodes file it cannot read', async () => {
    await expect(loadDesiredState({ nodes: '/nonexistent/nodes.json' })).rejects.toThrow(/--nodes \/nonexistent\/nodes.json: no such file/);
  });

  it('--kube: kubectl failing is an environment error; option-looking values never reach it', async () => {
    await expect(loadDesiredState({ kube: true, kubeconfig: '/nonexistent/kubeconfig' })).rejects.toMatchObject({ exitCode: 3, message: /cannot get nodes with kubectl/ });
    await expect(loadDesiredState({ kube: true, context: '--insecure-skip-tls-verify' })).rejects.toThrow(UsageError);
  });

  it('--kube runs the real kubectl (--kubeconfig/--context honoured) against an API server and reads nodes + ConfigMap', async () => {
    // a local API server with recorded responses (test/cluster/kube-api.ts); the kubeconfig's current context points
    // at a dead cluster, so only an honoured --context reaches the server
    const api = await startFakeApi({ nodesJson: fixture('nodes-mixed.json'), podNodes: new Map(), flannelConfigMap: true });
    const dir = mkdtempSync(join(tmpdir(), 'flanctl-kubectl-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigFor(api.url).replace(/(- name: other\n {2}context:\n {4}cluster: )fake/, '$1dead').replace('clusters:\n', 'clusters:\n- name: dead\n  cluster:\n    server: http://127.0.0.1:1\n'));
    try {
      const state = await loadDesiredState({ kube: true, kubeconfig, context: 'fake' });
      expect(state?.leases.map((l) => [l.node, l.source])).toContainEqual(['node1', 'kube']);
      expect(state?.netConf?.Network).toBe('10.244.0.0/16');
      expect(api.requests.find((r) => r.startsWith('GET /api/v1/nodes'))).toBeDefined();
      expect(api.requests.find((r) => r.startsWith('GET /api/v1/configmaps'))).toMatch(/fieldSelector=metadata\.name%3Dkube-flannel-cfg/);
      await expect(loadDesiredState({ kube: true, kubeconfig })).rejects.toMatchObject({ exitCode: 3 });
    } finally {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with an environment error when no etcd answers', async () => {
    await expect(loadDesiredState({ etcd: 'http://127.0.0.1:9' })).rejects.toMatchObject({ exitCode: 3 });
  });
});
