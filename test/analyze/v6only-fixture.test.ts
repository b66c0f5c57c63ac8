// The v6-only node collected from the v6-only lab (fixtures/nodes/v6only-node1, its README): every expectation here is
// the lab's programming as its README states it — node1 fd00:56::11 with lease fd00:10:244:1::/64 and one pod
// fd00:10:244:1::2; peer node2 fd00:56::12, lease fd00:10:244:2::/64, v6 VtepMAC ca:b4:03:14:46:d9 — read through
// --from-dir as a user gives it, healthy and with one v6 entry taken out of the saved outputs.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { podVeth } from '../../src/analyze/pod-veth.js';
import { trace } from '../../src/analyze/trace.js';
import { whohasIp } from '../../src/analyze/whohas-ip.js';
import { loadFromDir } from '../../src/collect/index.js';
import { parseNodesText } from '../../src/leases/nodes-text.js';
import { parseSubnetEnv } from '../../src/parse/subnet-env.js';
import { buildContext } from '../../src/analyze/checks/context.js';

const NODE = 'fixtures/nodes/v6only-node1';
const PEER_POD = 'fd00:10:244:2::2';
const tmp = mkdtempSync(join(tmpdir(), 'fct-v6only-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const desired = (): ReturnType<typeof parseNodesText> => parseNodesText(readFileSync('fixtures/nodes/v6only-nodes.json', 'utf8'));

describe('a v6-only node from saved outputs (--from-dir)', () => {
  it("doctor: no finding; the IPv4 checks are not applicable, by the node's own lease", async () => {
    const { snapshot } = await loadFromDir(NODE);
    const report = runDoctor({ snapshot, desired: await desired() });
    expect(report.findings).toEqual([]);
    expect(report.localLease).toMatchObject({ node: 'node1', subnet6: 'fd00:10:244:1::/64', publicIpv6: 'fd00:56::11' });
    expect(report.localLease).not.toHaveProperty('subnet');
    const na = report.skipped.filter((s) => s.reason === 'not applicable: an IPv6-only node (its lease node1 has an IPv6 part only)').map((s) => s.check);
    expect(na).toContain('vxlan device');
    expect(na).toContain('per-lease neigh/fdb/route');
  });

  it('trace to the peer pod: route -> flannel-v6.1 -> neigh -> fdb -> node2 at its public-ipv6, all ok', async () => {
    const { snapshot } = await loadFromDir(NODE);
    const t = trace([snapshot], PEER_POD, { desired: await desired() });
    expect(t.ok).toBe(true);
    expect(t.targetNode).toMatchObject({ ip: 'fd00:56::12', name: 'node2', vtepMac: 'ca:b4:03:14:46:d9', subnet: 'fd00:10:244:2::/64' });
    expect(t.hops.slice(0, 4).map((h) => [h.step, h.device, h.ok])).toEqual([
      ['route', 'flannel-v6.1', true],
      ['vxlan-device', 'flannel-v6.1', true],
      ['neigh', 'flannel-v6.1', true],
      ['fdb', 'flannel-v6.1', true],
    ]);
  });

  it("the peer's v6 neighbour taken out of ip-neigh.txt: doctor NEIGH_MISSING on flannel-v6.1, trace names the neigh hop", async () => {
    const dir = join(tmp, 'no-neigh');
    cpSync(NODE, dir, { recursive: true });
    const neigh = JSON.parse(readFileSync(join(NODE, 'ip-neigh.txt'), 'utf8')) as { dst: string }[];
    writeFileSync(join(dir, 'ip-neigh.txt'), JSON.stringify(neigh.filter((n) => n.dst !== 'fd00:10:244:2::')));
    const { snapshot } = await loadFromDir(dir);
    const d = await desired();
    const report = runDoctor({ snapshot, desired: d });
    expect(report.findings.map((f) => f.code)).toEqual(['NEIGH_MISSING']);
    expect(report.findings[0].summary).toContain('flannel-v6.1');
    const t = trace([snapshot], PEER_POD, { desired: d });
    expect(t.ok).toBe(false);
    expect(t.hops.find((h) => h.ok === false)).toMatchObject({ step: 'neigh', device: 'flannel-v6.1', problem: 'NEIGH_MISSING' });
  });

  it('whohas and pod-veth with the v6 addresses', async () => {
    const { snapshot } = await loadFromDir(NODE);
    const owners = whohasIp([snapshot], PEER_POD, await desired()).owners;
    expect(owners.some((o) => o.kind === 'lease' && o.node === 'node2' && o.ip === 'fd00:10:244:2::/64')).toBe(true);
    const pods = podVeth([snapshot]).pods;
    expect(pods.map((p) => [p.ip6, p.hostVeth])).toEqual([['fd00:10:244:1::2', 'vethec492006']]);
  });

  it('v6-only is also told by net-conf EnableIPv4 false, and by a subnet.env without FLANNEL_SUBNET', async () => {
    const { snapshot } = await loadFromDir(NODE);
    const d = await desired();
    expect(buildContext({ snapshot: { ...snapshot, subnetEnv: undefined }, desired: { ...d, leases: [], netConf: { EnableIPv4: false, EnableIPv6: true } } }).v6Only).toBe('net-conf.json EnableIPv4: false');
    expect(buildContext({ snapshot }).v6Only).toBe('subnet.env has FLANNEL_IPV6_SUBNET and no FLANNEL_SUBNET');
    // a dual-stack subnet.env (FLANNEL_SUBNET present) says nothing of the kind
    const dual = parseSubnetEnv('FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_IPV6_NETWORK=fd00:10:244::/56\nFLANNEL_IPV6_SUBNET=fd00:10:244:1::1/64\n');
    expect(buildContext({ snapshot: { ...snapshot, subnetEnv: dual } }).v6Only).toBeUndefined();
  });
});
