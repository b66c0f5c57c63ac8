// Pods of a live node: the named namespaces at the far end of its veths, each read with `ip -n NS -j addr show`.
// The launcher's shell reads them in a few slices side by side, one `ip -n` after another in each (the `netns
// exec` lines of an `ip -batch` cost more: each forks that `ip`, a larger process than the shell, and switches
// namespaces there before starting `ip` again; 20 pods one after another: 32.4 vs 26.8 ms). A slice that did not
// answer for each of its pods, or no launcher: one process per pod from here, except the pod whose `ip -n` hung
// (the launcher was stopped in it): that one timed out.
import { availableParallelism } from 'node:os';
import type { CommandResult, Link, PodNetns } from '../model/index.js';
import { parseIpAddr } from '../parse/index.js';
import { podFromAddr } from './assemble.js';
import { slices, splitBatchOutput } from './batch.js';
import type { Collected, Step } from './commands.js';
import { mapLimit } from './limit.js';
import { isNetnsName, run, timedOutResult } from './runner.js';

/** A slice's output from the launcher (undefined when it did not answer): see launcher.ts's LaunchedOutput */
type SliceOutput = { exitCode?: number; text: string; ms: number; timeoutMs?: number };
export type LaunchPods = (namespaces: string[]) => Promise<SliceOutput | undefined>;

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
 * Pods: the named namespaces at the far end of this node's veths (nsid -> name from NETNS_IDS_STEP). Asks `launch`
 * for its slices before its first await (the caller then sends the requests). `timeoutMs`: each `ip -n` run here.
 */
export async function collectPods(links: Link[], c: Collected, raw: Map<string, string>, tick: (s: string) => void, grow: (steps: number) => void, launch?: LaunchPods, timeoutMs?: number): Promise<void> {
  // the names go onto a command line (ip -n NAME): only well-formed ones
  const nameOf = new Map((c.netnsIds ?? []).filter((i) => i.name !== undefined && isNetnsName(i.name)).map((i) => [i.nsid, i.name!]));
  const pods = links.filter((l) => isPodVeth(l, links, c) && nameOf.has(l.linkNetnsid!)).map((veth) => ({ netns: nameOf.get(veth.linkNetnsid!)!, veth }));
  grow(pods.length);
  if (pods.length === 0) return;
  const launched = launch ? podSlices(pods).map((chunk) => ({ chunk, out: launch(chunk.map((p) => p.netns)) })) : [{ chunk: pods, out: Promise.resolve(undefined) }];
  const found = await Promise.all(
    launched.map(async ({ chunk, out }) => {
      const o = await out;
      const hung = hungPod(chunk, o);
      return podsOfSlice(chunk, c, raw, o) ?? (await mapLimit(chunk, CONCURRENCY, (p) => podAlone(p, c, raw, timeoutMs, p === hung ? o : undefined)));
    }),
  );
  for (const p of pods) tick(`pod ${p.netns}`);
  for (const p of found.flat()) if (p) c.pods.push(p);
}

/** `ip -n NS -j addr show`'s argv */
const podArgv = (netns: string): string[] => ['ip', '-n', netns, '-j', 'addr', 'show'];

/**
 * These pods from the launcher's slice, or undefined (nothing recorded) unless it answered for each: one JSON line
 * per pod whose interface is the peer of that pod's host veth. A pod gone mid-way fails its `ip -n`, which ends
 * the slice.
 */
function podsOfSlice(pods: PodVeth[], c: Collected, raw: Map<string, string>, launched?: { exitCode?: number; text: string; ms: number }): PodNetns[] | undefined {
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
    c.commands.push({ name: 'pod-ip-addr', argv: podArgv(p.netns), ok: true, form: 'json', ms: launched!.ms });
  });
  return found;
}

/**
 * The pod whose `ip -n` ran when the launcher stopped at its limit: the one after the slice's complete lines (one
 * JSON line per pod, as podsOfSlice reads them); undefined when it was not stopped so, or those lines are not such.
 */
function hungPod(pods: PodVeth[], o: SliceOutput | undefined): PodVeth | undefined {
  if (o?.timeoutMs === undefined) return undefined;
  const complete = o.text.split('\n').slice(0, -1);
  return complete.every((l) => l.startsWith('[') && l.endsWith(']')) ? pods[complete.length] : undefined;
}

/** One pod, one process: `ip -n NS -j addr show`; `hung`: the launcher's slice stopped in this pod's (its timeout, not run again). */
async function podAlone(p: PodVeth, c: Collected, raw: Map<string, string>, timeoutMs?: number, hung?: SliceOutput): Promise<PodNetns | undefined> {
  const argv = podArgv(p.netns);
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
