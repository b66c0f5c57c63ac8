// A flannel node in a namespace for the live benchmarks (collect, repair --apply): eth0 (a veth pair kept inside
// the namespace), flannel.1 exactly as flanneld creates it, cni0, and — fast — every peer's neigh/route through
// `ip -batch` and fdb through `bridge -batch`. Nothing outside the namespace is touched.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../test/netns/lab.js';
import { peer } from './gen-state.js';
import { LIVE_SIZES, OUT, exec, hasCommand, record } from './lib.js';

const LOCAL = peer(0);

/** A lab that is torn down on exit and on Ctrl-C; bench/run.sh also deletes ours on exit from bench/out/netns.list. */
export function newLab(): Lab {
  const lab = new Lab('bench5k');
  const cleanup = (): void => {
    lab.teardown();
    process.exit(130);
  };
  process.once('SIGINT', cleanup);
  process.once('SIGTERM', cleanup);
  return lab;
}

/** flannel.1 as flanneld creates it (reference §1.2); also used to reset the node between repair runs. */
export function flannelLinkCommands(ns: string): string[][] {
  return [
    ['ip', '-n', ns, 'link', 'add', 'flannel.1', 'address', LOCAL.mac, 'type', 'vxlan', 'id', '1', 'local', LOCAL.ip, 'dev', 'eth0', 'dstport', '8472', 'nolearning'],
    ['ip', '-n', ns, 'link', 'set', 'flannel.1', 'mtu', '1450'],
    ['ip', '-n', ns, 'addr', 'add', `${LOCAL.gw}/32`, 'dev', 'flannel.1'],
    ['ip', '-n', ns, 'link', 'set', 'flannel.1', 'up'],
  ];
}

/** Create node0's namespace with eth0, flannel.1 and cni0 (no peers). Returns the namespace name. */
export function addNode(lab: Lab, name: string): string {
  const ns = lab.addNs(name);
  mkdirSync(OUT, { recursive: true });
  appendFileSync(join(OUT, 'netns.list'), `${ns}\n`);
  lab.ip(ns, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p']);
  lab.ip(ns, ['addr', 'add', `${LOCAL.ip}/12`, 'dev', 'eth0']);
  lab.ip(ns, ['link', 'set', 'eth0', 'up']);
  lab.ip(ns, ['link', 'set', 'eth0p', 'up']);
  lab.ip(ns, ['route', 'add', 'default', 'via', '172.31.255.254', 'dev', 'eth0']);
  lab.exec(ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  for (const argv of flannelLinkCommands(ns)) lab.ip(ns, argv.slice(3));
  lab.ip(ns, ['link', 'add', 'cni0', 'type', 'bridge']);
  lab.ip(ns, ['link', 'set', 'cni0', 'mtu', '1450']);
  lab.ip(ns, ['addr', 'add', '10.0.0.1/24', 'dev', 'cni0']);
  lab.ip(ns, ['link', 'set', 'cni0', 'up']);
  return ns;
}

/** Program the peers written by gen-state (DIR/peers.ip.batch, DIR/peers.bridge.batch) in two batch runs. */
export function programPeers(ns: string, stateDir: string): void {
  for (const argv of [
    ['ip', '-n', ns, '-batch', join(stateDir, 'peers.ip.batch')],
    ['bridge', '-n', ns, '-batch', join(stateDir, 'peers.bridge.batch')],
  ]) {
    const r = exec(argv);
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr.trim()}`);
  }
}

/** How many flannel peer entries the kernel holds on flannel.1: routes, permanent neighbours, fdb entries with a dst. */
export function countPeers(ns: string): { routes: number; neigh: number; fdb: number } {
  const json = (argv: string[]): Record<string, unknown>[] => JSON.parse(exec(argv).stdout || '[]');
  return {
    routes: json(['ip', '-n', ns, '-j', 'route', 'show', 'dev', 'flannel.1']).filter((r) => (r.flags as string[]).includes('onlink')).length,
    neigh: json(['ip', '-n', ns, '-j', 'neigh', 'show', 'dev', 'flannel.1', 'nud', 'permanent']).length,
    fdb: json(['bridge', '-n', ns, '-j', 'fdb', 'show', 'dev', 'flannel.1']).filter((f) => typeof f.dst === 'string').length,
  };
}

/**
 * A PATH directory whose `ip` and `bridge` log their argv to `log` and then run the real program: shows which
 * programs a flanctl command runs, how many times, and whether it uses -batch.
 */
export function argvShim(log: string): NodeJS.ProcessEnv {
  const dir = join(OUT, 'shim');
  mkdirSync(dir, { recursive: true });
  for (const prog of ['ip', 'bridge']) {
    const real = exec(['sh', '-c', `command -v ${prog}`]).stdout.trim();
    writeFileSync(join(dir, prog), `#!/bin/sh\necho "${prog} $*" >> "$FLANCTL_ARGV_LOG"\nexec ${real} "$@"\n`, { mode: 0o755 });
  }
  writeFileSync(log, '');
  return { ...process.env, PATH: `${dir}:${process.env.PATH}`, FLANCTL_ARGV_LOG: log };
}

/** Run a live benchmark at every LIVE_SIZES peer count in one lab, unless this build lacks the command. */
export function runLive(section: 'collect' | 'apply', command: string, measure: (lab: Lab, peers: number) => void): void {
  if (!hasCommand(command)) {
    record(section, 'notMeasured', `${command}: command not in this build`);
    console.log(`${section}: not measured (${command} command not in this build)`);
    return;
  }
  const lab = newLab();
  try {
    for (const n of LIVE_SIZES) measure(lab, n);
  } finally {
    lab.teardown();
  }
}
