// The IPv6 fault cycle of issue 12's "Done when", shared by the dual-stack and the v6-only namespace suites: on
// node A of a lab built by flannel-cluster-v6.ts, a v6 fault is named by doctor and by trace (the hop) with the code
// for the kernel state the test broke, `repair --apply` makes A's pod ping6 B's again, a second plan is empty, and
// `--undo` puts back the exact broken state (ip -6 -j -d route/neigh, bridge -j fdb, ip -j -d link, flannel-v6.1's
// addresses, compared before the repair and after the undo). On a dual-stack lab IPv4 is checked untouched too.
import { expect } from 'vitest';
import type { DualNode } from '../netns/flannel-cluster-v6.js';
import { programPeers6, V6_MTU } from '../netns/flannel-cluster-v6.js';
import type { Lab } from '../netns/lab.js';
import { cli, codes, flannelState } from './netns-helpers.js';

export const DEV6 = 'flannel-v6.1';
/** flannel's gateway for a v6 lease: the subnet's own address (fd00:10:244:2::). */
export const gw6 = (n: DualNode): string => n.subnet6.split('/')[0];

export interface V6Cycle {
  /** node A's v6 state as comparable JSON */
  state6(): string;
  /** A's pod pings B's pod over IPv6 (up to 3 tries: fresh addresses are tentative for a moment) */
  ping6(): boolean;
  /** one injected fault through doctor, trace, --apply, a second plan and --undo */
  cycle(code: string, step: string): void;
  /** put A's flannel-v6.1 back as flanneld programs it, whatever the last fault left */
  restore(): void;
  /** flannel-v6.1 deleted: the plan recreates it as flanneld does (own v6 VtepMAC, local public-ipv6, MTU underlay − 70), then the cycle */
  deviceDeleted(): void;
}

export function v6Cycle(lab: Lab, nodes: () => DualNode[], args: () => string[], journalDir: string, o: { v4: boolean }): V6Cycle {
  const a = (): DualNode => nodes()[0];
  const b = (): DualNode => nodes()[1];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const j = (cmd: string[], program = 'ip'): any[] => JSON.parse(lab.exec(a().netns, [program, '-j', ...cmd]) || '[]');
  const state6 = (): string => {
    const hasDev = lab.tryExec(a().netns, ['ip', 'link', 'show', DEV6]).status === 0;
    const link = j(['-d', 'link', 'show']).filter((l) => l.ifname === DEV6).map((l) => ({
      ifname: l.ifname, address: l.address, mtu: l.mtu, flags: l.flags,
      vxlan: { id: l.linkinfo?.info_data?.id, local: l.linkinfo?.info_data?.local6 ?? l.linkinfo?.info_data?.local, port: l.linkinfo?.info_data?.port, learning: l.linkinfo?.info_data?.learning, link: l.linkinfo?.info_data?.link },
    }));
    const neigh = hasDev ? j(['-6', '-d', 'neigh', 'show', 'dev', DEV6, 'nud', 'permanent']).map((n) => ({ dst: n.dst, lladdr: n.lladdr, state: n.state })) : [];
    const fdb = hasDev ? j(['fdb', 'show', 'dev', DEV6], 'bridge').map((f) => ({ mac: f.mac, dst: f.dst, state: f.state, flags: f.flags })) : [];
    const routes = j(['-6', '-d', 'route', 'show', 'table', 'main'])
      .filter((r) => !String(r.dst).startsWith('fe80:'))
      .map((r) => ({ dst: r.dst, gateway: r.gateway, dev: r.dev, flags: r.flags, metric: r.metric, protocol: r.protocol }));
    const addrs = hasDev ? j(['-6', 'addr', 'show', 'dev', DEV6]).flatMap((l) => (l.addr_info ?? []).filter((x: { scope: string }) => x.scope === 'global').map((x: { local: string; prefixlen: number }) => `${x.local}/${x.prefixlen}`)) : [];
    const sort = <T>(l: T[]): string[] => l.map((x) => JSON.stringify(x)).sort();
    return JSON.stringify({ link, neigh: sort(neigh), fdb: sort(fdb), routes: sort(routes), addrs: addrs.sort() }, null, 1);
  };
  const ping6 = (): boolean => [0, 1, 2].some(() => lab.ping(a().pods[0].netns, b().pods[0].ip6));

  const cycle = (code: string, step: string): void => {
    const run = (cmd: string[]): ReturnType<typeof cli> => cli([...cmd, '--netns', a().netns, ...args()], { journalDir });
    const pre = state6();
    const pre4 = flannelState(lab, a().netns);
    expect(lab.ping(a().pods[0].netns, b().pods[0].ip6), 'the fault breaks the ping6').toBe(false);

    const doctor = run(['doctor', '--json']);
    expect(doctor.status, doctor.stderr).toBe(1);
    expect(codes(doctor)).toContain(code);
    expect(doctor.json.findings.find((f: { code: string }) => f.code === code).summary).toContain(DEV6);

    // trace to the remote pod's IPv6 address names the hop, with doctor's code
    const trace = run(['trace', b().pods[0].ip6, '--json']);
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
    if (o.v4) expect(lab.ping(a().pods[0].netns, b().pods[0].ip), 'IPv4 still works').toBe(true);

    const again = run(['repair', '--json']);
    expect(again.status, again.stderr + again.stdout).toBe(0);
    expect(again.json.actions).toEqual([]);

    const undo = cli(['repair', '--undo', apply.json.journal, '--json'], { journalDir });
    expect(undo.status, undo.stderr + undo.stdout).toBe(0);
    expect(undo.json.undo.errors).toEqual([]);
    expect(undo.json.undo.mismatches).toEqual([]);
    expect(undo.json.undo.verified).toBe(true);
    expect(state6(), 'undo restores the state before the repair').toBe(pre);
    expect(flannelState(lab, a().netns), 'IPv4 untouched throughout').toBe(pre4);
  };

  const restore = (): void => {
    const n = a();
    if (lab.tryExec(n.netns, ['ip', 'link', 'show', DEV6]).status !== 0) {
      lab.ip(n.netns, ['link', 'add', DEV6, 'address', n.vtepMac6, 'type', 'vxlan', 'id', '1', 'local', n.ip6, 'dev', 'eth0', 'dstport', '8472', 'nolearning']);
      lab.ip(n.netns, ['link', 'set', DEV6, 'mtu', String(V6_MTU)]);
    }
    lab.ip(n.netns, ['-6', 'addr', 'replace', `${gw6(n)}/128`, 'dev', DEV6, 'nodad']);
    lab.ip(n.netns, ['link', 'set', DEV6, 'up']);
    programPeers6(lab, n, nodes());
  };
  const deviceDeleted = (): void => {
    const n = a();
    lab.ip(n.netns, ['link', 'del', DEV6]);
    const dry = cli(['repair', '--netns', n.netns, ...args(), '--json']);
    expect(dry.json.actions[0].argv.slice(3)).toEqual(['link', 'add', DEV6, 'address', n.vtepMac6, 'mtu', String(V6_MTU), 'type', 'vxlan', 'id', '1', 'local', n.ip6, 'dev', 'eth0', 'dstport', '8472', 'nolearning']);
    cycle('VXLAN_DEVICE_MISSING', 'vxlan-device');
  };
  return { state6, ping6, cycle, restore, deviceDeleted };
}

/** The five v6 faults of the "Done when", each as (name, code, trace step, inject). */
export function v6Faults(lab: Lab, a: () => DualNode, b: () => DualNode): [string, string, string, () => void][] {
  return [
    ['v6 neighbour deleted -> NEIGH_MISSING', 'NEIGH_MISSING', 'neigh', () => lab.ip(a().netns, ['-6', 'neigh', 'del', gw6(b()), 'dev', DEV6])],
    ['v6 fdb entry deleted -> FDB_MISSING', 'FDB_MISSING', 'fdb', () => void lab.exec(a().netns, ['bridge', 'fdb', 'del', b().vtepMac6, 'dev', DEV6, 'dst', b().ip6, 'self'])],
    ['v6 route deleted -> ROUTE_MISSING', 'ROUTE_MISSING', 'route', () => lab.ip(a().netns, ['-6', 'route', 'del', b().subnet6, 'dev', DEV6])],
    ['flannel-v6.1 down -> VXLAN_DEVICE_DOWN (the kernel dropped its routes, neighbours and addresses)', 'VXLAN_DEVICE_DOWN', 'vxlan-device', () => lab.ip(a().netns, ['link', 'set', DEV6, 'down'])],
  ];
}
