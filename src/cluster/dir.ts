// `--cluster DIR`: the directory `collect --all -o DIR` wrote. The manifest names the nodes that
// answered and those that did not; without a manifest every *.json snapshot in DIR is a node.
import { readdir } from 'node:fs/promises';
import { readInputFile } from '../collect/input.js';
import { printable } from '../model/text.js';
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';
import { readSnapshotFile } from '../collect/snapshot-file.js';
import type { Snapshot } from '../model/snapshot.js';
import { type ClusterManifest, MANIFEST } from './collect.js';
import type { PodPlace } from './kube.js';

export interface ClusterDir {
  dir: string;
  snapshots: Snapshot[];
  /** nodes the collection could not reach: reported, not analysed */
  unreachable: { name: string; error: string }[];
  manifest?: ClusterManifest;
  /** pod names, IPs and nodes (pods.json, kube transport) */
  pods: PodPlace[];
  /** `kubectl get nodes -o json` saved beside the snapshots (kube transport), as desired state */
  nodesFile?: string;
}

const NOT_SNAPSHOTS = new Set([MANIFEST, 'nodes.json', 'pods.json']);

export async function loadClusterDir(dir: string): Promise<ClusterDir> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read cluster directory ${dir}: ${code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : code}`, 'write one with `flanctl collect --all -o DIR`');
  }
  const out: ClusterDir = { dir, snapshots: [], unreachable: [], pods: names.includes('pods.json') ? await readPods(join(dir, 'pods.json')) : [], ...(names.includes('nodes.json') ? { nodesFile: join(dir, 'nodes.json') } : {}) };
  let files: string[];
  if (names.includes(MANIFEST)) {
    const manifest = parseManifest(await readInputFile(join(dir, MANIFEST), 'cluster manifest'), join(dir, MANIFEST));
    out.manifest = manifest;
    // snapshot names are file names inside DIR, never paths elsewhere
    files = manifest.nodes.filter((n) => n.ok && n.file && basename(n.file) === n.file).map((n) => n.file!);
    out.unreachable = manifest.nodes.filter((n) => !n.ok).map((n) => ({ name: n.name, error: n.error ?? 'failed' }));
  } else {
    files = names.filter((n) => n.endsWith('.json') && !NOT_SNAPSHOTS.has(n));
  }
  for (const f of files) out.snapshots.push(await readSnapshotFile(join(dir, f)));
  if (out.snapshots.length === 0) {
    throw new UsageError(`${dir} holds no node snapshots${out.unreachable.length ? ` (every node failed: ${out.unreachable.map((u) => u.name).join(', ')})` : ''}`);
  }
  return out;
}

async function readPods(path: string): Promise<PodPlace[]> {
  try {
    const list = JSON.parse(await readInputFile(path, 'pod list')) as unknown;
    if (!Array.isArray(list)) throw new Error('not a list');
    return list.filter((p): p is PodPlace => typeof p?.name === 'string' && typeof p?.namespace === 'string' && typeof p?.ip === 'string' && typeof p?.node === 'string');
  } catch (error) {
    throw new UsageError(`${path}: not a pod list written by collect --all --kube (${error instanceof Error ? error.message : error})`);
  }
}

/** cluster.json: JSON with a node list, else a one-line usage error (item 15: it was "internal error"). */
function parseManifest(text: string, path: string): ClusterManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError(`${path}: not JSON (written by \`flanctl collect --all -o DIR\`)`);
  }
  const nodes = (doc as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes) || !nodes.every((n) => typeof n === 'object' && n !== null && typeof (n as { name?: unknown }).name === 'string')) {
    throw new UsageError(`${path}: not a cluster manifest (no node list)`);
  }
  const manifest = doc as ClusterManifest;
  // names and errors are shown on the terminal (unreachable nodes): escaped, never raw control characters
  return { ...manifest, nodes: manifest.nodes.map((n) => ({ ...n, name: printable(n.name), ...(n.error !== undefined ? { error: printable(String(n.error)) } : {}) })) };
}
