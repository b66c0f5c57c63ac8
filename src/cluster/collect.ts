// `collect --all`: every node at once through a transport, one snapshot per node into a directory.
//   DIR/<node>.json      the node's Snapshot (same as `flanctl collect -o FILE` on that node)
//   DIR/raw/<node>/      the raw outputs under their --from-dir names (paste-able into a ticket)
//   DIR/cluster.json     the manifest: which nodes answered, which did not and why
import { mkdir, rm } from 'node:fs/promises';
import { writeOutputFile } from '../collect/output.js';
import { join } from 'node:path';
import { newNonce } from '../collect/frame.js';
import { loadFromDir } from '../collect/from-dir.js';
import { writeSnapshotFile } from '../collect/snapshot-file.js';
import type { Snapshot } from '../model/snapshot.js';
import { fanOut, type NodeState } from './fanout.js';
import type { SshTarget } from './hosts.js';
import type { KubeOptions } from './kube.js';
import type { SshOptions } from './ssh.js';
import { foreignSections, REMOTE_SCRIPT, splitRemoteOutput, STEP_OF_FILE } from './remote-script.js';
import type { Transport } from './transport.js';

export const MANIFEST = 'cluster.json';

export interface ManifestNode {
  name: string;
  ok: boolean;
  /** snapshot file, relative to the directory */
  file?: string;
  error?: string;
  timedOut?: boolean;
  ms: number;
  /** steps that ran but failed on the node (missing tool, no file): the snapshot lacks them */
  failedSteps?: string[];
  /** sections the node printed under names that are no step file (escaped, shortened, at most 20): not saved */
  foreignSections?: string[];
  /** how many more such names the node printed than foreignSections lists */
  foreignSectionsMore?: number;
}

/** How the nodes were reached: `repair --cluster --apply` goes back the same way. */
export interface Reach {
  ssh?: { targets: SshTarget[]; options: SshOptions };
  kube?: KubeOptions;
}

export interface ClusterManifest {
  schemaVersion: 1;
  time: string;
  transport: Transport['kind'];
  reach?: Reach;
  nodes: ManifestNode[];
}

export interface ClusterCollectOptions {
  transport: Transport;
  reach?: Reach;
  outDir: string;
  parallel: number;
  timeoutMs: number;
  /** the clock, passed in: the manifest's time */
  now: () => Date;
  onEvent?: (name: string, state: NodeState, detail?: string) => void;
}

export async function collectCluster(o: ClusterCollectOptions): Promise<ClusterManifest> {
  const names = await o.transport.nodes();
  await mkdir(join(o.outDir, 'raw'), { recursive: true });
  const outcomes = await fanOut(names, o, (name, signal) => collectNode(o, name, signal));
  const manifest: ClusterManifest = {
    schemaVersion: 1,
    time: o.now().toISOString(),
    transport: o.transport.kind,
    ...(o.reach ? { reach: o.reach } : {}),
    nodes: outcomes.map((r) => ({
      name: r.name,
      ok: r.ok,
      ms: r.ms,
      ...(r.ok ? { file: `${fileName(r.name)}.json` } : { error: r.error }),
      ...(r.timedOut ? { timedOut: true } : {}),
      ...(r.value?.failed.length ? { failedSteps: r.value.failed } : {}),
      ...(r.value?.foreign.names.length ? { foreignSections: r.value.foreign.names } : {}),
      ...(r.value?.foreign.more ? { foreignSectionsMore: r.value.foreign.more } : {}),
    })),
  };
  await writeOutputFile(join(o.outDir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** Node names become file names: keep them to one path component. */
export const fileName = (node: string): string => node.replace(/[^A-Za-z0-9_.:-]/g, '_').replace(/^\.+/, '_');

/** Collect one node; returns the steps that failed there and the names of the sections that are no step. */
async function collectNode(o: ClusterCollectOptions, name: string, signal: AbortSignal): Promise<{ failed: string[]; foreign: { names: string[]; more: number } }> {
  const nonce = newNonce();
  const r = await o.transport.runScript(name, REMOTE_SCRIPT, [nonce], signal);
  const outputs = splitRemoteOutput(r.stdout, nonce);
  if (outputs.length === 0) {
    const why = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean).pop();
    throw new Error(`no output from the node (exit ${r.exitCode}${why ? `: ${why}` : ''})`);
  }
  const rawDir = join(o.outDir, 'raw', fileName(name));
  await rm(rawDir, { recursive: true, force: true });
  await mkdir(rawDir, { recursive: true });
  // splitRemoteOutput keeps only the step files' names; checked again here because this line writes files
  for (const out of outputs) if (out.text !== '' && STEP_OF_FILE.has(out.file)) await writeOutputFile(join(rawDir, out.file), out.text);
  // parsing and assembly are exactly what --from-dir does with the same files
  const { snapshot } = await loadFromDir(rawDir);
  const named: Snapshot = {
    ...snapshot,
    host: name,
    source: { kind: o.transport.kind, name },
    commands: outputs.map((s) => ({ name: STEP_OF_FILE.get(s.file) ?? s.file, file: s.file, ok: s.ok, form: 'remote', ...(s.error ? { error: s.error } : {}) })),
  };
  await writeSnapshotFile(join(o.outDir, `${fileName(name)}.json`), named);
  return { failed: outputs.filter((s) => !s.ok).map((s) => s.file), foreign: foreignSections(r.stdout, nonce) };
}
