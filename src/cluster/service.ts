// The services the commands call in cluster mode: flags in, one call, a result to render.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { UsageError } from '../errors.js';
import { type DesiredOptions, loadDesiredState, parseNodesJson } from '../leases/index.js';
import type { DesiredState } from '../model/lease.js';
import type { Snapshot } from '../model/snapshot.js';
import type { RepairPlan } from '../repair/plan.js';
import { type ClusterManifest, collectCluster, type Reach } from './collect.js';
import { type ClusterDir, loadClusterDir } from './dir.js';
import { checkTarget, parseHostsFile } from './hosts.js';
import { discoverKube, kubeTransport } from './kube.js';
import { nodeProgress } from './progress.js';
import { applyCluster, clusterRepairJson, leasesFromSnapshots, planCluster } from './repair.js';
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
    const text = await readFile(f['ssh-hosts'], 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${f['ssh-hosts']}: ${error.code === 'ENOENT' ? 'no such file' : error.code}`);
    });
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
    await writeFile(join(dir, 'nodes.json'), kube.nodesJson);
    // pod names -> IPs and nodes (only those: pod specs can hold secrets), for `trace <pod> <ip> --cluster`
    await writeFile(join(dir, 'pods.json'), JSON.stringify(kube.podPlaces, null, 2) + '\n');
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

export function renderCollectAll(r: CollectAllResult): string {
  const ok = r.nodes.filter((n) => n.ok);
  const lines = [`collected ${ok.length}/${r.nodes.length} nodes over ${r.transport} into ${r.dir}`];
  for (const n of r.nodes) {
    const steps = n.failedSteps?.length ? ` (not collected there: ${n.failedSteps.join(', ')})` : '';
    lines.push(n.ok ? `  ✓ ${n.name}  ${(n.ms / 1000).toFixed(1)} s  ${n.file}${steps}` : `  ✗ ${n.name}  ${n.error}`);
  }
  if (ok.length < r.nodes.length) lines.push(`partial: ${r.nodes.length - ok.length} node(s) missing; the others are analysed by \`flanctl doctor --cluster ${r.dir}\``);
  return lines.join('\n');
}

/** The transport that collected a cluster directory, rebuilt from its manifest (for repair --apply). */
export async function transportFromManifest(manifest: ClusterManifest | undefined, dir: string): Promise<Transport> {
  if (manifest?.reach?.ssh) return sshTransport(manifest.reach.ssh.targets.map((t) => checkTarget(t, `${dir}/cluster.json`)), manifest.reach.ssh.options);
  if (manifest?.reach?.kube) return kubeTransport(manifest.reach.kube, await discoverKube(manifest.reach.kube));
  throw new UsageError(`${dir} does not say how its nodes were reached`, 'collect it with `flanctl collect --all --ssh-hosts FILE|--kube -o DIR` first');
}

/** `--cluster DIR` for the analysis commands: every snapshot in it, and the desired state from the flags or its nodes.json. */
export async function loadClusterState(dir: string, desiredOpts: DesiredOptions): Promise<{ cluster: ClusterDir; snapshots: Snapshot[]; desired?: DesiredState }> {
  const cluster = await loadClusterDir(dir);
  let desired = await loadDesiredState(desiredOpts);
  if (!desired && cluster.nodesFile) desired = parseNodesJson(await readFile(cluster.nodesFile, 'utf8'), 'nodes-file');
  return { cluster, snapshots: cluster.snapshots, desired };
}

export interface ClusterRepairInput {
  dir: string;
  apply: boolean;
  yes: boolean;
  json: boolean;
  journalDir: string;
  /** per node, seconds */
  timeout: number;
  desired: DesiredOptions;
}

export interface ClusterRepairResult {
  json: ReturnType<typeof clusterRepairJson> & { unreachable: ClusterDir['unreachable']; desiredFrom: string };
  text: string;
  /** 1: the dry run plans changes; 3: a node failed */
  exitCode: 0 | 1 | 3;
}

/**
 * `repair --cluster DIR [--apply]`. Desired state: the flags (or the directory's nodes.json) when given, else the
 * leases as the nodes themselves show them (each node's real flannel.1 MAC and IP — what the matrix checks).
 */
export async function repairCluster(i: ClusterRepairInput): Promise<ClusterRepairResult> {
  const { cluster, snapshots, desired: given } = await loadClusterState(i.dir, i.desired);
  const desired = given ?? leasesFromSnapshots(snapshots);
  const desiredFrom = given ? 'the given desired state' : "the nodes' own flannel.1 (MAC, local IP, subnet)";
  const plans = planCluster(snapshots, desired);
  const total = plans.reduce((n, p) => n + p.actions.length, 0);
  // a refused lease or route (leases/validate.ts, repair/plan routeGuard) stays a problem: exit 1 at least
  const refused = plans.some((p) => p.skipped.some((s) => s.code));
  const planText = [renderClusterPlan(plans, cluster.unreachable, desiredFrom), `Applied over: ${describeReach(cluster.manifest)}`].join('\n');
  if (!i.apply || total === 0) {
    const json = { ...clusterRepairJson(plans, undefined), unreachable: cluster.unreachable, desiredFrom };
    if (total === 0) json.applied = i.apply;
    return { json, text: `${planText}\n\n${total === 0 ? 'nothing to repair' : 'dry run: nothing was changed; run with --apply to execute, node by node'}`, exitCode: (total && !i.apply) || refused ? 1 : 0 };
  }
  if (process.stdin.isTTY && !i.yes && !i.json && !(await confirm(planText, total))) {
    return { json: { ...clusterRepairJson(plans, undefined), unreachable: cluster.unreachable, desiredFrom }, text: 'aborted: nothing was changed', exitCode: 0 };
  }
  const transport = await transportFromManifest(cluster.manifest, i.dir);
  const applied = await applyCluster(plans, transport, { journalDir: i.journalDir, now: () => new Date(), timeoutMs: i.timeout * 1000 });
  const json = { ...clusterRepairJson(plans, applied), unreachable: cluster.unreachable, desiredFrom };
  const lines = applied.map((a) => `  ${a.status === 'applied' ? '✓' : a.status === 'failed' ? '✗' : '·'} ${a.node}: ${a.status}${a.applied ? ` (${a.applied} action(s))` : ''}${a.journal ? `, journal ${a.journal} on the node` : ''}${a.error ? ` — ${a.error}` : ''}`);
  const failed = applied.find((a) => a.status === 'failed');
  const footer = failed ? `stopped at ${failed.node}; nodes after it were not touched. On ${failed.node}: flanctl repair --undo --journal-dir ${i.journalDir}` : 'applied on every node that needed it; collect again and run doctor --cluster to confirm';
  return { json, text: [planText, '', 'Applied node by node:', ...lines, '', footer].join('\n'), exitCode: failed ? 3 : refused ? 1 : 0 };
}

function renderClusterPlan(plans: RepairPlan[], unreachable: ClusterDir['unreachable'], desiredFrom: string): string {
  const out = [`Desired state: ${desiredFrom}.`];
  for (const p of plans) {
    if (p.actions.length === 0 && p.skipped.length === 0) {
      out.push(`node ${p.node}: nothing to repair`);
      continue;
    }
    out.push(`node ${p.node}: ${p.actions.length} action(s)`);
    for (const a of p.actions) out.push(`    ${a.command}    # ${a.reason}`);
    for (const s of p.skipped) out.push(`    skipped ${s.target}: ${s.reason}`);
  }
  for (const u of unreachable) out.push(`node ${u.name}: not collected (${u.error}), not repaired`);
  return out.join('\n');
}

async function confirm(plan: string, n: number): Promise<boolean> {
  process.stderr.write(`${plan}\n\n`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`Run these ${n} command(s), node by node? [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** How --apply will reach the nodes, shown with the plan (it comes from the directory's cluster.json). */
function describeReach(m: ClusterManifest | undefined): string {
  const ssh = m?.reach?.ssh;
  if (ssh) {
    const o = ssh.options;
    return ['ssh', o.configFile && `-F ${o.configFile}`, o.identity && `-i ${o.identity}`, ...(o.options ?? []).map((x) => `-o ${x}`)].filter(Boolean).join(' ') + ` to ${ssh.targets.map((t) => t.host).join(', ')}`;
  }
  const kube = m?.reach?.kube;
  if (kube) return ['kubectl', kube.kubeconfig && `--kubeconfig ${kube.kubeconfig}`, kube.context && `--context ${kube.context}`].filter(Boolean).join(' ');
  return 'nothing recorded (collect the directory with collect --all first)';
}
