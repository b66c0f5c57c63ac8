// The consistency matrix on a WireGuard cluster (fixtures/cluster/wireguard: three nodes' outputs composed in
// iproute2's and wireguard-tools' formats — this kernel has no wireguard module — written into a cluster directory by
// collect --all's own code, test/cluster/recorded.ts). A wireguard node has no flannel.1 and no flannel-v6.<VNI>:
// flannel's wireguard backend makes flannel-wg / flannel-wg-v6 instead (pkg/backend/wireguard), so a vxlan device
// missing there is no fault. What flanneld programs on A for B (wireguard_network.go:181-216, Mode separate): on
// flannel-wg a peer with B's public key, endpoint <B's public-ip>:<B's port>, allowed-ips B's IPv4 podCIDR; on
// flannel-wg-v6 the same with [<public-ipv6>]:<port> and the IPv6 podCIDR. Each fault below is one edit of one line
// of a dump; its expected code is written from that definition and checked against doctor on the row node too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type MatrixCell, matrixGrid } from '../../src/analyze/matrix.js';
import type { DesiredState } from '../../src/model/lease.js';
import { renderClusterDoctor } from '../../src/render/cluster-doctor.js';
import { collectRecorded, readRaw } from '../cluster/recorded.js';
import { runCli } from '../collect/cli.js';
import { bad, cellsOf, DEV, doctor, editLine, type Family, FIXTURE, type Node, NODES, OTHER, PUB, removeTmp, tmp } from './wg-cluster.js';

afterAll(removeTmp);

describe('doctor --cluster on a WireGuard cluster', () => {
  it('healthy: every ordered pair judged per family on flannel-wg / flannel-wg-v6, all ok, no vxlan device missing', async () => {
    const { r } = await doctor();
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    for (const family of ['v4', 'v6'] as const) {
      expect(cellsOf(r, family).map((c) => [c.from, c.to, c.ok, c.path, c.unverified])).toEqual([
        ['node1', 'node2', true, 'wireguard', undefined],
        ['node1', 'node3', true, 'wireguard', undefined],
        ['node2', 'node1', true, 'wireguard', undefined],
        ['node2', 'node3', true, 'wireguard', undefined],
        ['node3', 'node1', true, 'wireguard', undefined],
        ['node3', 'node2', true, 'wireguard', undefined],
      ]);
    }
    // each node's real device as its dump shows it (the README's keys, flannel's ports)
    expect(r.matrix.nodes.map((n) => [n.name, n.backend, n.wg, n.wg6])).toEqual(
      NODES.map((n) => [n, 'wireguard', { dev: 'flannel-wg', publicKey: PUB[n], listenPort: 51820 }, { dev: 'flannel-wg-v6', publicKey: PUB[n], listenPort: 51821 }]),
    );
    expect(matrixGrid(r.matrix).rows[0]).toEqual(['node1', '·', '✓', '✓']);
    expect(matrixGrid(r.matrix, 'v6').rows[2]).toEqual(['node3', '✓', '✓', '·']);
    expect(renderClusterDoctor(r)).toContain('its flannel-wg peer for the node in each column');
  });

  it("A's peer for B under a key that is not B's: WG_PEER_KEY_MISMATCH on that cell alone, as doctor on A says", async () => {
    const { r, codes } = await doctor((raw) => editLine(raw, 'node1', 'v4', 'node3', (f) => [f[0], OTHER, ...f.slice(2)]));
    expect(bad(r, 'v4')).toEqual([['node1', 'node3', 'WG_PEER_KEY_MISMATCH']]);
    expect(bad(r, 'v6')).toEqual([]);
    expect(codes('node1')).toEqual(['WG_PEER_KEY_MISMATCH']);
    const p = r.matrix.cells.find((c) => !c.ok)!.problems[0];
    expect(p.fix).toEqual(['wg', 'set', 'flannel-wg', 'peer', PUB.node3, 'endpoint', '192.168.56.13:51820', 'allowed-ips', '10.244.3.0/24']);
    expect(r.findings.map((f) => [f.code, f.node])).toEqual([['WG_PEER_KEY_MISMATCH', 'node1']]);
  });

  it("B's device key is not its annotation's: WG_KEY_MISMATCH on B's diagonal, and every peer of B holds a key B does not have", async () => {
    const { r, codes } = await doctor((raw) => editLine(raw, 'node3', 'v4', undefined, (f) => [f[0], f[1], OTHER, ...f.slice(3)]));
    expect(r.matrix.nodes.map((n) => n.problems.map((p) => p.code))).toEqual([[], [], ['WG_KEY_MISMATCH']]);
    expect(codes('node3')).toEqual(['WG_KEY_MISMATCH']);
    // node1's and node2's peers match node3's annotation (doctor on them is silent) but not node3's real key
    expect(bad(r, 'v4')).toEqual([
      ['node1', 'node3', 'WG_PEER_KEY_MISMATCH'],
      ['node2', 'node3', 'WG_PEER_KEY_MISMATCH'],
    ]);
    expect(codes('node1')).toEqual([]);
    expect(matrixGrid(r.matrix).rows[2][3]).toBe('key ≠ annotation');
  });

  it("A's peer endpoint on another port than B listens on: WG_ENDPOINT_MISMATCH", async () => {
    const { r, codes } = await doctor((raw) => editLine(raw, 'node1', 'v4', 'node3', (f) => [...f.slice(0, 3), '192.168.56.13:51999', ...f.slice(4)]));
    expect(bad(r, 'v4')).toEqual([['node1', 'node3', 'WG_ENDPOINT_MISMATCH']]);
    expect(codes('node1')).toEqual(['WG_ENDPOINT_MISMATCH']);
  });

  it('B listens on another port than its annotation: WG_PORT_MISMATCH on its diagonal, and its peers send to the old one', async () => {
    const { r, codes } = await doctor((raw) => editLine(raw, 'node2', 'v4', undefined, (f) => [...f.slice(0, 3), '51999', f[4]]));
    expect(r.matrix.nodes[1].problems.map((p) => p.code)).toEqual(['WG_PORT_MISMATCH']);
    expect(codes('node2')).toEqual(['WG_PORT_MISMATCH']);
    expect(bad(r, 'v4')).toEqual([
      ['node1', 'node2', 'WG_ENDPOINT_MISMATCH'],
      ['node3', 'node2', 'WG_ENDPOINT_MISMATCH'],
    ]);
  });

  it("A has no peer for B: WG_PEER_MISSING; B's subnet on A's peer for B replaced: WG_ALLOWED_IPS_MISMATCH", async () => {
    const missing = await doctor((raw) => editLine(raw, 'node2', 'v4', 'node1', () => undefined));
    expect(bad(missing.r, 'v4')).toEqual([['node2', 'node1', 'WG_PEER_MISSING']]);
    expect(missing.codes('node2')).toEqual(['WG_PEER_MISSING']);
    const allowed = await doctor((raw) => editLine(raw, 'node1', 'v4', 'node2', (f) => [...f.slice(0, 4), '10.244.9.0/24', ...f.slice(5)]));
    expect(bad(allowed.r, 'v4')).toEqual([['node1', 'node2', 'WG_ALLOWED_IPS_MISMATCH']]);
    expect(allowed.codes('node1')).toEqual(['WG_ALLOWED_IPS_MISMATCH']);
  });

  it('IPv6 (Mode separate): a fault on flannel-wg-v6 is an IPv6 cell alone, with the same code', async () => {
    const { r, codes } = await doctor((raw) => editLine(raw, 'node2', 'v6', 'node1', () => undefined));
    expect(bad(r, 'v4')).toEqual([]);
    expect(bad(r, 'v6')).toEqual([['node2', 'node1', 'WG_PEER_MISSING']]);
    expect(r.matrix.cells6?.find((c) => !c.ok)?.family).toBe('v6');
    expect(codes('node2')).toEqual(['WG_PEER_MISSING']);
    const port = await doctor((raw) => editLine(raw, 'node3', 'v6', 'node1', (f) => [...f.slice(0, 3), '[fd00:56::11]:51820', ...f.slice(4)]));
    expect(bad(port.r, 'v6')).toEqual([['node3', 'node1', 'WG_ENDPOINT_MISMATCH']]);
    expect(port.codes('node3')).toEqual(['WG_ENDPOINT_MISMATCH']);
  });

  it("a device gone from B's dump (its step ran): WG_DEVICE_MISSING on the diagonal; B's row cannot reach anyone, its column is open", async () => {
    const { r, codes } = await doctor((raw) => {
      const files = raw.get('node3')!;
      files.set('wg-dump.txt', String(files.get('wg-dump.txt')).split('\n').filter((l) => !l.startsWith('flannel-wg\t')).join('\n'));
    });
    expect(codes('node3')).toEqual(['WG_DEVICE_MISSING']);
    expect(r.matrix.nodes[2].problems.map((p) => p.code)).toEqual(['WG_DEVICE_MISSING']);
    expect(r.findings.map((f) => [f.code, f.node])).toEqual([['WG_DEVICE_MISSING', 'node3']]);
    const v4 = (from: string, to: string) => r.matrix.cells.find((c) => c.from === from && c.to === to)!;
    expect([v4('node3', 'node1').ok, v4('node3', 'node1').problems]).toEqual([false, []]);
    expect(v4('node1', 'node3')).toMatchObject({ ok: true, unverified: ['peer'] });
    expect(matrixGrid(r.matrix).rows[2]).toEqual(['node3', '✗ (no flannel-wg)', '✗ (no flannel-wg)', 'no flannel-wg']);
    expect(matrixGrid(r.matrix).rows[0][3]).toBe('n/a (peer)');
    expect(bad(r, 'v6')).toEqual([]);
  });

  it('no dump on a node: its row and column are unverified with what to paste, never a finding, the result stays ok', async () => {
    const { r, codes } = await doctor((raw) => raw.get('node2')!.delete('wg-dump.txt'));
    expect(codes('node2')).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    for (const family of ['v4', 'v6'] as const) {
      const cells = cellsOf(r, family);
      expect(cells.filter((c) => c.from === 'node2').map((c) => c.unverified)).toEqual([['wireguard'], ['wireguard']]);
      expect(cells.filter((c) => c.to === 'node2').map((c) => c.unverified)).toEqual([['peer'], ['peer']]);
      expect(cells.filter((c) => c.from !== 'node2' && c.to !== 'node2').every((c) => c.ok && !c.unverified)).toBe(true);
    }
    expect(r.matrix.nodes[1].unverified?.join('\n')).toContain('paste `wg show all dump`');
    expect(matrixGrid(r.matrix).rows[1]).toEqual(['node2', 'n/a (wireguard)', '·', 'n/a (wireguard)']);
  });

  it('the dump step failed on a node (wg not installed in the flannel image): the same, with the error said', async () => {
    const { r, codes } = await doctor((raw) => raw.get('node3')!.set('wg-dump.txt', { rc: 127, stderr: 'sh: wg: not found' }));
    expect(codes('node3')).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.matrix.cells.filter((c) => c.from === 'node3').map((c) => c.unverified)).toEqual([['wireguard'], ['wireguard']]);
    expect(r.matrix.nodes[2].unverified?.join('\n')).toContain('(sh: wg: not found)');
  });
});

describe('fixtures/cluster/wireguard as committed', () => {
  it('its snapshots are what collect --all writes from its raw/ (time aside); the CLI reads it: exit 0, one JSON document', async () => {
    const dir = join(tmp, 'regenerated');
    await collectRecorded(readRaw(FIXTURE), dir);
    const load = (d: string, n: string) => ({ ...JSON.parse(readFileSync(join(d, `${n}.json`), 'utf8')), time: undefined });
    for (const n of NODES) expect(load(FIXTURE, n)).toEqual(load(dir, n));
    const r = runCli(['doctor', '--cluster', FIXTURE, '--json']);
    expect(r.status).toBe(0);
    expect(r.json.matrix.cells.map((c: MatrixCell) => [c.path, c.ok])).toEqual(Array(6).fill(['wireguard', true]));
    expect(r.json.findings).toEqual([]);
  });
});

describe('doctor --cluster on a WireGuard cluster: what net-conf and the data given leave open', () => {
  const withNetConf = (netConf: object) => (d: DesiredState): DesiredState => ({ ...d, netConf: { Network: '10.244.0.0/16', ...netConf } });

  it('Mode auto: both families on flannel-wg, endpoint picked per peer: IPv4 endpoints and the IPv6 peers unverified, as doctor', async () => {
    const auto = withNetConf({ IPv6Network: 'fd00:10:244::/56', EnableIPv6: true, Backend: { Type: 'wireguard', Mode: 'auto' } });
    const { r, codes, findings } = await doctor((raw) => editLine(raw, 'node1', 'v4', 'node3', (f) => [...f.slice(0, 3), '192.168.56.13:51999', ...f.slice(4)]), auto);
    expect(codes('node1')).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(r.matrix.cells.find((c) => c.from === 'node1' && c.to === 'node3')).toMatchObject({ ok: true, unverified: ['endpoint'] });
    expect((r.matrix.cells6 ?? []).every((c) => c.unverified?.[0] === 'wireguard')).toBe(true);
    expect(r.matrix.nodes[0].unverified?.join('\n')).toContain('Mode auto');
    expect(findings('node1').length).toBe(0);
  });

  it('IPv6-only (EnableIPv4 false): no IPv4 cell and no flannel-wg problem, the IPv6 pairs judged', async () => {
    const v6only = withNetConf({ EnableIPv4: false, EnableIPv6: true, IPv6Network: 'fd00:10:244::/56', Backend: { Type: 'wireguard' } });
    const { r } = await doctor((raw) => editLine(raw, 'node2', 'v6', 'node3', () => undefined), v6only);
    expect(r.matrix.cells).toEqual([]);
    expect(bad(r, 'v6')).toEqual([['node2', 'node3', 'WG_PEER_MISSING']]);
    expect(renderClusterDoctor(r)).toContain('IPv4: none (every node is IPv6-only, no flannel-wg).');
  });

  it('no desired state: keys and ports from the dumps, public IPs from each node\'s one underlay address, judged alike', async () => {
    const { r } = await doctor((raw) => editLine(raw, 'node3', 'v4', 'node2', (f) => [...f.slice(0, 3), '192.168.56.99:51820', ...f.slice(4)]), () => undefined);
    expect(bad(r, 'v4')).toEqual([['node3', 'node2', 'WG_ENDPOINT_MISMATCH']]);
    expect(bad(r, 'v6')).toEqual([]);
    expect(r.matrix.nodes.every((n) => n.problems.length === 0 && n.backend === 'wireguard')).toBe(true);
  });
});

describe('doctor --cluster on a node of another backend', () => {
  it('host-gw (backend-type annotation): no flannel.1 to miss either: no vxlan cell or problem, the node says what is not judged', async () => {
    const hostGw = (d: DesiredState): DesiredState => ({ ...d, leases: d.leases.map((l) => ({ ...l, backendType: 'host-gw' })) });
    const { r } = await doctor((raw) => {
      for (const files of raw.values()) files.delete('wg-dump.txt');
    }, hostGw);
    expect(r.findings).toEqual([]);
    expect(r.matrix.cells).toEqual([]);
    expect(r.matrix.nodes.map((n) => [n.backend, n.problems, n.problems6])).toEqual(NODES.map(() => ['host-gw', [], undefined]));
    expect(r.matrix.nodes[0].unverified).toEqual(["node1's peers (backend host-gw): the matrix judges vxlan and wireguard peers only; doctor's per-lease check on node1 judges its routes"]);
    expect(matrixGrid(r.matrix).rows[0]).toEqual(['node1', '·', 'n/a', 'n/a']);
  });
});

describe('oracle: with every annotation equal to the real key, a cell says what doctor on its row node says of that peer', () => {
  const FAULTS = ['key', 'endpoint', 'allowed-ips', 'missing'] as const;
  // wg holds one peer per key: a wrong key per target node (real keys, `wg genkey | wg pubkey`)
  const WRONG: Record<Node, string> = { node1: 'QyKlIZM9WqUmsWVZF1xfjWfE1hguBQUGF3A6g0y3jhg=', node2: 'g4/wx4cK5VfZKqyEzj1GiUbM8ozUX+ibJ49IPRh/7WE=', node3: 'VdOPhJuRTiDG/GVe4gxv+WA9o3g9KOorMPbPhneilik=' };
  const edit = (fault: (typeof FAULTS)[number], to: Node) => (f: string[]): string[] | undefined =>
    fault === 'missing' ? undefined : fault === 'key' ? [f[0], WRONG[to], ...f.slice(2)] : fault === 'endpoint' ? [...f.slice(0, 3), f[3].replace(/:\d+$/, ':40000'), ...f.slice(4)] : [...f.slice(0, 4), f[0] === DEV.v6 ? 'fd00:10:244:99::/64' : '10.244.99.0/24', ...f.slice(5)];
  const plant = fc.record({ from: fc.constantFrom(...NODES), to: fc.constantFrom(...NODES), family: fc.constantFrom<Family>('v4', 'v6'), fault: fc.constantFrom(...FAULTS) }).filter((p) => p.from !== p.to);

  it('cell codes ⊆ doctor codes for the peer (family by family), for any set of planted peer faults', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(plant, { minLength: 0, maxLength: 4, selector: (p) => `${p.from}${p.to}${p.family}` }), async (plants) => {
        const { r, findings } = await doctor((raw) => {
          for (const p of plants) editLine(raw, p.from, p.family, p.to, edit(p.fault, p.to));
        });
        const cluster = r.matrix;
        const byNode = new Map(NODES.map((n) => [n as string, findings(n)]));
        for (const family of ['v4', 'v6'] as const) {
          for (const c of cellsOf(r, family)) {
            // doctor's findings about this peer: those whose lease evidence names it, on this family's device
            const doc = byNode.get(c.from)!.filter((f) => f.code.startsWith('WG_') && f.evidence[0]?.startsWith(`lease ${c.to}:`) && f.evidence.some((e) => e.startsWith(`wg show ${DEV[family]}:`)));
            const cellCodes = c.problems.map((p) => p.code);
            for (const code of cellCodes) expect(doc.map((f) => f.code)).toContain(code);
            // and the other way round: a planted fault is never missed by the matrix
            expect(new Set(cellCodes)).toEqual(new Set(doc.map((f) => f.code)));
          }
        }
        expect(cluster.ok).toBe(plants.length === 0);
      }),
      { numRuns: 25, seed: 20261130 },
    );
  });
});
