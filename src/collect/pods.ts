// Pods of a live node: the named namespaces at the far end of its veths, each read with `ip -n NS -j addr show`, or
// on a node with many mounts `nsenter --net=/var/run/netns/NS ip -j addr show` (podForm). The launcher's shell reads
// them in a few slices side by side, one after another in each (the `netns exec` lines of an `ip -batch` cost more:
// each forks that `ip`, a larger process than the shell, and switches namespaces there before starting `ip` again;
// 20 pods one after another: 32.4 vs 26.8 ms). A slice that did not answer for each of its pods, or no launcher: one
// process per pod from here, in the same form, except the pod whose read hung (the launcher was stopped in it): that
// one timed out.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { CommandResult, Link, PodNetns } from '../model/index.js';
import { parseIpAddr } from '../parse/index.js';
import { podFromAddr } from './assemble.js';
import { isJsonLine, slices, splitBatchOutput } from './batch.js';
import type { Collected, Step } from './commands.js';
import { mapLimit } from './limit.js';
import { isNetnsName, NETNS_RUN_DIR, run, timedOutResult, which } from './runner.js';

/** A slice's output from the launcher (undefined when it did not answer): see launcher.ts's LaunchedOutput */
type SliceOutput = { exitCode?: number; text: string; ms: number; timeoutMs?: number };
export type LaunchPods = (form: PodForm, namespaces: string[]) => Promise<SliceOutput | undefined>;

/** How a pod's addresses are read: `ip -n NS -j addr show`, or `nsenter --net=NETNS_RUN_DIR/NS ip -j addr show`. */
export type PodForm = 'ip-n' | 'nsenter';

// `ip -n` (like `ip netns exec`) runs iproute2's netns_switch: after setns() it also unshares the mount namespace,
// remounts / slave and mounts a fresh sysfs, copying the whole mount tree per pod; nsenter only calls setns(), for
// one exec more. Alone (hyperfine, 300 runs, an empty namespace, N tmpfs mounts added in a private mount namespace),
// CPU per pod `ip -n` vs nsenter: 1.18 vs 1.79 ms at 66 mountinfo lines, 1.72 vs 1.76 at 516, 1.81 vs 1.75 at 566,
// 3.69 vs 1.74 at 2,066. In collect, where slices run side by side, they cross earlier: a whole `collect --netns` of
// 20 pods with nsenter minus with `ip -n` (bench/collect-ab.ts, 30 paired rounds, medians) at 108 lines +1.1 ms wall,
// +7.8 ms CPU; 258: -3.0, +0.4; 308: -3.0, +0.6; 358: -5.9, -2.1; 458: -8.2, -7.6. nsenter above:
export const NSENTER_ABOVE_MOUNTS = 300;

/**
 * The form for this node's pods, by the mounts of this process's mount namespace (a Kubernetes node has several per
 * pod: its netns bind mount in /run/netns, shm, each container's rootfs, its volumes). The launcher's shell runs in the
 * same one, or with --netns in the copy `ip netns exec` makes of it (the same mounts but /sys's submounts: 54 vs 65
 * lines on the test machine), and podAlone runs from here.
 */
export async function podForm(): Promise<PodForm> {
  let mounts = 0;
  try {
    mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length - 1;
  } catch {
    // no /proc: `ip -n`, as before the count was taken
  }
  return mounts > NSENTER_ABOVE_MOUNTS && (await which('nsenter')) !== undefined ? 'nsenter' : 'ip-n';
}

const CONCURRENCY = 4;
// a slice reads its pods one after another (≈ 1.3 ms each): slices of this many pods run side by side, one per
// core at most
const PODS_PER_SLICE = 8;
// the launcher's pods fds (launcher.ts MAX_POD_SLICES)
const MAX_SLICES = 4;

interface PodVeth {
  netns: string;
  veth: Link;
}

/**
 * A pod's host-side veth: its peer is in another namespace and it carries no IPv4 address of its own
 * (the bridge/ptp plugins address only the pod end). That leaves out a node uplink that is itself a veth
 * (a node running in a namespace, as in the test lab), which also shows up as the vxlan device's `dev`.
 */
function isPodVeth(l: Link, links: Link[], c: Collected): boolean {
  if (l.kind !== 'veth' || l.linkNetnsid === undefined) return false;
  if ((c.addresses ?? []).some((a) => a.dev === l.name && a.family === 'inet')) return false;
  return !links.some((v) => v.kind === 'vxlan' && v.dev === l.name);
}

/** The pod seen from inside its namespace; throws when the output does not parse. */
const podOf = (text: string, p: PodVeth): PodNetns => podFromAddr(parseIpAddr(text), { netns: p.netns, hostIfindex: p.veth.ifindex });

/** The pods in slices of about PODS_PER_SLICE, side by side, one per core and launcher fd at most. */
export const podSlices = <T>(pods: T[]): T[][] => slices(pods, PODS_PER_SLICE, Math.min(MAX_SLICES, availableParallelism()));

/** The nsid -> name map of the node's namespace, run with the other iproute2 reads (a batch line). */
export const NETNS_IDS_STEP: Step = {
  name: 'netns-list-id',
  // not a --from-dir input: a directory names its pods by pods/<name>/
  attempts: [{ argv: ['ip', '-j', 'netns', 'list-id'], form: 'json', file: '', apply: (t, c) => void (c.netnsIds = parseNetnsIds(t)) }],
};

function parseNetnsIds(text: string): { nsid: number; name?: string }[] {
  const ids: unknown = JSON.parse(text || '[]');
  if (!Array.isArray(ids) || !ids.every((i) => typeof i?.nsid === 'number' && (i.name === undefined || typeof i.name === 'string'))) {
    throw new Error('ip -j netns list-id printed no list of {nsid, name}');
  }
  return ids;
}

/**
 * Pods: the named namespaces at the far end of this node's veths (nsid -> name from NETNS_IDS_STEP), read in `form`.
 * Asks `launch` for its slices before its first await (the caller then sends the requests). `timeoutMs`: each read
 * run here.
 */
export async function collectPods(links: Link[], c: Collected, raw: Map<string, string>, tick: (s: string) => void, grow: (steps: number) => void, form: PodForm, launch?: LaunchPods, timeoutMs?: number): Promise<void> {
  // the names go onto a command line (ip -n NAME): only well-formed ones
  const nameOf = new Map((c.netnsIds ?? []).filter((i) => i.name !== undefined && isNetnsName(i.name)).map((i) => [i.nsid, i.name!]));
  const pods = links.filter((l) => isPodVeth(l, links, c) && nameOf.has(l.linkNetnsid!)).map((veth) => ({ netns: nameOf.get(veth.linkNetnsid!)!, veth }));
  grow(pods.length);
  if (pods.length === 0) return;
  const launched = launch ? podSlices(pods).map((chunk) => ({ chunk, out: launch(form, chunk.map((p) => p.netns)) })) : [{ chunk: pods, out: Promise.resolve(undefined) }];
  const found = await Promise.all(
    launched.map(async ({ chunk, out }) => {
      const o = await out;
      const hung = hungPod(chunk, o);
      return podsOfSlice(chunk, form, c, raw, o) ?? (await mapLimit(chunk, CONCURRENCY, (p) => podAlone(p, form, c, raw, timeoutMs, p === hung ? o : undefined)));
    }),
  );
  for (const p of pods) tick(`pod ${p.netns}`);
  for (const p of found.flat()) if (p) c.pods.push(p);
}

/** the argv of a pod's read in each form (the launcher's podsAddr and podsNsenter run the same) */
export const podArgv = (form: PodForm, netns: string): string[] => (form === 'nsenter' ? ['nsenter', `--net=${NETNS_RUN_DIR}/${netns}`, 'ip', '-j', 'addr', 'show'] : ['ip', '-n', netns, '-j', 'addr', 'show']);

/**
 * These pods from the launcher's slice, or undefined (nothing recorded) unless it answered for each: one JSON line
 * per pod whose interface is the peer of that pod's host veth. A pod gone mid-way fails its read, which ends
 * the slice.
 */
function podsOfSlice(pods: PodVeth[], form: PodForm, c: Collected, raw: Map<string, string>, launched?: { exitCode?: number; text: string; ms: number }): PodNetns[] | undefined {
  const texts = launched?.exitCode === 0 ? splitBatchOutput(launched.text, pods.length) : undefined;
  if (texts === undefined) return undefined;
  let found: PodNetns[];
  try {
    found = pods.map((p, i) => podOf(texts[i], p));
  } catch {
    return undefined;
  }
  if (!found.every((pod, i) => pod.iflink === pods[i].veth.ifindex)) return undefined;
  pods.forEach((p, i) => {
    raw.set(`pods/${p.netns}/ip-addr.txt`, texts[i]);
    c.commands.push({ name: 'pod-ip-addr', argv: podArgv(form, p.netns), ok: true, form: 'json', ms: launched!.ms });
  });
  return found;
}

/**
 * The pod whose read ran when the launcher stopped at its limit: the one after the slice's complete lines (one
 * JSON line per pod, as podsOfSlice reads them); undefined when it was not stopped so, or those lines are not such.
 */
function hungPod(pods: PodVeth[], o: SliceOutput | undefined): PodVeth | undefined {
  if (o?.timeoutMs === undefined) return undefined;
  const complete = o.text.split('\n').slice(0, -1);
  return complete.every(isJsonLine) ? pods[complete.length] : undefined;
}

/** One pod, one process, in `form`; `hung`: the launcher's slice stopped in this pod's read (its timeout, not run again). */
async function podAlone(p: PodVeth, form: PodForm, c: Collected, raw: Map<string, string>, timeoutMs?: number, hung?: SliceOutput): Promise<PodNetns | undefined> {
  const argv = podArgv(form, p.netns);
  const r = hung?.timeoutMs === undefined ? await run(argv, { timeoutMs }) : timedOutResult({ argv, stdout: hung.text.split('\n').at(-1)!, stderr: '', ms: hung.ms }, hung.timeoutMs);
  const result: CommandResult = { name: 'pod-ip-addr', argv: r.argv, ok: r.ok, form: 'json', ms: r.ms, ...(r.timedOut ? { timedOut: true } : {}), ...(r.error ? { error: r.error } : {}) };
  c.commands.push(result);
  if (!r.ok) return undefined;
  try {
    const pod = podOf(r.stdout, p);
    raw.set(`pods/${p.netns}/ip-addr.txt`, r.stdout);
    return pod;
  } catch (error) {
    Object.assign(result, { ok: false, error: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}
