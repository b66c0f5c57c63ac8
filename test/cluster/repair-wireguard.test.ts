// repair --cluster on a WireGuard cluster, through the built CLI (bin/run.js), on fixtures/cluster/wireguard (three
// nodes' outputs composed in iproute2's and wireguard-tools' formats: this kernel has no wireguard module). Without
// leases repair takes the desired state from each node's own flannel.1 (MAC, local IP, subnet), and flannel's
// wireguard backend makes no flannel.1 (pkg/backend/wireguard: flannel-wg / flannel-wg-v6): nothing can be planned,
// which must be said as such, with what to give. With the leases, repair programs no WireGuard peer (flanneld owns
// them) and lists each WG_* problem with its fix.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectRecorded, readRaw } from './recorded.js';
import { expectOneLineError, runCli } from '../collect/cli.js';

const FIXTURE = 'fixtures/cluster/wireguard';
const tmp = mkdtempSync(join(tmpdir(), 'flanctl-repair-wg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// the directory without nodes.json, as `collect --all --ssh-hosts` writes it, its nodes reached over ssh
const BARE = join(tmp, 'bare');
cpSync(FIXTURE, BARE, { recursive: true });
rmSync(join(BARE, 'nodes.json'));
const manifest = JSON.parse(readFileSync(join(BARE, 'cluster.json'), 'utf8'));
const targets = ['node1', 'node2', 'node3'].map((name, i) => ({ name, host: `192.168.56.1${i + 1}` }));
writeFileSync(join(BARE, 'cluster.json'), JSON.stringify({ ...manifest, reach: { ssh: { targets, options: {} } } }));
// an `ssh` first on PATH that leaves a mark: --apply must never get as far as a node
const BIN = join(tmp, 'bin');
const MARK = join(tmp, 'ssh-ran');
mkdirSync(BIN);
writeFileSync(join(BIN, 'ssh'), `#!/bin/sh\ntouch '${MARK}'\nexit 255\n`);
chmodSync(join(BIN, 'ssh'), 0o755);
const env = { ...process.env, PATH: `${BIN}:${process.env.PATH}` };

describe('repair --cluster on a WireGuard cluster', () => {
  it('without leases: exit 2, one line saying the nodes have no flannel.1 to take the desired state from, and what to give', () => {
    const r = runCli(['repair', '--cluster', BARE], { env });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const line = expectOneLineError(r);
    expect(line).toContain('no node has a flannel.1 to take the desired state from without leases (node1, node2, node3: backend wireguard, no flannel.1)');
    expect(line).toContain('--nodes FILE from `kubectl get nodes -o json`, --kube or --etcd');
    expect(line).toContain("WireGuard peers are flanneld's");
  });

  it('without leases, --apply --yes: the same refusal before anything runs on a node', () => {
    const r = runCli(['repair', '--cluster', BARE, '--apply', '--yes'], { env });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(expectOneLineError(r)).toContain('no node has a flannel.1');
    expect(existsSync(MARK)).toBe(false);
  });

  it('with the leases (--nodes): no action, each peer said not programmed, exit 0 on the healthy cluster', () => {
    const r = runCli(['repair', '--cluster', BARE, '--nodes', `${FIXTURE}/nodes.json`, '--json'], { env });
    expect(r.status).toBe(0);
    const doc = r.json;
    expect(doc.actions).toEqual([]);
    expect(doc.desiredFrom).toBe('the given desired state');
    // every node skips its two peers: wireguard is not neigh/fdb/route
    expect(doc.skipped.map((s: { node: string; target: string }) => `${s.node}>${s.target}`)).toEqual(['node1>node2', 'node1>node3', 'node2>node1', 'node2>node3', 'node3>node1', 'node3>node2']);
    expect(doc.skipped.every((s: { reason: string }) => s.reason.startsWith('backend wireguard: repair programs only vxlan, host-gw and ipip peers'))).toBe(true);
  });

  it("with the leases, a departed node's peer on node1: listed with its code and the wg set line, not repaired, exit 1", async () => {
    const raw = readRaw(FIXTURE);
    const node1 = raw.get('node1')!;
    // wg's dump line (wireguard-tools src/show.c dump_print) of a departed node4's peer
    const gone = '+J5EduGtb4CaX5sEOX9nkuxWST/BVvpiHMRzLDgW+kU=';
    node1.set('wg-dump.txt', `${String(node1.get('wg-dump.txt')).trimEnd()}\n${['flannel-wg', gone, '(none)', '192.168.56.14:51820', '10.244.4.0/24', '1764450009', '100', '200', 'off'].join('\t')}\n`);
    const dir = join(tmp, 'stale');
    await collectRecorded(raw, dir);
    const r = runCli(['repair', '--cluster', dir, '--nodes', `${FIXTURE}/nodes.json`, '--json'], { env });
    expect(r.status).toBe(1);
    expect(r.json.actions).toEqual([]);
    const wg = r.json.skipped.filter((s: { code?: string }) => s.code?.startsWith('WG_'));
    expect(wg.map((s: { node: string; code: string }) => [s.node, s.code])).toEqual([['node1', 'WG_STALE_PEER']]);
    expect(wg[0].reason).toContain(`not repaired: peer ${gone} of flannel-wg belongs to no current lease`);
    expect(wg[0].reason).toContain(`wg set flannel-wg peer ${gone} remove`);
  });
});

describe('repair --cluster without leases on a vxlan cluster with one node lacking flannel.1', () => {
  it('the others are planned; that node says why it has no lease and what to give', () => {
    const dir = join(tmp, 'no-vtep');
    cpSync('fixtures/cluster/stale-vtep', dir, { recursive: true });
    const node3 = JSON.parse(readFileSync(join(dir, 'node3.json'), 'utf8'));
    writeFileSync(join(dir, 'node3.json'), JSON.stringify({ ...node3, links: node3.links.filter((l: { name: string }) => l.name !== 'flannel.1') }));
    const r = runCli(['repair', '--cluster', dir, '--json'], { env });
    const doc = r.json;
    expect(doc.skipped.map((s: { node: string; code?: string }) => [s.node, s.code])).toEqual([['node3', 'LOCAL_LEASE_NOT_FOUND']]);
    expect(doc.skipped[0].reason).toBe(
      "not repaired: no lease for this node in the desired state: it is taken from the nodes' own flannel.1, and node3 has none (no flannel.1 with a MAC, local IP and subnet in its snapshot): give the nodes' leases: --nodes FILE from `kubectl get nodes -o json`, --kube or --etcd",
    );
    expect(r.status).toBe(1);
  });
});
