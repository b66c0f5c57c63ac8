// Pods of a live node: the named namespaces at the far end of its veths, each read with `ip -n NS -j addr show`, or
// on a node with many mounts `nsenter --net=/var/run/netns/NS ip -j addr show` (pod-form.ts). The launcher's shell
// reads them, each its own section, in slices side by side, one after another in each (the `netns exec` lines of an
// `ip -batch` cost more: each forks that `ip`, a larger process than the shell, and switches namespaces there before
// starting `ip` again; 20 pods one after another: 32.4 vs 26.8 ms). It starts, unasked, with the namespaces that
// `ip netns list-id` names (this namespace's veth peers: its pods, and maybe a namespace that is not one, read and
// left); a pod it did not name is asked for once the links are read. A read the launcher did not answer, or no
// launcher: one process per pod from here, in the same form, except a read that hung (the launcher was stopped in
// it): that one timed out.
import { availableParallelism } from 'node:os';
import type { CommandResult, Link, PodNetns } from '../model/index.js';
import { parseIpAddr } from '../parse/index.js';
import { podFromAddr } from './assemble.js';
import { isJsonLine, slices } from './batch.js';
import type { Collected, Step } from './commands.js';
import { ASKED_PODS_FDS } from './early.js';
import { mapLimit } from './limit.js';
import { type PodForm } from './pod-form.js';
import { isNetnsName, NETNS_RUN_DIR, run, timedOutResult } from './runner.js';

/** One pod's read by the launcher (see launcher.ts's LaunchedOutput) */
type PodOutput = { exitCode?: number; text: string; ms: number; timeoutMs?: number };

/** What collectPods needs of the launcher. */
export interface PodReads {
  /** the namespaces it reads unasked (`ip netns list-id`'s names) */
  named: Set<string>;
  /** ask for these namespaces' reads (before the requests are sent); false when it cannot take them */
  ask(namespaces: string[]): boolean;
  /** a namespace's read, or undefined when the launcher ended without it */
  read(netns: string): Promise<PodOutput | undefined>;
}

const CONCURRENCY = 4;
// a slice reads its pods one after another (≈ 1.3 ms each): slices of this many pods run side by side, one per
// core at most
const PODS_PER_SLICE = 8;
// one launcher fd per slice asked for
const MAX_SLICES = ASKED_PODS_FDS.length;

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
 * Pods: the named namespaces at the far end of this node's veths (nsid -> name from NETNS_IDS_STEP), read in `form`
 * by the launcher (`reads`): asks for those it did not name before its first await (the caller then sends the
 * requests). `timeoutMs`: each read run here.
 */
export async function collectPods(links: Link[], c: Collected, raw: Map<string, string>, tick: (s: string) => void, grow: (steps: number) => void, form: PodForm, reads?: PodReads, timeoutMs?: number): Promise<void> {
  // the names go onto a command line (ip -n NAME): only well-formed ones
  const nameOf = new Map((c.netnsIds ?? []).filter((i) => i.name !== undefined && isNetnsName(i.name)).map((i) => [i.nsid, i.name!]));
  const pods = links.filter((l) => isPodVeth(l, links, c) && nameOf.has(l.linkNetnsid!)).map((veth) => ({ netns: nameOf.get(veth.linkNetnsid!)!, veth }));
  grow(pods.length);
  if (pods.length === 0) return;
  const answered = new Set(reads ? pods.filter((p) => reads.named.has(p.netns)) : []);
  for (const chunk of podSlices(pods.filter((p) => !answered.has(p)))) if (reads?.ask(chunk.map((p) => p.netns))) chunk.forEach((p) => answered.add(p));
  const outs = await Promise.all(pods.map((p) => (answered.has(p) ? reads!.read(p.netns) : undefined)));
  const found = await mapLimit(
    pods.map((p, i) => ({ p, o: outs[i] })),
    CONCURRENCY,
    async ({ p, o }) => podOfLauncher(p, form, c, raw, o) ?? (await podAlone(p, form, c, raw, timeoutMs, o)),
  );
  for (const p of pods) tick(`pod ${p.netns}`);
  for (const p of found) if (p) c.pods.push(p);
}

/** the argv of a pod's read in each form (the launcher's podRead runs the same) */
export const podArgv = (form: PodForm, netns: string): string[] => (form === 'nsenter' ? ['nsenter', `--net=${NETNS_RUN_DIR}/${netns}`, 'ip', '-j', 'addr', 'show'] : ['ip', '-n', netns, '-j', 'addr', 'show']);

/**
 * The pod from the launcher's read of its namespace, or undefined (nothing recorded) unless that read worked: one
 * JSON line whose interface is the peer of this pod's host veth.
 */
function podOfLauncher(p: PodVeth, form: PodForm, c: Collected, raw: Map<string, string>, o: PodOutput | undefined): PodNetns | undefined {
  if (o?.exitCode !== 0 || !isJsonLine(o.text.trimEnd())) return undefined;
  let pod: PodNetns;
  try {
    pod = podOf(o.text, p);
  } catch {
    return undefined;
  }
  if (pod.iflink !== p.veth.ifindex) return undefined;
  raw.set(`pods/${p.netns}/ip-addr.txt`, o.text);
  c.commands.push({ name: 'pod-ip-addr', argv: podArgv(form, p.netns), ok: true, form: 'json', ms: o.ms });
  return pod;
}

/** One pod, one process, in `form`; unless the launcher was stopped at its limit in this read (`o`): it timed out, not run again. */
async function podAlone(p: PodVeth, form: PodForm, c: Collected, raw: Map<string, string>, timeoutMs?: number, o?: PodOutput): Promise<PodNetns | undefined> {
  const argv = podArgv(form, p.netns);
  const r = o?.timeoutMs === undefined ? await run(argv, { timeoutMs }) : timedOutResult({ argv, stdout: o.text, stderr: '', ms: o.ms }, o.timeoutMs);
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
