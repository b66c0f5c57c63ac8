// WireGuard backend on recorded `wg show all dump` outputs (fixtures/wg-dump: composed in wireguard-tools' dump
// format — this kernel has no wireguard module). node1's view of a 3-node cluster whose leases are Node objects
// annotated as flannel's wireguard backend annotates them (backend-data {"PublicKey": …, "Port": 51820}).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { trace } from '../../src/analyze/trace.js';
import { planRepair } from '../../src/repair/plan.js';
import { loadFromDir } from '../../src/collect/index.js';
import { parseNodesJson } from '../../src/leases/kube.js';
import { Snapshot } from '../../src/model/snapshot.js';
import { redactWgDump } from '../../src/parse/index.js';
import { wgNode1 as node1 } from './node1.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/wg-dump/${name}.txt`, import.meta.url), 'utf8');
const PUB = {
  node1: 'kHsDWGmBI7E+9vt8SOOSoF8F0mQlTcnrE41YSJ4u22k=',
  node2: 'oehT0gJXIzPNGeMSO1jMdGtwXCb5bdpkz0dO7fzBSH0=',
  node3: 'BovV4HoN88gkwnGbnJKLNyTdBKTaapHrSsNX3EF1FlQ=',
};
const PRIVATE = 'kAqzC80rnNlCcpdaAG+1v2nIZr75Tq16v4mtT2aXQVc=';

const node = (n: 1 | 2 | 3): object => ({
  kind: 'Node',
  metadata: {
    name: `node${n}`,
    annotations: {
      'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
      'flannel.alpha.coreos.com/backend-type': 'wireguard',
      'flannel.alpha.coreos.com/public-ip': `192.168.56.1${n}`,
      'flannel.alpha.coreos.com/backend-data': JSON.stringify({ PublicKey: PUB[`node${n}`], Port: 51820 }),
    },
  },
  spec: { podCIDR: `10.244.${n}.0/24` },
});
const desired = parseNodesJson(JSON.stringify({ items: [node(1), node(2), node(3)] }));

const wgCodes = (s: Snapshot): string[] => runDoctor({ snapshot: s, desired }).findings.map((f) => f.code).filter((c) => c.startsWith('WG_') || c.startsWith('LEASE_'));

describe('doctor: wireguard peers against the leases', () => {
  it('healthy: every lease is a peer with its key, endpoint and subnet', () => {
    const report = runDoctor({ snapshot: node1(fixture('node1-healthy')), desired });
    expect(report.backend).toBe('wireguard');
    expect(wgCodes(node1(fixture('node1-healthy')))).toEqual([]);
    expect(report.skipped.map((s) => s.check)).not.toContain('wireguard peers');
  });

  it("wrong key: node3's subnet sits on a peer whose key is not node3's", () => {
    const report = runDoctor({ snapshot: node1(fixture('node1-wrong-key')), desired });
    const f = report.findings.filter((x) => x.code.startsWith('WG_'));
    expect(f.map((x) => x.code)).toEqual(['WG_PEER_KEY_MISMATCH']);
    expect(f[0].summary).toContain(PUB.node3);
    expect(f[0].fix).toContain(`wg set flannel-wg peer ${PUB.node3} endpoint 192.168.56.13:51820 allowed-ips 10.244.3.0/24`);
  });

  it("wrong endpoint: node3's peer sends to 192.168.56.99", () => {
    const report = runDoctor({ snapshot: node1(fixture('node1-wrong-endpoint')), desired });
    const f = report.findings.filter((x) => x.code.startsWith('WG_'));
    expect(f.map((x) => x.code)).toEqual(['WG_ENDPOINT_MISMATCH']);
    expect(f[0].summary).toBe('peer node3 has endpoint 192.168.56.99:51820, its lease says 192.168.56.13:51820');
  });

  it('a peer of no lease is stale; a lease without a peer is missing', () => {
    const two = { ...desired, leases: desired.leases.filter((l) => l.node !== 'node2') };
    expect(runDoctor({ snapshot: node1(fixture('node1-healthy')), desired: two }).findings.map((f) => f.code)).toEqual(['WG_STALE_PEER']);
    const onlyNode2 = fixture('node1-healthy').split('\n').filter((l) => !l.includes(PUB.node3)).join('\n');
    expect(wgCodes(node1(onlyNode2))).toEqual(['WG_PEER_MISSING']);
  });

  it("leases that are not all the cluster's (one Node object): a peer none holds is unverified, never stale", () => {
    // `kubectl get node node1 -o json` and node3's annotation lines: node2's peer may well be current
    const partial = { ...desired, leases: desired.leases.filter((l) => l.node !== 'node2'), incomplete: 'one Node object, not `kubectl get nodes`' };
    const report = runDoctor({ snapshot: node1(fixture('node1-healthy')), desired: partial });
    expect(report.findings.map((f) => f.code)).not.toContain('WG_STALE_PEER');
    expect(report.unverified.map((u) => u.missing)).toContain("whether 1 peer(s) of flannel-wg belong to a current lease: the desired state given is one Node object, not `kubectl get nodes`: give every node's lease (`kubectl get nodes -o json` as --nodes FILE, or --kube / --etcd)");
  });

  it('the own device: key and port against this node\'s lease', () => {
    const dump = fixture('node1-healthy').replace(`\t${PUB.node1}\t51820\t`, `\t${PUB.node2}\t51999\t`);
    expect(wgCodes(node1(dump))).toEqual(['WG_KEY_MISMATCH', 'WG_PORT_MISMATCH']);
  });

  it('without the dump the check is unverified, not a finding', () => {
    const s = node1(fixture('node1-healthy'));
    const bare = Snapshot.parse({ ...s, wireguard: [], commands: [] });
    const report = runDoctor({ snapshot: bare, desired });
    expect(report.findings.filter((f) => f.code.startsWith('WG_'))).toEqual([]);
    expect(report.unverified.find((x) => x.check === 'wireguard peers')?.missing).toMatch(/no wg show all dump.*`wg show all dump`/);
  });

  // flannel-wg-v6 is judged against the leases' IPv6 halves (test/wireguard/wireguard-v6.test.ts); these leases carry
  // none (no podCIDRs IPv6 entry, no public-ipv6, no backend-v6-data), so its peers cannot be told stale
  it('flannel-wg-v6 in the dump, leases with no IPv6 half: its peers are unverified, the IPv4 verdicts unchanged', () => {
    const report = runDoctor({ snapshot: node1(fixture('node1-dual-redacted')), desired });
    expect(report.findings.filter((f) => f.code.startsWith('WG_') && f.summary.includes('flannel-wg-v6'))).toEqual([]);
    expect(report.unverified.filter((x) => x.check === 'wireguard peers').map((x) => x.missing).join('\n')).toMatch(/flannel-wg-v6's 1 peer\(s\): no lease given has an IPv6 half/);
    expect(runDoctor({ snapshot: node1(fixture('node1-healthy')), desired }).unverified.some((x) => /flannel-wg-v6/.test(x.missing))).toBe(false);
  });

  it('an IPv6-only node (flannel-wg-v6 alone, net-conf EnableIPv4 false): no WG_DEVICE_MISSING for flannel-wg, its peers unverified', () => {
    const dump = fixture('node1-dual-redacted').split('\n').filter((l) => l.startsWith('flannel-wg-v6\t')).join('\n');
    const report = runDoctor({ snapshot: node1(dump), desired: { ...desired, netConf: { EnableIPv4: false, EnableIPv6: true } } });
    expect(report.findings.filter((f) => f.code.startsWith('WG_'))).toEqual([]);
    expect(report.unverified.find((x) => x.check === 'wireguard peers')?.missing).toMatch(/flannel-wg-v6's 1 peer\(s\)/);
  });
});

describe('trace through flannel-wg', () => {
  it('an IPv6 pod through flannel-wg-v6 (Mode separate): the peer whose IPv6 allowed-ips hold it, its endpoint', () => {
    const s = node1(fixture('node1-dual-redacted'));
    const dual = Snapshot.parse({
      ...s,
      links: [...s.links, { kind: 'wireguard', ifindex: 4, name: 'flannel-wg-v6', mtu: 1420, flags: ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'] }],
      routes: [...s.routes, { dst: 'fd00:10:244::/56', dev: 'flannel-wg-v6', scope: 'link' }],
    });
    const r = trace([dual], 'fd00:10:244:2::7');
    expect(r.problems).toEqual([]);
    expect(r.hops.find((h) => h.step === 'wg-peer')).toMatchObject({ device: 'flannel-wg-v6', ok: true });
    expect(r.targetNode).toMatchObject({ ip: 'fd00:56::12' });
  });

  it('healthy: route -> peer -> node3', () => {
    const r = trace([node1(fixture('node1-healthy'))], '10.244.3.7', { desired });
    expect(r.ok).toBe(true);
    expect(r.backend).toBe('wireguard');
    expect(r.hops.map((h) => h.step)).toEqual(['route', 'wg-peer', 'node']);
    expect(r.targetNode).toMatchObject({ ip: '192.168.56.13', name: 'node3', subnet: '10.244.3.0/24' });
  });

  it('wrong key and wrong endpoint are named at the peer hop', () => {
    const key = trace([node1(fixture('node1-wrong-key'))], '10.244.3.7', { desired });
    expect(key.ok).toBe(false);
    expect(key.hops.find((h) => !h.ok)).toMatchObject({ step: 'wg-peer', problem: 'WG_PEER_KEY_MISMATCH' });
    const ep = trace([node1(fixture('node1-wrong-endpoint'))], '10.244.3.7', { desired });
    expect(ep.hops.find((h) => !h.ok)).toMatchObject({ step: 'wg-peer', problem: 'WG_ENDPOINT_MISMATCH' });
    // where the packets really go
    expect(ep.targetNode?.ip).toBe('192.168.56.99');
  });

  it('no peer holds the destination: WG_PEER_MISSING', () => {
    const r = trace([node1(fixture('node1-healthy'))], '10.244.9.7');
    expect(r.hops.map((h) => h.problem ?? 'ok')).toEqual(['ok', 'WG_PEER_MISSING']);
  });
});

describe('wg-dump.txt in a --from-dir directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flanctl-wg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is read, and its private key never reaches the snapshot or the saved raw text', async () => {
    writeFileSync(join(dir, 'wg-dump.txt'), fixture('node1-healthy'));
    const { snapshot, raw } = await loadFromDir(dir);
    expect(snapshot.wireguard.map((d) => [d.name, d.peers.length])).toEqual([['flannel-wg', 2]]);
    expect(JSON.stringify(snapshot)).not.toContain(PRIVATE);
    expect(raw.get('wg-dump.txt')).not.toContain(PRIVATE);
    expect(raw.get('wg-dump.txt')).toContain('flannel-wg\t(hidden)\t');
  });
});

// `wg show all dump` prints a peer's preshared key in clear (wg(8) dump: second field of a peer line); the psk fixture
// has one on node2's peer, written with `(none)` on node3's as wireguard-tools prints an unset key
describe('preshared keys are hidden like the private key', () => {
  const PSK = 'uILIz9tNFIo+803d3RTumcUr4csjOFc/lMP5BZbPukk=';
  const dir = mkdtempSync(join(tmpdir(), 'flanctl-wg-psk-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('in the saved raw text of `wg show all dump`; an unset one stays (none), the rest of the line as it was', async () => {
    writeFileSync(join(dir, 'wg-dump.txt'), fixture('node1-psk'));
    const { snapshot, raw } = await loadFromDir(dir);
    const saved = raw.get('wg-dump.txt')!;
    for (const secret of [PSK, PRIVATE]) {
      expect(saved).not.toContain(secret);
      expect(JSON.stringify(snapshot)).not.toContain(secret);
    }
    expect(saved).toContain(`flannel-wg\t${PUB.node2}\t(hidden)\t192.168.56.12:51820\t10.244.2.0/24\t1764450000\t9460\t9812\toff`);
    expect(saved).toContain(`flannel-wg\t${PUB.node3}\t(none)\t192.168.56.13:51820\t`);
    // what was hidden is still known to be set
    expect(snapshot.wireguard[0].peers.map((p) => p.presharedKey)).toEqual([true, false]);
  });

  it('in the one-device form (`wg show flannel-wg dump`: no name column, the key one field earlier)', () => {
    const one = fixture('node1-psk')
      .split('\n')
      .map((l) => l.split('\t').slice(1).join('\t'))
      .join('\n');
    const saved = redactWgDump(one);
    expect(saved).not.toContain(PSK);
    expect(saved).not.toContain(PRIVATE);
    expect(saved.split('\n')[1].split('\t').slice(0, 3)).toEqual([PUB.node2, '(hidden)', '192.168.56.12:51820']);
    expect(saved.split('\n')[2].split('\t')[1]).toBe('(none)');
  });
});

// repair on the same recorded outputs (no wireguard module here): WireGuard findings are listed, never planned
describe('repair: WireGuard peers are not programmed (flanneld owns them)', () => {
  const plan = (dump: string) => planRepair({ snapshot: node1(fixture(dump)), desired });
  it('healthy: no action and no WG_ item', () => {
    const p = plan('node1-healthy');
    expect(p.actions).toEqual([]);
    expect(p.skipped.filter((s) => s.code?.startsWith('WG_'))).toEqual([]);
  });

  it("wrong endpoint: no action; node3's WG_ENDPOINT_MISMATCH listed as not repaired, with the wg set line for a person", () => {
    const p = plan('node1-wrong-endpoint');
    expect(p.actions).toEqual([]);
    const wg = p.skipped.filter((s) => s.code?.startsWith('WG_'));
    expect(wg.map((s) => s.code)).toEqual(['WG_ENDPOINT_MISMATCH']);
    expect(wg[0].reason).toMatch(/^not repaired: /);
    expect(wg[0].reason).toContain(`wg set flannel-wg peer ${PUB.node3} endpoint 192.168.56.13:51820 allowed-ips 10.244.3.0/24`);
  });

  it('wrong key: WG_PEER_KEY_MISMATCH listed, nothing planned', () => {
    const p = plan('node1-wrong-key');
    expect(p.actions).toEqual([]);
    expect(p.skipped.filter((s) => s.code?.startsWith('WG_')).map((s) => s.code)).toEqual(['WG_PEER_KEY_MISMATCH']);
  });
});
