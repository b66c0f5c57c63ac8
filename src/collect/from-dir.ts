// A Snapshot from a directory of saved command outputs, as pasted into a ticket (README "Sources").
// Every file is optional; a file that is there but is not what its name says is a one-line usage error.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { FlanctlError, UsageError } from '../errors.js';
import type { Snapshot } from '../model/index.js';
import { parseCniConflist, parseEthtoolFeatures, parseEthtoolStats, parseIfconfig, parseIflink, parseIpAddr, parseRouteN, parseSubnetEnv } from '../parse/index.js';
import { buildSnapshot, podFromAddr } from './assemble.js';
import { type Collected, emptyCollected, HOSTNAME_STEP, STEPS } from './commands.js';
import type { Collection } from './live.js';

const CONFLIST_FILES = ['10-flannel.conflist', 'cni-conflist.json'];
const ETHTOOL = /^ethtool-([Sk])-(.+)\.txt$/;

/** Read a file the directory has, or undefined; other failures (permission, a directory) are usage errors. */
async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read ${path}: ${code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code}`);
  }
}

/** Run a parser over one file, turning its ParseError into a usage error that names the file. */
function parseFile(path: string, apply: () => void): void {
  try {
    apply();
  } catch (error) {
    if (error instanceof FlanctlError) throw new UsageError(`${path}: ${error.message}`);
    throw new UsageError(`${path}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}

async function listDir(dir: string): Promise<string[]> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new UsageError(`no such directory: ${dir}`);
  }
  if (!info.isDirectory()) throw new UsageError(`not a directory: ${dir}`);
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    throw new UsageError(`cannot read directory ${dir}: ${(error as NodeJS.ErrnoException).code}`);
  }
}

/** The node's own files: the STEPS table's files plus the file-only sources. */
async function readNodeFiles(dir: string, names: string[], c: Collected, raw: Map<string, string>): Promise<void> {
  for (const step of [...STEPS, HOSTNAME_STEP]) {
    // first file present wins (ip-route.txt over route-n.txt, ip-neigh.txt over arp.txt, ip-addr.txt over ifconfig.txt)
    const attempt = step.attempts.find((a) => names.includes(a.file));
    if (!attempt) continue;
    const path = join(dir, attempt.file);
    const text = await readOptional(path);
    if (text === undefined) continue;
    parseFile(path, () => attempt.apply(text, c));
    raw.set(attempt.file, text);
    c.commands.push({ name: step.name, file: path, ok: true, form: 'file' });
  }
  // [file, step name as live collection records it, parser]
  const files: [string, string, (text: string) => void][] = [
    ['subnet.env', 'subnet-env', (t) => void (c.subnetEnv = parseSubnetEnv(t))],
    ['iflink.txt', 'iflink', (t) => void (c.iflinks = parseIflink(t))],
  ];
  const conflist = CONFLIST_FILES.find((f) => names.includes(f));
  if (conflist) files.push([conflist, 'cni-conflist', (t) => void (c.cniConflist = parseCniConflist(t))]);
  for (const name of names) {
    const m = ETHTOOL.exec(name);
    if (!m) continue;
    const dev = m[2];
    if (m[1] === 'S') files.push([name, 'ethtool-S', (t) => void (c.ethtool[dev] = parseEthtoolStats(t, dev))]);
    else files.push([name, 'ethtool-k', (t) => void (c.features[dev] = parseEthtoolFeatures(t))]);
  }
  for (const [name, step, apply] of files) {
    if (!names.includes(name)) continue;
    const path = join(dir, name);
    const text = await readOptional(path);
    if (text === undefined) continue;
    parseFile(path, () => apply(text));
    raw.set(name === 'cni-conflist.json' ? '10-flannel.conflist' : name, text);
    c.commands.push({ name: step, file: path, ok: true, form: 'file' });
  }
}

/** pods/<pod>/: the pod's own view (ip-addr.txt or ifconfig.txt, iflink.txt, ethtool-S-eth0.txt). */
async function readPod(podDir: string, pod: string, raw: Map<string, string>): Promise<Snapshot['pods'][number] | undefined> {
  const names = await listDir(podDir);
  const read = async (name: string): Promise<string | undefined> => {
    if (!names.includes(name)) return undefined;
    const text = await readOptional(join(podDir, name));
    if (text !== undefined) raw.set(`pods/${pod}/${name}`, text);
    return text;
  };
  const addrText = await read('ip-addr.txt');
  const ifconfigText = addrText === undefined ? await read('ifconfig.txt') : undefined;
  const iflinkText = await read('iflink.txt');
  const statsText = await read('ethtool-S-eth0.txt');
  const routeText = await read('route-n.txt');
  if (addrText === undefined && ifconfigText === undefined && iflinkText === undefined && statsText === undefined && routeText === undefined) return undefined;
  let view: ReturnType<typeof parseIpAddr> = { links: [], addresses: [] };
  if (addrText !== undefined) parseFile(join(podDir, 'ip-addr.txt'), () => void (view = parseIpAddr(addrText)));
  if (ifconfigText !== undefined) parseFile(join(podDir, 'ifconfig.txt'), () => void (view = parseIfconfig(ifconfigText)));
  // `ns_name` directory names: Kubernetes names hold no '_', so the first one separates namespace and pod
  const result = podFromAddr(view, { pod: pod.replace('_', '/') });
  if (routeText !== undefined) parseFile(join(podDir, 'route-n.txt'), () => void (result.routes = parseRouteN(routeText)));
  // the peer index from the pod's side, when ip addr did not print `@ifN`
  if (iflinkText !== undefined) {
    parseFile(join(podDir, 'iflink.txt'), () => {
      // a bare number (`cat /sys/class/net/eth0/iflink`) is the pod interface's own
      const entries = parseIflink(iflinkText, result.ifname);
      const entry = entries.find((l) => l.name === result.ifname) ?? entries[0];
      if (entry) result.iflink ??= entry.iflink;
    });
  }
  if (statsText !== undefined) {
    parseFile(join(podDir, 'ethtool-S-eth0.txt'), () => {
      const stats = parseEthtoolStats(statsText, 'eth0');
      result.iflink ??= stats.peerIfindex;
    });
  }
  return result;
}

/** One node from a directory of saved outputs. */
export async function loadFromDir(dir: string): Promise<Collection> {
  const names = await listDir(dir);
  const c = emptyCollected();
  const raw = new Map<string, string>();
  await readNodeFiles(dir, names, c, raw);
  if (names.includes('pods')) {
    const podsDir = join(dir, 'pods');
    for (const pod of await listDir(podsDir)) {
      const info = await stat(join(podsDir, pod)).catch(() => undefined);
      if (!info?.isDirectory()) continue;
      const p = await readPod(join(podsDir, pod), pod, raw);
      if (p) c.pods.push(p);
    }
  }
  if (raw.size === 0) {
    throw new UsageError(`${dir} holds none of the files flanctl reads`, 'expected e.g. route-n.txt, ip-neigh.txt, bridge-fdb.txt, brctl-show.txt (see README "Sources")');
  }
  const info = await stat(dir);
  const name = basename(resolve(dir));
  const snapshot = buildSnapshot(c, { kind: 'dir', name: dir }, info.mtime.toISOString(), name);
  return { snapshot, raw };
}
