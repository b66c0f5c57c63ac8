// IPv6 WireGuard (flannel-wg-v6) judged against the leases' IPv6 halves, on a recorded `wg show all dump`
// (fixtures/wg-dump/node1-separate.txt, composed in wireguard-tools' dump format: this kernel has no wireguard
// module). The leases are Node objects annotated by hand as flannel's wireguard backend annotates a dual-stack node
// in Mode separate (pkg/backend/wireguard/wireguard.go newSubnetAttrs): backend-data {"PublicKey":K,"Port":51820},
// backend-v6-data {"PublicKey":K,"Port":51821} — the same key K, both devices read /run/flannel/wgkey (device.go
// setupKeys) — public-ip, public-ipv6 and podCIDRs [v4, v6]. What flanneld programs on node1, read from
// wireguard_network.go handleSubnetEvents: on flannel-wg-v6 one peer per remote lease with its backend-v6-data key,
// endpoint [public-ipv6]:Port and allowed-ips its IPv6 podCIDR. Every expected code below is written from that.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { trace } from '../../src/analyze/trace.js';
import { leasesFromEtcd } from '../../src/leases/etcd-keys.js';
import { parseNodesJson } from '../../src/leases/kube.js';
import type { DesiredState } from '../../src/model/lease.js';
import { Snapshot } from '../../src/model/snapshot.js';
import { wgNode1 } from './node1.js';

const SEPARATE = readFileSync(new URL('../../fixtures/wg-dump/node1-separate.txt', import.meta.url), 'utf8');
const PUB = {
  node1: 'kHsDWGmBI7E+9vt8SOOSoF8F0mQlTcnrE41YSJ4u22k=',
  node2: 'oehT0gJXIzPNGeMSO1jMdGtwXCb5bdpkz0dO7fzBSH0=',
  node3: 'BovV4HoN88gkwnGbnJKLNyTdBKTaapHrSsNX3EF1FlQ=',
};
// a fourth real key (`wg genkey | wg pubkey`), no node's
const OTHER = '3v9eWeTkg0U0M23fW22DFaSaC4SHg2Fx9fige0UAQWU=';
const A = 'flannel.alpha.coreos.com';

interface NodeOpts {
  v4?: boolean;
  v6?: boolean;
  v6Data?: object | string;
  publicIpv6?: string;
}
function node(n: 1 | 2 | 3, o: NodeOpts = {}): object {
  const key = PUB[`node${n}`];
  const v4 = o.v4 ?? true;
  const v6 = o.v6 ?? true;
  const annotations: Record<string, string> = { [`${A}/kube-subnet-manager`]: 'true', [`${A}/backend-type`]: 'wireguard' };
  if (v4) Object.assign(annotations, { [`${A}/public-ip`]: `192.168.56.1${n}`, [`${A}/backend-data`]: JSON.stringify({ PublicKey: key, Port: 51820 }) });
  if (v6) {
    const data = o.v6Data ?? { PublicKey: key, Port: 51821 };
    Object.assign(annotations, { [`${A}/public-ipv6`]: o.publicIpv6 ?? `fd00:56::1${n}`, [`${A}/backend-v6-data`]: typeof data === 'string' ? data : JSON.stringify(data) });
  }
  const podCIDRs = [...(v4 ? [`10.244.${n}.0/24`] : []), ...(v6 ? [`fd00:10:244:${n}::/64`] : [])];
  return { kind: 'Node', metadata: { name: `node${n}`, annotations }, spec: { podCIDR: podCIDRs[0], podCIDRs } };
}
const nodes = (...items: object[]): DesiredState => parseNodesJson(JSON.stringify({ items }));
const dual = nodes(node(1), node(2), node(3));
const v6only = nodes(node(1, { v4: false }), node(2, { v4: false }), node(3, { v4: false }));

/** node1 with flannel-wg and flannel-wg-v6 (flannel-wg-v6 alone with `{ v4: false }`), and the dump. */
const node1 = (dump: string, families: { v4?: boolean } = {}): Snapshot => wgNode1(dump, { v6: true, ...families });

/** The dump with one line of flannel-wg-v6 changed (`peer`: node2/node3's peer line, `device`: the device line). */
function v6Line(dump: string, which: 'device' | keyof typeof PUB, edit: (fields: string[]) => string[] | undefined): string {
  return dump
    .split('\n')
    .flatMap((l) => {
      const f = l.split('\t');
      if (f[0] !== 'flannel-wg-v6') return [l];
      const hit = which === 'device' ? f.length === 5 : f[1] === PUB[which];
      if (!hit) return [l];
      const out = edit(f);
      return out ? [out.join('\t')] : [];
    })
    .join('\n');
}
const v6Only = (dump: string): string => dump.split('\n').filter((l) => l.startsWith('flannel-wg-v6\t')).join('\n');

const wg = (s: Snapshot, desired?: DesiredState) => {
  const r = runDoctor({ snapshot: s, desired });
  return {
    findings: r.findings.filter((f) => f.code.startsWith('WG_') || f.code.startsWith('LEASE_')),
    unverified: r.unverified.filter((u) => u.check === 'wireguard peers').map((u) => u.missing),
  };
};

describe('leases: backend-v6-data carries the IPv6 peer key and port', () => {
  it("read into publicKey6 / wgPort6 beside the IPv4 half's publicKey / wgPort", () => {
    const l = dual.leases.find((x) => x.node === 'node3')!;
    expect(l).toMatchObject({ publicKey: PUB.node3, wgPort: 51820, publicKey6: PUB.node3, wgPort6: 51821, subnet6: 'fd00:10:244:3::/64', publicIpv6: 'fd00:56::13' });
  });

  // etcd: the lease value is flannel's LeaseAttrs (pkg/lease/lease.go: PublicIP, PublicIPv6, BackendType, BackendData,
  // BackendV6Data), the key `<subnet>&<subnet6>` (MakeSubnetKey)
  it('etcd: BackendV6Data read the same way', () => {
    const value = JSON.stringify({ PublicIP: '192.168.56.13', PublicIPv6: 'fd00:56::13', BackendType: 'wireguard', BackendData: { PublicKey: PUB.node3, Port: 51820 }, BackendV6Data: { PublicKey: PUB.node3, Port: 51821 } });
    const d = leasesFromEtcd('/coreos.com/network', [{ key: '/coreos.com/network/subnets/10.244.3.0-24&fd00:10:244:3::-64', value }], 'etcd-v3');
    expect(d.leases[0]).toMatchObject({ publicKey: PUB.node3, wgPort: 51820, publicKey6: PUB.node3, wgPort6: 51821, subnet6: 'fd00:10:244:3::/64', publicIpv6: 'fd00:56::13' });
  });

  it('a backend-v6-data PublicKey that is no key is LEASE_BAD_BACKEND_DATA naming backend-v6-data, the IPv4 half stands', () => {
    const d = nodes(node(1), node(2), node(3, { v6Data: { PublicKey: 'not-a-key', Port: 51821 } }));
    const p = d.problems.filter((x) => x.code === 'LEASE_BAD_BACKEND_DATA');
    expect(p).toHaveLength(1);
    expect(p[0].summary).toBe('node3: backend-v6-data PublicKey "not-a-key" is not a WireGuard key');
    expect(d.leases.find((x) => x.node === 'node3')).toMatchObject({ publicKey: PUB.node3, subnet: '10.244.3.0/24' });
    expect(d.leases.find((x) => x.node === 'node3')?.publicKey6).toBeUndefined();
  });
});

describe('doctor: flannel-wg-v6 against the leases (Mode separate)', () => {
  it('healthy dual stack: no WG finding, nothing unverified about either device', () => {
    expect(wg(node1(SEPARATE), dual)).toEqual({ findings: [], unverified: [] });
    // with net-conf saying Mode separate (flannel's default when Backend names no Mode)
    expect(wg(node1(SEPARATE), { ...dual, netConf: { EnableIPv6: true, Backend: { Type: 'wireguard' } } })).toEqual({ findings: [], unverified: [] });
  });

  it("a public-ipv6 annotation in another spelling is the same address as wg's [fd00:56::13]", () => {
    const d = nodes(node(1), node(2), node(3, { publicIpv6: 'FD00:0056:0:0::13' }));
    expect(wg(node1(SEPARATE), d).findings).toEqual([]);
  });

  it("the device's own key and port against this node's backend-v6-data, naming flannel-wg-v6", () => {
    const dump = v6Line(SEPARATE, 'device', (f) => [f[0], f[1], PUB.node2, '51820', f[4]]);
    const { findings } = wg(node1(dump), dual);
    expect(findings.map((f) => f.code)).toEqual(['WG_KEY_MISMATCH', 'WG_PORT_MISMATCH']);
    expect(findings[0].summary).toBe(`flannel-wg-v6 has public key ${PUB.node2}, this node's lease announces ${PUB.node1}: every peer encrypts to a key this device does not hold`);
    expect(findings[1].summary).toBe("flannel-wg-v6 listens on 51820, this node's lease announces 51821: peers send elsewhere");
  });

  it("node3's IPv6 peer missing: WG_PEER_MISSING on flannel-wg-v6", () => {
    const { findings } = wg(node1(v6Line(SEPARATE, 'node3', () => undefined)), dual);
    expect(findings.map((f) => [f.code, f.summary])).toEqual([['WG_PEER_MISSING', `flannel-wg-v6 has no peer with node3's key ${PUB.node3}`]]);
    expect(findings[0].fix).toContain(`wg set flannel-wg-v6 peer ${PUB.node3} endpoint [fd00:56::13]:51821 allowed-ips fd00:10:244:3::/64`);
  });

  it("node3's IPv6 subnet on a peer with another key: WG_PEER_KEY_MISMATCH, not also stale", () => {
    const { findings } = wg(node1(v6Line(SEPARATE, 'node3', (f) => [f[0], OTHER, ...f.slice(2)])), dual);
    expect(findings.map((f) => f.code)).toEqual(['WG_PEER_KEY_MISMATCH']);
    expect(findings[0].summary).toBe(`the peer for fd00:10:244:3::/64 has key ${OTHER}, the lease of node3 says ${PUB.node3}: no handshake can succeed`);
  });

  it("node3's IPv6 peer sends to another address, or to the IPv4 device's port: WG_ENDPOINT_MISMATCH", () => {
    const ip = wg(node1(v6Line(SEPARATE, 'node3', (f) => [f[0], f[1], f[2], '[fd00:56::99]:51821', ...f.slice(4)])), dual).findings;
    expect(ip.map((f) => [f.code, f.summary])).toEqual([['WG_ENDPOINT_MISMATCH', 'peer node3 has endpoint [fd00:56::99]:51821, its lease says [fd00:56::13]:51821']]);
    const port = wg(node1(v6Line(SEPARATE, 'node3', (f) => [f[0], f[1], f[2], '[fd00:56::13]:51820', ...f.slice(4)])), dual).findings;
    expect(port.map((f) => f.code)).toEqual(['WG_ENDPOINT_MISMATCH']);
  });

  it("node3's IPv6 peer with another prefix in allowed-ips: WG_ALLOWED_IPS_MISMATCH", () => {
    const { findings } = wg(node1(v6Line(SEPARATE, 'node3', (f) => [...f.slice(0, 4), 'fd00:10:244:9::/64', ...f.slice(5)])), dual);
    expect(findings.map((f) => [f.code, f.summary])).toEqual([['WG_ALLOWED_IPS_MISMATCH', 'peer node3 has allowed-ips fd00:10:244:9::/64, not its lease fd00:10:244:3::/64']]);
  });

  it('a flannel-wg-v6 peer whose node leases no IPv6 half is stale there (and only there)', () => {
    const { findings } = wg(node1(SEPARATE), nodes(node(1), node(2), node(3, { v6: false })));
    expect(findings.map((f) => [f.code, f.summary])).toEqual([['WG_STALE_PEER', `peer ${PUB.node3} of flannel-wg-v6 belongs to no current lease (departed node, or a key that changed)`]]);
  });

  it('a dual-stack lease without backend-v6-data: LEASE_NO_PUBLIC_KEY for its flannel-wg-v6 peer', () => {
    const n3 = node(3) as { metadata: { annotations: Record<string, string> } };
    delete n3.metadata.annotations[`${A}/backend-v6-data`];
    const { findings } = wg(node1(v6Line(SEPARATE, 'node3', () => undefined)), nodes(node(1), node(2), n3));
    expect(findings.map((f) => [f.code, f.summary])).toEqual([['LEASE_NO_PUBLIC_KEY', 'lease node3 has no backend-v6-data PublicKey: this node cannot program its flannel-wg-v6 peer']]);
  });

  it('flannel-wg-v6 absent with net-conf Mode separate and EnableIPv6: WG_DEVICE_MISSING naming it', () => {
    const dump = SEPARATE.split('\n').filter((l) => !l.startsWith('flannel-wg-v6\t')).join('\n');
    const { findings } = wg(node1(dump), { ...dual, netConf: { EnableIPv6: true, Backend: { Type: 'wireguard', Mode: 'separate' } } });
    expect(findings.map((f) => [f.code, f.summary])).toEqual([['WG_DEVICE_MISSING', 'flannel-wg-v6 is not a WireGuard device here: no IPv6 overlay traffic leaves or enters this node']]);
  });

  it('flannel-wg-v6 absent and no net-conf: the Mode is open, so unverified (auto mode makes no flannel-wg-v6)', () => {
    const dump = SEPARATE.split('\n').filter((l) => !l.startsWith('flannel-wg-v6\t')).join('\n');
    const r = wg(node1(dump), dual);
    expect(r.findings).toEqual([]);
    expect(r.unverified.join('\n')).toMatch(/flannel-wg-v6 is not in wg show all dump: whether flanneld runs Mode separate .* net-conf\.json/);
  });

  it('net-conf Mode auto: the IPv6 peers are on flannel-wg and said unverified, never judged as flannel-wg-v6', () => {
    const r = wg(node1(SEPARATE), { ...dual, netConf: { EnableIPv6: true, Backend: { Type: 'wireguard', Mode: 'auto' } } });
    expect(r.findings).toEqual([]);
    expect(r.unverified.join('\n')).toMatch(/Mode auto puts them on flannel-wg/);
  });
});

describe('doctor: an IPv6-only node (EnableIPv4 false: flannel-wg-v6 alone)', () => {
  const netConf = { EnableIPv4: false, EnableIPv6: true };
  it('healthy: no WG finding (no WG_DEVICE_MISSING for flannel-wg), nothing unverified', () => {
    expect(wg(node1(v6Only(SEPARATE), { v4: false }), { ...v6only, netConf })).toEqual({ findings: [], unverified: [] });
  });

  it('a fault on flannel-wg-v6 gets its code, as on a dual-stack node', () => {
    const dump = v6Line(v6Only(SEPARATE), 'node2', (f) => [f[0], f[1], f[2], '[fd00:56::99]:51821', ...f.slice(4)]);
    expect(wg(node1(dump, { v4: false }), { ...v6only, netConf }).findings.map((f) => f.code)).toEqual(['WG_ENDPOINT_MISMATCH']);
  });
});

describe('doctor: absent data stays unverified, never a finding', () => {
  it('no dump: both devices open with what to paste', () => {
    const s = Snapshot.parse({ ...node1(SEPARATE), wireguard: [], commands: [] });
    const r = wg(s, dual);
    expect(r.findings).toEqual([]);
    expect(r.unverified).toContain("flannel-wg-v6's keys and peers: no wg show all dump output in the data given: paste `wg show all dump` (as wg-dump.txt)");
  });

  it("no leases: flannel-wg-v6's peers open, never stale", () => {
    const r = wg(node1(SEPARATE));
    expect(r.findings).toEqual([]);
    expect(r.unverified).toContain("flannel-wg-v6's 2 peer(s) against the leases: give --nodes FILE (`kubectl get nodes -o yaml`), --kube or --etcd");
  });

  it('leases with no IPv6 half at all (a source without the v6 annotations): the IPv6 peers are open, not stale', () => {
    const r = wg(node1(SEPARATE), nodes(node(1, { v6: false }), node(2, { v6: false }), node(3, { v6: false })));
    expect(r.findings).toEqual([]);
    expect(r.unverified.join('\n')).toMatch(/flannel-wg-v6's 2 peer\(s\): no lease given has an IPv6 half/);
  });

  it("own lease not recognised at all (no addresses, and the device's key is no lease's): node1's missing peer is open, not WG_PEER_MISSING", () => {
    const dump = v6Line(SEPARATE, 'device', (f) => [f[0], f[1], OTHER, f[3], f[4]]);
    const s = Snapshot.parse({ ...node1(dump), addresses: [] });
    const r = wg(s, dual);
    expect(r.findings.filter((f) => f.summary.includes('flannel-wg-v6'))).toEqual([]);
    expect(r.unverified.join('\n')).toMatch(/whether lease node1 is this node's own \(flannel adds no peer for it\) was not in the data given: paste `ip addr show`/);
  });

  it("own lease not recognised (no addresses): found by flannel-wg-v6's own key, the others judged", () => {
    const s = node1(v6Line(SEPARATE, 'node3', () => undefined));
    const bare = Snapshot.parse({ ...s, addresses: [] });
    expect(wg(bare, dual).findings.filter((f) => f.summary.includes('flannel-wg-v6')).map((f) => f.code)).toEqual(['WG_PEER_MISSING']);
  });
});

describe('trace: an IPv6 pod over flannel-wg-v6 gets the peer judgement doctor gives', () => {
  const dst = 'fd00:10:244:3::7';
  it('healthy: route -> peer -> node3 at its public-ipv6', () => {
    const r = trace([node1(SEPARATE)], dst, { desired: dual });
    expect(r.ok).toBe(true);
    expect(r.hops.map((h) => [h.step, h.device])).toEqual([
      ['route', 'flannel-wg-v6'],
      ['wg-peer', 'flannel-wg-v6'],
      ['node', 'fd00:56::13'],
    ]);
    expect(r.targetNode).toMatchObject({ ip: 'fd00:56::13', name: 'node3', subnet: 'fd00:10:244:3::/64' });
  });

  const faults: [string, string][] = [
    ['WG_PEER_KEY_MISMATCH', v6Line(SEPARATE, 'node3', (f) => [f[0], OTHER, ...f.slice(2)])],
    ['WG_ENDPOINT_MISMATCH', v6Line(SEPARATE, 'node3', (f) => [f[0], f[1], f[2], '[fd00:56::99]:51821', ...f.slice(4)])],
    ['WG_ALLOWED_IPS_MISMATCH', v6Line(SEPARATE, 'node3', (f) => [...f.slice(0, 4), 'fd00:10:244::/56', ...f.slice(5)])],
    ['WG_PEER_MISSING', v6Line(SEPARATE, 'node3', () => undefined)],
  ];
  for (const [code, dump] of faults) {
    it(`${code}: named at the wg-peer hop, the same code doctor gives`, () => {
      const r = trace([node1(dump)], dst, { desired: dual });
      expect(r.ok).toBe(false);
      expect(r.hops.find((h) => !h.ok)).toMatchObject({ step: 'wg-peer', device: 'flannel-wg-v6', problem: code });
      expect(wg(node1(dump), dual).findings.map((f) => f.code)).toEqual([code]);
    });
  }
});

// Modes auto/ipv4/ipv6 (wireguard.go:157-162): flannel-wg alone, each peer with both subnets in allowed-ips and one
// endpoint — the IPv4 one in ipv4, the IPv6 one [public-ipv6]:<backend-v6-data Port> in ipv6, either in auto
// (selectMode, wireguard_network.go:107-129, 217-228)
describe('flannel-wg in Modes auto/ipv4/ipv6', () => {
  const oneDevice = (endpoint: (n: 2 | 3) => string): string =>
    [`flannel-wg\t(hidden)\t${PUB.node1}\t51820\toff`, ...([2, 3] as const).map((n) => `flannel-wg\t${PUB[`node${n}`]}\t(none)\t${endpoint(n)}\t10.244.${n}.0/24,fd00:10:244:${n}::/64\t1764450000\t100\t100\toff`)].join('\n');
  const v6Endpoints = oneDevice((n) => `[fd00:56::1${n}]:51821`);
  const snap = (dump: string): Snapshot => Snapshot.parse({ ...node1(dump), links: node1(dump).links.filter((l) => l.name !== 'flannel-wg-v6'), routes: [{ dst: '10.244.0.0/16', dev: 'flannel-wg', scope: 'link' }] });
  const conf = (Mode: string) => ({ ...dual, netConf: { EnableIPv6: true, Backend: { Type: 'wireguard', Mode } } });

  it('Mode ipv6: IPv6 endpoints on flannel-wg are not WG_ENDPOINT_MISMATCH; said unverified in doctor and trace', () => {
    const r = wg(snap(v6Endpoints), conf('ipv6'));
    expect(r.findings).toEqual([]);
    expect(r.unverified.join('\n')).toMatch(/flannel-wg's peer endpoints: net-conf Backend Mode ipv6/);
    const t = trace([snap(v6Endpoints)], '10.244.3.7', { desired: conf('ipv6') });
    expect(t.ok).toBeNull();
    expect(t.hops.find((h) => h.step === 'wg-peer')).toMatchObject({ ok: null });
  });

  it('Mode ipv4: the endpoint is the IPv4 one, so an IPv6 endpoint is WG_ENDPOINT_MISMATCH', () => {
    expect(wg(snap(v6Endpoints), conf('ipv4')).findings.map((f) => f.code)).toEqual(['WG_ENDPOINT_MISMATCH', 'WG_ENDPOINT_MISMATCH']);
  });

  it('Mode auto with IPv4 endpoints (private addresses: selectMode keeps IPv4): no finding', () => {
    expect(wg(snap(oneDevice((n) => `192.168.56.1${n}:51820`)), conf('auto')).findings).toEqual([]);
  });
});
