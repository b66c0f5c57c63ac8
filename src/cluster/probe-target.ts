// probe --ssh-hosts: reach the probe's target node over ssh and read its state, exactly as `collect --all` does
// for one node (the same remote script and parsers), so its devices can be listened on too.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInputFile } from '../collect/input.js';
import { readSnapshotFile } from '../collect/snapshot-file.js';
import { EnvironmentError, UsageError } from '../errors.js';
import type { Snapshot } from '../model/snapshot.js';
import { collectCluster, fileName } from './collect.js';
import { parseHostsFile } from './hosts.js';
import { sshTransport } from './ssh.js';
import type { Transport } from './transport.js';

export interface SshFlags {
  hosts: string;
  identity?: string;
  config?: string;
  options?: string[];
}

export interface TargetNode {
  transport: Transport;
  /** the node's name in the hosts file */
  node: string;
  snapshot: Snapshot;
}

/** The hosts-file entry for the target node (by its lease name, else by its IP), and its state read over ssh. */
export async function reachTargetNode(f: SshFlags, target: { ip: string; name?: string }, timeoutSec: number): Promise<TargetNode> {
  const text = await readInputFile(f.hosts, '--ssh-hosts');
  const targets = parseHostsFile(text, f.hosts);
  const t = targets.find((x) => x.name === target.name) ?? targets.find((x) => x.host === target.ip || x.name === target.ip);
  if (!t) throw new UsageError(`${f.hosts} has no entry for the target node ${target.name ?? ''} (${target.ip})`.replace(' ()', ''), 'add it, by name or by IP');
  const transport = sshTransport([t], { configFile: f.config, identity: f.identity, options: f.options, connectTimeout: Math.min(10, timeoutSec) });
  const dir = await mkdtemp(join(tmpdir(), 'flanctl-probe-target-'));
  try {
    const manifest = await collectCluster({ transport, outDir: dir, parallel: 1, timeoutMs: timeoutSec * 1000, now: () => new Date() });
    const n = manifest.nodes[0];
    if (!n?.ok) throw new EnvironmentError(`cannot read the target node ${t.name} over ssh: ${n?.error ?? 'no answer'}`);
    return { transport, node: t.name, snapshot: await readSnapshotFile(join(dir, `${fileName(t.name)}.json`)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
