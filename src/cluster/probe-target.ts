// probe in cluster mode: reach the probe's target node over ssh (--ssh-hosts) or kubectl (--kube: exec into the
// flannel pod on it) and read its state exactly as `collect --all` does for one node (the same remote script
// and parsers), so its devices can be listened on too.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInputFile } from '../collect/input.js';
import { readSnapshotFile } from '../collect/snapshot-file.js';
import { EnvironmentError, UsageError } from '../errors.js';
import type { Snapshot } from '../model/snapshot.js';
import { collectCluster, fileName } from './collect.js';
import { parseHostsFile } from './hosts.js';
import { discoverKube, type KubeOptions, kubeTransport } from './kube.js';
import { sshTransport } from './ssh.js';
import type { Transport } from './transport.js';

export interface SshFlags {
  hosts: string;
  identity?: string;
  config?: string;
  options?: string[];
}

/** How the target node is reached: an ssh hosts file, or the kube API (node names are the leases' names). */
export type TargetReach = { ssh: SshFlags } | { kube: KubeOptions };

export interface TargetNode {
  transport: Transport;
  /** the node's name in the hosts file / the cluster */
  node: string;
  snapshot: Snapshot;
}

/** The target node (by its lease name, else — over ssh — by its IP), and its state read over the transport. */
export async function reachTargetNode(reach: TargetReach, target: { ip: string; name?: string }, timeoutSec: number): Promise<TargetNode> {
  const { transport, node } = 'ssh' in reach ? await sshTarget(reach.ssh, target, timeoutSec) : await kubeTarget(reach.kube, target);
  const dir = await mkdtemp(join(tmpdir(), 'flanctl-probe-target-'));
  try {
    const manifest = await collectCluster({ transport, outDir: dir, parallel: 1, timeoutMs: timeoutSec * 1000, now: () => new Date() });
    const n = manifest.nodes[0];
    if (!n?.ok) throw new EnvironmentError(`cannot read the target node ${node} over ${transport.kind}: ${n?.error ?? 'no answer'}`);
    return { transport, node, snapshot: await readSnapshotFile(join(dir, `${fileName(node)}.json`)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function sshTarget(f: SshFlags, target: { ip: string; name?: string }, timeoutSec: number): Promise<{ transport: Transport; node: string }> {
  const text = await readInputFile(f.hosts, '--ssh-hosts');
  const targets = parseHostsFile(text, f.hosts);
  const t = targets.find((x) => x.name === target.name) ?? targets.find((x) => x.host === target.ip || x.name === target.ip);
  if (!t) throw new UsageError(`${f.hosts} has no entry for the target node ${target.name ?? ''} (${target.ip})`.replace(' ()', ''), 'add it, by name or by IP');
  return { transport: sshTransport([t], { configFile: f.config, identity: f.identity, options: f.options, connectTimeout: Math.min(10, timeoutSec) }), node: t.name };
}

/** The cluster's node of the target's lease name; the transport reaches that node only. */
async function kubeTarget(o: KubeOptions, target: { ip: string; name?: string }): Promise<{ transport: Transport; node: string }> {
  const cluster = await discoverKube(o);
  const node = target.name;
  if (!node || !cluster.nodes.includes(node)) throw new EnvironmentError(`the cluster has no node ${node ?? `for ${target.ip}`} (the target's lease)`, 'is the lease from this cluster? (--context)');
  return { transport: kubeTransport(o, { ...cluster, nodes: [node] }), node };
}
