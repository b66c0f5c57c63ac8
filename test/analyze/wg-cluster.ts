// fixtures/cluster/wireguard as the matrix tests use it: three nodes' outputs composed in iproute2's and
// wireguard-tools' formats (this kernel has no wireguard module), written into a cluster directory by collect --all's
// own code (test/cluster/recorded.ts) after one edit per planted fault, then doctor --cluster on it and doctor on
// each node alone with the same desired state.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import type { MatrixCell } from '../../src/analyze/matrix.js';
import { type ClusterDoctor, doctorCluster } from '../../src/cluster/doctor.js';
import { loadClusterDir } from '../../src/cluster/dir.js';
import { parseNodesText } from '../../src/leases/nodes-text.js';
import type { Finding } from '../../src/model/finding.js';
import type { DesiredState } from '../../src/model/lease.js';
import { collectRecorded, readRaw } from '../cluster/recorded.js';

export const FIXTURE = 'fixtures/cluster/wireguard';
// the fixture README's table
export const PUB = {
  node1: 'kHsDWGmBI7E+9vt8SOOSoF8F0mQlTcnrE41YSJ4u22k=',
  node2: 'oehT0gJXIzPNGeMSO1jMdGtwXCb5bdpkz0dO7fzBSH0=',
  node3: 'BovV4HoN88gkwnGbnJKLNyTdBKTaapHrSsNX3EF1FlQ=',
};
export type Node = keyof typeof PUB;
export const NODES: Node[] = ['node1', 'node2', 'node3'];
// a fourth real key (`wg genkey | wg pubkey`), no node's
export const OTHER = '3v9eWeTkg0U0M23fW22DFaSaC4SHg2Fx9fige0UAQWU=';
export const DEV = { v4: 'flannel-wg', v6: 'flannel-wg-v6' } as const;
export type Family = keyof typeof DEV;
export type Raw = ReturnType<typeof readRaw>;

/** the directories written; removed by the test file's afterAll */
export const tmp = mkdtempSync(join(tmpdir(), 'flanctl-wg-matrix-'));
export const removeTmp = (): void => rmSync(tmp, { recursive: true, force: true });
let runs = 0;
let desired: DesiredState | undefined;

/**
 * doctor --cluster on the directory collect --all writes from the fixture's outputs (`edit` plants the fault, `given`
 * turns nodes.json's desired state into the one used, `unreachable` drops nodes as not collected).
 */
export async function doctor(
  edit?: (raw: Raw) => void,
  given?: (d: DesiredState) => DesiredState | undefined,
  unreachable: Node[] = [],
): Promise<{ r: ClusterDoctor; codes: (node: Node) => string[]; findings: (node: string) => Finding[]; unverified: (node: string) => string[] }> {
  const raw = readRaw(FIXTURE);
  edit?.(raw);
  const dir = join(tmp, String(runs++));
  await collectRecorded(raw, dir);
  desired ??= await parseNodesText(readFileSync(`${FIXTURE}/nodes.json`, 'utf8'));
  const loaded = await loadClusterDir(dir);
  const cluster = unreachable.length
    ? { ...loaded, snapshots: loaded.snapshots.filter((s) => !unreachable.includes(s.host as Node)), unreachable: unreachable.map((name) => ({ name, error: 'ssh: connect to host: Connection timed out' })) }
    : loaded;
  const d = given ? given(desired) : desired;
  // doctor on one node alone: its findings, and its WireGuard codes
  const report = (node: string) => runDoctor({ snapshot: loaded.snapshots.find((s) => s.host === node)!, desired: d });
  const findings = (node: string): Finding[] => report(node).findings;
  const codes = (node: Node): string[] => findings(node).map((f) => f.code).filter((c) => c.startsWith('WG_'));
  const unverified = (node: string): string[] => report(node).unverified.map((u) => u.missing);
  return { r: doctorCluster(cluster, d), codes, findings, unverified };
}

/** One line of `node`'s dump changed: the device line of `dev` (peer undefined) or its peer line for `peer`. */
export function editLine(raw: Raw, node: Node, family: Family, peer: Node | undefined, edit: (fields: string[]) => string[] | undefined): void {
  const files = raw.get(node)!;
  const lines = String(files.get('wg-dump.txt')).split('\n');
  const at = lines.findIndex((l) => {
    const f = l.split('\t');
    return f[0] === DEV[family] && (peer === undefined ? f.length === 5 : f.length === 9 && f[1] === PUB[peer]);
  });
  expect(at).toBeGreaterThanOrEqual(0);
  const changed = edit(lines[at].split('\t'));
  lines.splice(at, 1, ...(changed ? [changed.join('\t')] : []));
  files.set('wg-dump.txt', lines.join('\n'));
}

/** A peer line added to `node`'s dump (wg's dump_print: device, key, psk, endpoint, allowed-ips, handshake, rx, tx, keepalive). */
export function addPeer(raw: Raw, node: Node, family: Family, key: string, endpoint: string, allowedIps: string): void {
  const files = raw.get(node)!;
  files.set('wg-dump.txt', `${String(files.get('wg-dump.txt')).replace(/\n$/, '')}\n${[DEV[family], key, '(none)', endpoint, allowedIps, '1764450009', '100', '200', 'off'].join('\t')}\n`);
}

export const cellsOf = (r: ClusterDoctor, family: Family): MatrixCell[] => (family === 'v6' ? (r.matrix.cells6 ?? []) : r.matrix.cells);
export const bad = (r: ClusterDoctor, family: Family): string[][] => cellsOf(r, family).filter((c) => !c.ok).map((c) => [c.from, c.to, c.problems.map((p) => p.code).join('+')]);
