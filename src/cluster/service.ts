// Cluster mode's machinery for the services: collect --all over a transport, a cluster directory loaded with its
// desired state, and the transport that collected a directory rebuilt for repair --apply.
import { mkdir } from 'node:fs/promises';
import { writeOutputFile } from '../collect/output.js';
import { join } from 'node:path';
import { readInputFile } from '../collect/input.js';
import { UsageError } from '../errors.js';
import { type DesiredOptions, loadDesiredState } from '../leases/index.js';
import { parseNodesJson } from '../leases/kube.js';
import type { DesiredState } from '../model/lease.js';
import type { Snapshot } from '../model/snapshot.js';
import { type ClusterManifest, collectCluster, type Reach } from './collect.js';
import { type ClusterDir, loadClusterDir } from './dir.js';
import { checkTarget, parseHostsFile } from './hosts.js';
import { reachFromFlags, type ReachFlags } from './reach.js';
import { discoverKube, kubeTransport } from './kube.js';
import { nodeProgress } from './progress.js';
import { sshTransport } from './ssh.js';
import type { Transport } from './transport.js';

export interface CollectAllInput {
  output?: string;
  'ssh-hosts'?: string;
  'ssh-identity'?: string;
  'ssh-config'?: string;
  'ssh-option'?: string[];
  kube?: boolean;
  kubeconfig?: string;
  context?: string;
  'flannel-selector'?: string;
  'flannel-container'?: string;
  'debug-image'?: string;
  parallel: number;
  timeout: number;
}

export interface CollectAllResult extends ClusterManifest {
  dir: string;
}

export async function collectAll(f: CollectAllInput): Promise<CollectAllResult> {
  if (!f.output) throw new UsageError('--all writes one snapshot per node into a directory: give -o DIR');
  if (!f['ssh-hosts'] === !f.kube) throw new UsageError('--all needs one way to reach the nodes: --ssh-hosts FILE or --kube');
  const dir = f.output;
  let transport: Transport;
  let reach: Reach;
  if (f['ssh-hosts']) {
    const text = await readInputFile(f['ssh-hosts'], '--ssh-hosts');
    const sshConfig = { configFile: f['ssh-config'], identity: f['ssh-identity'], options: f['ssh-option'], connectTimeout: Math.min(10, f.timeout) };
    const targets = parseHostsFile(text, f['ssh-hosts']);
    transport = sshTransport(targets, sshConfig);
    reach = { ssh: { targets, options: sshConfig } };
    await mkdir(dir, { recursive: true });
  } else {
    const o = { kubeconfig: f.kubeconfig, context: f.context, selector: f['flannel-selector'], container: f['flannel-container'], debugImage: f['debug-image'] };
    const kube = await discoverKube(o);
    await mkdir(dir, { recursive: true });
    // the nodes' annotations are the leases: kept beside the snapshots as the cluster's desired state
    await writeOutputFile(join(dir, 'nodes.json'), kube.nodesJson);
    // pod names -> IPs and nodes (only those: pod specs can hold secrets), for `trace <pod> <ip> --cluster`
    await writeOutputFile(join(dir, 'pods.json'), JSON.stringify(kube.podPlaces, null, 2) + '\n');
    transport = kubeTransport(o, kube);
    reach = { kube: o };
  }
  const progress = nodeProgress(await transport.nodes(), `collecting over ${transport.kind} (${f.parallel} at a time)`);
  try {
    const manifest = await collectCluster({ transport, reach, outDir: dir, parallel: f.parallel, timeoutMs: f.timeout * 1000, now: () => new Date(), onEvent: progress.onEvent });
    return { dir, ...manifest };
  } finally {
    progress.done();
  }
}

/** The transport that collected a cluster directory: its hosts, with the options given again now (reach.ts). */
export async function transportFromManifest(recorded: ClusterManifest | undefined, dir: string, flags: ReachFlags = {}): Promise<Transport> {
  const manifest = recorded?.reach ? { ...recorded, reach: reachFromFlags(recorded.reach, flags, dir) } : recorded;
  if (manifest?.reach?.ssh) return sshTransport(manifest.reach.ssh.targets.map((t) => checkTarget(t, `${dir}/cluster.json`)), manifest.reach.ssh.options);
  if (manifest?.reach?.kube) return kubeTransport(manifest.reach.kube, await discoverKube(manifest.reach.kube));
  throw new UsageError(`${dir} does not say how its nodes were reached`, 'collect it with `flanctl collect --all --ssh-hosts FILE|--kube -o DIR` first');
}

/** `--cluster DIR` for the analysis commands: every snapshot in it, and the desired state from the flags or its nodes.json. */
export async function loadClusterState(dir: string, desiredOpts: DesiredOptions): Promise<{ cluster: ClusterDir; snapshots: Snapshot[]; desired?: DesiredState }> {
  const cluster = await loadClusterDir(dir);
  let desired = await loadDesiredState(desiredOpts);
  if (!desired && cluster.nodesFile) desired = parseNodesJson(await readInputFile(cluster.nodesFile, 'nodes file'), 'nodes-file');
  return { cluster, snapshots: cluster.snapshots, desired };
}
