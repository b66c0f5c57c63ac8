// DirectRouting for the IPv6 half of a dual-stack vxlan node, on a real `ip -6 route show`
// (fixtures/ip-route/lab-v6-direct-routing.txt). Expectations from flannel's vxlan_network.go: with DirectRouting
// and the peer's public-ipv6 on a connected network (ip.DirectRouting), flanneld replaces the route with
// v6DirectRoute `<subnet6> via <public-ipv6>` (no device) and programs no neigh/fdb for it; otherwise the vxlan
// triple with `<subnet6 address> dev flannel-v6.1 onlink`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildContext } from '../../src/analyze/checks/context.js';
import { runDoctor } from '../../src/analyze/doctor.js';
import { trace } from '../../src/analyze/trace.js';
import { peerStates6 } from '../../src/analyze/peer-state.js';
import { loadFromDir } from '../../src/collect/from-dir.js';
import type { DesiredState, Lease } from '../../src/model/index.js';
import { planRepair } from '../../src/repair/plan.js';

const FIXTURE = new URL('../../fixtures/ip-route/lab-v6-direct-routing.txt', import.meta.url);
const tmp = mkdtempSync(join(tmpdir(), 'fct-dr6-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const lease = (n: number, publicIpv6: string): Lease => ({
  node: `node${n}`, subnet: `10.244.${n}.0/24`, publicIp: `192.168.56.1${n}`, backendType: 'vxlan', vtepMac: `02:00:00:00:1${n}:04`,
  subnet6: `fd00:10:244:${n}::/64`, publicIpv6, vtepMac6: `02:00:00:00:1${n}:06`,
});
const desired = (directRouting: boolean): DesiredState => ({
  leases: [lease(1, 'fd00:56::11'), lease(2, 'fd00:56::12'), lease(3, 'fd00:99::13')],
  netConf: { Network: '10.244.0.0/16', IPv6Network: 'fd00:10:244::/56', EnableIPv6: true, Backend: { Type: 'vxlan', DirectRouting: directRouting } },
  problems: [],
});

/** the fixture as a saved directory, without the lines `drop` matches, edited by `edit` */
async function node(drop?: RegExp, edit: (text: string) => string = (t) => t) {
  const dir = mkdtempSync(join(tmp, 'n-'));
  writeFileSync(join(dir, 'ip-route6.txt'), edit(readFileSync(FIXTURE, 'utf8').split('\n').filter((l) => !drop?.test(l)).join('\n')));
  const snapshot = (await loadFromDir(dir)).snapshot;
  // the namespace's links and addresses as `ip link`/`ip -6 addr` showed them (repair needs flannel-v6.1 to exist)
  snapshot.links.push(
    { kind: 'veth', ifindex: 2, name: 'eth0', mac: '02:00:00:00:11:00', mtu: 1500, flags: ['UP', 'LOWER_UP'] } as never,
    { kind: 'vxlan', ifindex: 4, name: 'flannel-v6.1', mac: '02:00:00:00:11:06', mtu: 1430, flags: ['UP', 'LOWER_UP'], vni: 1, local: 'fd00:56::11' } as never,
  );
  snapshot.addresses.push({ dev: 'eth0', family: 'inet6', local: 'fd00:56::11', prefixlen: 64 }, { dev: 'flannel-v6.1', family: 'inet6', local: 'fd00:10:244:1::', prefixlen: 128 });
  return snapshot;
}

describe('peer-state IPv6 with DirectRouting', () => {
  it('a peer on eth0\'s network is direct (route via its public-ipv6, ok); one behind a router stays vxlan', async () => {
    const peers = peerStates6(buildContext({ snapshot: await node(), desired: desired(true), nodeName: 'node1' }));
    const node2 = peers.find((p) => p.lease.node === 'node2')!;
    expect(node2).toMatchObject({ family: 'v6', path: 'direct', route: { want: { dst: 'fd00:10:244:2::/64', gateway: 'fd00:56::12' }, verdict: { ok: true } } });
    expect(node2.neigh).toBeUndefined();
    expect(node2.fdb).toBeUndefined();
    const node3 = peers.find((p) => p.lease.node === 'node3')!;
    expect(node3).toMatchObject({ path: 'vxlan', route: { want: { dst: 'fd00:10:244:3::/64', gateway: 'fd00:10:244:3::', dev: 'flannel-v6.1', onlink: true }, verdict: { ok: true } } });
  });

  it('the direct route deleted: ROUTE_MISSING in peer-state and doctor, and repair plans `ip route replace fd00:10:244:2::/64 via fd00:56::12`', async () => {
    const snapshot = await node(/^fd00:10:244:2::\/64 /);
    const node2 = peerStates6(buildContext({ snapshot, desired: desired(true), nodeName: 'node1' })).find((p) => p.lease.node === 'node2')!;
    expect(node2.route.verdict).toMatchObject({ ok: false, code: 'ROUTE_MISSING' });
    const findings = runDoctor({ snapshot, desired: desired(true), nodeName: 'node1' }).findings.filter((f) => f.code.startsWith('ROUTE_'));
    expect(findings.map((f) => [f.code, f.fix])).toEqual([['ROUTE_MISSING', 'ip -6 route replace fd00:10:244:2::/64 via fd00:56::12']]);
    const plan = planRepair({ snapshot, desired: desired(true), nodeName: 'node1' });
    const routes = plan.actions.filter((a) => a.op === 'route-replace' && a.family === 'v6');
    expect(routes.map((a) => a.target)).toEqual(['fd00:10:244:2::/64']);
    expect(routes[0].args).toEqual(['route', 'replace', 'fd00:10:244:2::/64', 'via', 'fd00:56::12']);
  });

  it('without DirectRouting the same route is not flannel\'s vxlan route: ROUTE_MISMATCH', async () => {
    const node2 = peerStates6(buildContext({ snapshot: await node(), desired: desired(false), nodeName: 'node1' })).find((p) => p.lease.node === 'node2')!;
    expect(node2.path).toBe('vxlan');
    expect(node2.route.verdict).toMatchObject({ ok: false, code: 'ROUTE_MISMATCH' });
  });

  it('trace of a pod on the direct peer: the route hop via its public-ipv6 on eth0, DirectRouting, judged ok', async () => {
    const r = trace([await node()], 'fd00:10:244:2::5', { desired: desired(true) });
    expect(r).toMatchObject({ ok: true, family: 'v6', backend: 'vxlan', directRouting: true, targetNode: { ip: 'fd00:56::12', name: 'node2' } });
    expect(r.hops[0]).toMatchObject({ step: 'route', device: 'eth0', ok: true });
  });

  it('a direct route via another address: ROUTE_MISMATCH at trace\'s route hop, as peer-state judges it', async () => {
    const snapshot = await node(undefined, (text) => text.replace('via fd00:56::12', 'via fd00:56::14'));
    expect(peerStates6(buildContext({ snapshot, desired: desired(true), nodeName: 'node1' })).find((p) => p.lease.node === 'node2')!.route.verdict).toMatchObject({ ok: false, code: 'ROUTE_MISMATCH' });
    expect(trace([snapshot], 'fd00:10:244:2::5', { desired: desired(true) }).hops[0]).toMatchObject({ step: 'route', ok: false, problem: 'ROUTE_MISMATCH' });
  });
});
