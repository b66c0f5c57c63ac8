// Shared by the doctor/repair integration suites: run the built CLI, and read a node's flannel state
// (flannel.1 link, its neighbours and fdb, the main routing table) as comparable JSON.
import { runCli, type CliResult } from '../collect/cli.js';
import type { Lab } from '../netns/lab.js';

/** `flanctl ARGS` (optionally inside a namespace, for etcd on its loopback), journal in `journalDir`. */
export function cli(args: string[], opts: { journalDir?: string; inNetns?: string } = {}): CliResult {
  return runCli(args, {
    prefix: opts.inNetns ? ['ip', 'netns', 'exec', opts.inNetns] : [],
    env: { ...process.env, ...(opts.journalDir ? { FLANCTL_JOURNAL_DIR: opts.journalDir } : {}) },
  });
}

const sortBy = <T>(list: T[]): T[] => list.map((x) => JSON.stringify(x)).sort().map((s) => JSON.parse(s) as T);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const j = (lab: Lab, ns: string, args: string[]): any[] => JSON.parse(lab.ip(ns, ['-j', ...args]) || '[]');

/** Everything repair may touch on a node, without counters or kernel-learned entries that change on their own. */
export function flannelState(lab: Lab, ns: string): string {
  const links = j(lab, ns, ['-d', 'link', 'show']).filter((l) => l.ifname === 'flannel.1');
  const link = links.map((l) => ({
    ifname: l.ifname,
    address: l.address,
    mtu: l.mtu,
    flags: l.flags,
    vxlan: { id: l.linkinfo?.info_data?.id, local: l.linkinfo?.info_data?.local, port: l.linkinfo?.info_data?.port, learning: l.linkinfo?.info_data?.learning },
  }));
  const hasDev = link.length > 0;
  // only entries someone wrote: the kernel's own ARP attempts (INCOMPLETE -> FAILED) change by themselves
  const neigh = hasDev
    ? j(lab, ns, ['neigh', 'show', 'dev', 'flannel.1', 'nud', 'permanent']).map((n) => ({ dst: n.dst, lladdr: n.lladdr, state: n.state }))
    : [];
  const fdbText = hasDev ? lab.exec(ns, ['bridge', '-j', 'fdb', 'show', 'dev', 'flannel.1']) : '[]';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const fdb = (JSON.parse(fdbText || '[]') as any[]).map((f) => ({ mac: f.mac, dst: f.dst, state: f.state, flags: f.flags }));
  const routes = j(lab, ns, ['route', 'show', 'table', 'main']).map((r) => ({ dst: r.dst, gateway: r.gateway, dev: r.dev, flags: r.flags, scope: r.scope }));
  const addrs = j(lab, ns, ['-4', 'addr', 'show']).flatMap((l) => (l.addr_info ?? []).map((a: { local: string; prefixlen: number }) => `${l.ifname} ${a.local}/${a.prefixlen}`));
  return JSON.stringify({ link, neigh: sortBy(neigh), fdb: sortBy(fdb), routes: sortBy(routes), addrs: addrs.sort() }, null, 1);
}

/** Codes of a doctor --json run, without the info notes (the lab's flannel.1 has tx checksum offload on). */
export const codes = (r: CliResult): string[] =>
  (r.json.findings as { severity: string; code: string }[]).filter((f: { severity: string; code: string }) => f.severity !== 'info' || f.code === 'FDB_OLD_MAC').map((f: { code: string }) => f.code);

export interface CycleEnv {
  lab: Lab;
  /** the node namespace repaired */
  ns: string;
  nodesArgs: string[];
  journalDir: string;
  /** a pod on this node and a pod IP on another whose ping the fault breaks */
  fromPod: string;
  toIp: string;
  /** run flanctl inside this namespace (etcd on its loopback) */
  inNetns?: string;
}

/**
 * The whole contract for one injected fault (already injected): doctor names `code`; the dry run changes
 * nothing; --apply makes the ping work; a second --apply plans nothing; --undo restores the faulty state exactly.
 * Leaves the node as the fault left it: the caller heals it.
 */
export function repairCycle(env: CycleEnv, code: string, expectVitest: typeof import('vitest').expect, extra: string[] = []): void {
  const expect = expectVitest;
  const run = (args: string[]): CliResult => cli([...args, '--netns', env.ns, ...env.nodesArgs, ...extra], { journalDir: env.journalDir, inNetns: env.inNetns });
  const pre = flannelState(env.lab, env.ns);
  expect(env.lab.ping(env.fromPod, env.toIp), 'the fault breaks the ping').toBe(false);

  const doctor = run(['doctor', '--json']);
  expect(doctor.status, doctor.stderr).toBe(1);
  expect(codes(doctor)).toContain(code);

  const dry = run(['repair', '--json']);
  expect(dry.status, dry.stderr).toBe(1);
  expect(dry.json.applied).toBe(false);
  expect(dry.json.actions.length).toBeGreaterThan(0);
  expect(flannelState(env.lab, env.ns), 'a dry run changes nothing').toBe(pre);

  const apply = run(['repair', '--apply', '--yes', '--json']);
  expect(apply.status, apply.stderr + apply.stdout).toBe(0);
  expect(apply.json.applied).toBe(true);
  expect(apply.json.actions.every((a: { status: string }) => a.status === 'applied')).toBe(true);
  expect(env.lab.ping(env.fromPod, env.toIp), 'repair makes the ping work').toBe(true);
  const repaired = flannelState(env.lab, env.ns);

  const again = run(['repair', '--apply', '--yes', '--json']);
  expect(again.status, again.stderr).toBe(0);
  expect(again.json.actions).toEqual([]);
  expect(flannelState(env.lab, env.ns)).toBe(repaired);

  const undo = cli(['repair', '--undo', apply.json.journal, '--json'], { journalDir: env.journalDir, inNetns: env.inNetns });
  expect(undo.status, undo.stderr + undo.stdout).toBe(0);
  expect(undo.json.undo.errors).toEqual([]);
  expect(undo.json.undo.mismatches).toEqual([]);
  expect(undo.json.undo.verified).toBe(true);
  expect(flannelState(env.lab, env.ns), 'undo restores the state before the repair').toBe(pre);
}
