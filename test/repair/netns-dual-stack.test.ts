import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { buildDualStackCluster, type DualCluster, type DualNode, dualNodeObject, programPeers6, V6_MTU } from '../netns/flannel-cluster-v6.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { cli, codes, flannelState } from './netns-helpers.js';

// The "Done when" for IPv6 (issue 12): on node1 of a dual-stack namespace cluster (flannel.1 and
// flannel-v6.1 programmed as flanneld programs them, leases as flanneld annotates dual-stack nodes), each v6
// fault is named by doctor and by trace (the hop) with the code for the kernel state the test broke, `repair --apply` makes the pods
// ping6 again, a second plan is empty, and `--undo` puts back the exact broken state (ip -6 -j -d route/neigh,
// bridge -j fdb, ip -j -d link, flannel-v6.1's addresses, compared before the repair and after the undo).
describeNetns('doctor, repair and undo: IPv6 faults on a dual-stack node (netns cluster)', () => {
  const lab = new Lab('r6');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-repair6-'));
  let cluster: DualCluster;
  let a: DualNode;
  let b: DualNode;
  let nodesArgs: string[];
  const journalDir = join(tmp, 'journal');
  const DEV = 'flannel-v6.1';

  beforeAll(() => {
    cluster = buildDualStackCluster(lab, { nodes: 2, podsPerNode: 1 });
    [a, b] = cluster.nodes;
    writeFileSync(join(tmp, 'nodes.json'), JSON.stringify({ kind: 'List', items: cluster.nodes.map(dualNodeObject) }));
    nodesArgs = ['--nodes', join(tmp, 'nodes.json')];
  });
  // node1's flannel-v6.1 as the lab builds it (flanneld's programming), whatever the last fault left
  afterEach(() => {
    if (lab.tryExec(a.netns, ['ip', 'link', 'show', DEV]).status !== 0) {
      lab.ip(a.netns, ['link', 'add', DEV, 'address', a.vtepMac6, 'type', 'vxlan', 'id', '1', 'local', a.ip6, 'dev', 'eth0', 'dstport', '8472', 'nolearning']);
      lab.ip(a.netns, ['link', 'set', DEV, 'mtu', String(V6_MTU)]);
    }
    lab.ip(a.netns, ['-6', 'addr', 'replace', `${gw(a)}/128`, 'dev', DEV, 'nodad']);
    lab.ip(a.netns, ['link', 'set', DEV, 'up']);
    programPeers6(lab, a, cluster.nodes);
  });
  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  const gw = (n: DualNode): string => n.subnet6.split('/')[0];
  // fresh IPv6 addresses are tentative (DAD) for a moment: up to 3 pings, 1 s each
  const ping6 = (): boolean => [0, 1, 2].some(() => lab.ping(a.pods[0].netns, b.pods[0].ip6));

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const j = (args: string[], program = 'ip'): any[] => JSON.parse(lab.exec(a.netns, [program, '-j', ...args]) || '[]');
  /** Everything a v6 repair may touch on node1, without what the kernel changes by itself (counters, link-local routes). */
  const state6 = (): string => {
    const hasDev = lab.tryExec(a.netns, ['ip', 'link', 'show', DEV]).status === 0;
    const link = j(['-d', 'link', 'show']).filter((l) => l.ifname === DEV).map((l) => ({
      ifname: l.ifname, address: l.address, mtu: l.mtu, flags: l.flags,
      vxlan: { id: l.linkinfo?.info_data?.id, local: l.linkinfo?.info_data?.local6 ?? l.linkinfo?.info_data?.local, port: l.linkinfo?.info_data?.port, learning: l.linkinfo?.info_data?.learning, link: l.linkinfo?.info_data?.link },
    }));
    const neigh = hasDev ? j(['-6', '-d', 'neigh', 'show', 'dev', DEV, 'nud', 'permanent']).map((n) => ({ dst: n.dst, lladdr: n.lladdr, state: n.state })) : [];
    const fdb = hasDev ? j(['fdb', 'show', 'dev', DEV], 'bridge').map((f) => ({ mac: f.mac, dst: f.dst, state: f.state, flags: f.flags })) : [];
    const routes = j(['-6', '-d', 'route', 'show', 'table', 'main'])
      .filter((r) => !String(r.dst).startsWith('fe80:'))
      .map((r) => ({ dst: r.dst, gateway: r.gateway, dev: r.dev, flags: r.flags, metric: r.metric, protocol: r.protocol }));
    const addrs = hasDev ? j(['-6', 'addr', 'show', 'dev', DEV]).flatMap((l) => (l.addr_info ?? []).filter((x: { scope: string }) => x.scope === 'global').map((x: { local: string; prefixlen: number }) => `${x.local}/${x.prefixlen}`)) : [];
    const sort = <T>(l: T[]): string[] => l.map((x) => JSON.stringify(x)).sort();
    return JSON.stringify({ link, neigh: sort(neigh), fdb: sort(fdb), routes: sort(routes), addrs: addrs.sort() }, null, 1);
  };

  /** One injected v6 fault through trace and doctor, --apply, a second plan and --undo (a dry run changing nothing: netns-peers). */
  const cycle = (code: string, step: string): void => {
    const run = (args: string[]): ReturnType<typeof cli> => cli([...args, '--netns', a.netns, ...nodesArgs], { journalDir });
    const pre = state6();
    const pre4 = flannelState(lab, a.netns);
    expect(lab.ping(a.pods[0].netns, b.pods[0].ip6), 'the fault breaks the ping6').toBe(false);

    const doctor = run(['doctor', '--json']);
    expect(doctor.status, doctor.stderr).toBe(1);
    expect(codes(doctor)).toContain(code);
    expect(doctor.json.findings.find((f: { code: string }) => f.code === code).summary).toContain(DEV);

    // trace to the remote pod's IPv6 address names the hop, with doctor's code
    const trace = run(['trace', b.pods[0].ip6, '--json']);
    expect(trace.status, trace.stderr).toBe(1);
    const hop = (trace.json.hops as { step: string; ok: boolean | null; problem?: string; problems?: string[] }[]).find((h) => h.step === step && h.ok === false);
    expect(hop, JSON.stringify(trace.json.hops)).toBeDefined();
    expect(hop!.problems ?? [hop!.problem]).toContain(code);

    const apply = run(['repair', '--apply', '--yes', '--json']);
    expect(apply.status, apply.stderr + apply.stdout).toBe(0);
    expect(apply.json.actions.length).toBeGreaterThan(0);
    expect(apply.json.actions.every((x: { status: string }) => x.status === 'applied')).toBe(true);
    // only the broken family is touched
    expect(apply.json.actions.map((x: { family: string }) => x.family)).toEqual(apply.json.actions.map(() => 'v6'));
    expect(ping6(), 'repair makes ping6 work').toBe(true);
    expect(lab.ping(a.pods[0].netns, b.pods[0].ip), 'IPv4 still works').toBe(true);

    const again = run(['repair', '--json']);
    expect(again.status, again.stderr + again.stdout).toBe(0);
    expect(again.json.actions).toEqual([]);

    const undo = cli(['repair', '--undo', apply.json.journal, '--json'], { journalDir });
    expect(undo.status, undo.stderr + undo.stdout).toBe(0);
    expect(undo.json.undo.errors).toEqual([]);
    expect(undo.json.undo.mismatches).toEqual([]);
    expect(undo.json.undo.verified).toBe(true);
    expect(state6(), 'undo restores the state before the repair').toBe(pre);
    expect(flannelState(lab, a.netns), 'IPv4 untouched throughout').toBe(pre4);
  };

  it('healthy: nothing found, nothing planned in either family', () => {
    const doctor = cli(['doctor', '--netns', a.netns, ...nodesArgs, '--json']);
    expect(codes(doctor)).toEqual([]);
    const dry = cli(['repair', '--netns', a.netns, ...nodesArgs, '--json']);
    expect(dry.status, dry.stdout).toBe(0);
    expect(dry.json.actions).toEqual([]);
    expect(ping6()).toBe(true);
  });

  it('v6 neighbour deleted -> NEIGH_MISSING', () => {
    lab.ip(a.netns, ['-6', 'neigh', 'del', gw(b), 'dev', DEV]);
    cycle('NEIGH_MISSING', 'neigh');
  });

  it('v6 fdb entry deleted -> FDB_MISSING', () => {
    lab.exec(a.netns, ['bridge', 'fdb', 'del', b.vtepMac6, 'dev', DEV, 'dst', b.ip6, 'self']);
    cycle('FDB_MISSING', 'fdb');
  });

  it('v6 route deleted -> ROUTE_MISSING', () => {
    lab.ip(a.netns, ['-6', 'route', 'del', b.subnet6, 'dev', DEV]);
    cycle('ROUTE_MISSING', 'route');
  });

  it('flannel-v6.1 down -> VXLAN_DEVICE_DOWN (the kernel dropped its routes, neighbours and addresses)', () => {
    lab.ip(a.netns, ['link', 'set', DEV, 'down']);
    cycle('VXLAN_DEVICE_DOWN', 'vxlan-device');
  });

  it('flannel-v6.1 deleted -> VXLAN_DEVICE_MISSING; recreated with the own v6 VtepMAC, local public-ipv6, MTU underlay − 70', () => {
    lab.ip(a.netns, ['link', 'del', DEV]);
    const dry = cli(['repair', '--netns', a.netns, ...nodesArgs, '--json']);
    expect(dry.json.actions[0].argv.slice(3)).toEqual(['link', 'add', DEV, 'address', a.vtepMac6, 'mtu', String(V6_MTU), 'type', 'vxlan', 'id', '1', 'local', a.ip6, 'dev', 'eth0', 'dstport', '8472', 'nolearning']);
    cycle('VXLAN_DEVICE_MISSING', 'vxlan-device');
  });
});
