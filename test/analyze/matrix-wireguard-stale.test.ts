// Stale WireGuard peers in doctor --cluster (fixtures/cluster/wireguard, composed outputs: this kernel has no
// wireguard module). flanneld adds one peer per remote lease (wireguard_network.go:181-216); a peer whose key no
// current lease holds is a departed node's, or a key that changed: doctor's WG_STALE_PEER. The matrix says it on the
// row node's diagonal with doctor's evidence line and fix, and only when the evidence proves it: as doctor, not
// without the leases (the directory need not hold every node: a node not collected may hold the key), nor from leases
// that are not all the cluster's. The planted peer lines are wg's dump format (wireguard-tools src/show.c dump_print).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { matrixGrid } from '../../src/analyze/matrix.js';
import { parseNodesText } from '../../src/leases/nodes-text.js';
import type { Finding } from '../../src/model/finding.js';
import type { DesiredState } from '../../src/model/lease.js';
import { addPeer, bad, DEV, doctor, editLine, type Family, FIXTURE, type Node, NODES, removeTmp } from './wg-cluster.js';

afterAll(removeTmp);

// departed nodes' keys (real: `wg genkey | wg pubkey`), none of the fixture's
const GONE = ['+J5EduGtb4CaX5sEOX9nkuxWST/BVvpiHMRzLDgW+kU=', 'ougl9JYQZmk1k0zKgNhr1Ni0z9Wec2aaYcYmV1WuMmU=', 'AgMI81rj74Cw4I9DYPYILnK7gtJ7SdWau0r+tER9Vz4='];
// a departed node4 as flanneld programmed it: 192.168.56.14 / fd00:56::14, podCIDRs 10.244.4.0/24 and fd00:10:244:4::/64
const NODE4 = { v4: { endpoint: '192.168.56.14:51820', allowed: '10.244.4.0/24' }, v6: { endpoint: '[fd00:56::14]:51821', allowed: 'fd00:10:244:4::/64' } };
// addPeer's latest-handshake 1764450009 (unix seconds)
const HANDSHAKE = '2025-11-29T21:00:09.000Z';
const stale = (f: Finding[]) => f.filter((x) => x.code === 'WG_STALE_PEER');

describe('doctor --cluster: a peer of no node (WG_STALE_PEER)', () => {
  it("a departed node's peer left on node1's flannel-wg: on node1's diagonal, with doctor's evidence line and fix", async () => {
    const { r, codes } = await doctor((raw) => addPeer(raw, 'node1', 'v4', GONE[0], NODE4.v4.endpoint, NODE4.v4.allowed));
    expect(r.matrix.nodes[0].problems).toEqual([
      {
        code: 'WG_STALE_PEER',
        label: 'stale peer',
        summary: `node1: peer ${GONE[0]} of flannel-wg belongs to no current lease (departed node, or a key that changed)`,
        evidence: [`wg show flannel-wg: peer ${GONE[0]} endpoint 192.168.56.14:51820 allowed-ips 10.244.4.0/24 latest-handshake ${HANDSHAKE}`],
        fix: ['wg', 'set', 'flannel-wg', 'peer', GONE[0], 'remove'],
      },
    ]);
    // every pair still matches: the stale peer is no node's
    expect([bad(r, 'v4'), bad(r, 'v6')]).toEqual([[], []]);
    expect(matrixGrid(r.matrix).rows[0]).toEqual(['node1', 'stale peer', '✓', '✓']);
    expect(r.findings.map((f) => [f.code, f.node, f.fix])).toEqual([['WG_STALE_PEER', 'node1', `on node1: wg set flannel-wg peer ${GONE[0]} remove`]]);
    expect(r.ok).toBe(false);
    expect(codes('node1')).toEqual(['WG_STALE_PEER']);
  });

  it('on flannel-wg-v6: the IPv6 diagonal; two stale peers: two findings, one label', async () => {
    const { r } = await doctor((raw) => {
      addPeer(raw, 'node2', 'v6', GONE[0], NODE4.v6.endpoint, NODE4.v6.allowed);
      addPeer(raw, 'node2', 'v6', GONE[1], '(none)', '(none)');
    });
    expect(r.matrix.nodes[1].problems).toEqual([]);
    expect(r.matrix.nodes[1].problems6?.map((p) => [p.code, p.evidence])).toEqual([
      ['WG_STALE_PEER', [`wg show flannel-wg-v6: peer ${GONE[0]} endpoint [fd00:56::14]:51821 allowed-ips fd00:10:244:4::/64 latest-handshake ${HANDSHAKE}`]],
      ['WG_STALE_PEER', [`wg show flannel-wg-v6: peer ${GONE[1]} endpoint (none) allowed-ips (none) latest-handshake ${HANDSHAKE}`]],
    ]);
    expect(matrixGrid(r.matrix, 'v6').rows[1]).toEqual(['node2', '✓', 'stale peer', '✓']);
    expect(matrixGrid(r.matrix).rows[1]).toEqual(['node2', '✓', '·', '✓']);
  });

  it('no desired state: the directory may not hold every node: unverified on node1 with what to give, no finding, still ok', async () => {
    const { r, codes, unverified } = await doctor((raw) => addPeer(raw, 'node1', 'v4', GONE[0], NODE4.v4.endpoint, NODE4.v4.allowed), () => undefined);
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.matrix.nodes[0].problems).toEqual([]);
    const open = r.matrix.nodes[0].unverified ?? [];
    expect(open).toHaveLength(1);
    expect(open[0]).toMatch(/^node1's flannel-wg: 1 peer\(s\) whose key no collected node holds, .*WG_STALE_PEER.*--nodes FILE/);
    // doctor on node1 without leases: its peers are open too
    expect(codes('node1')).toEqual([]);
    expect(unverified('node1').some((u) => u.startsWith("flannel-wg's 3 peer(s) against the leases"))).toBe(true);
    // the other nodes' peers are all collected nodes': nothing open there
    expect(r.matrix.nodes[1].unverified).toBeUndefined();
  });

  it('node3 not collected: with the leases its peers are its lease\'s (nothing to say); without, they are open, never stale', async () => {
    const withLeases = await doctor(undefined, undefined, ['node3']);
    expect(withLeases.r.findings.map((f) => [f.code, f.node])).toEqual([['NODE_UNREACHABLE', 'node3']]);
    expect(withLeases.r.matrix.nodes.map((n) => n.unverified)).toEqual([undefined, undefined]);
    const without = await doctor(undefined, () => undefined, ['node3']);
    expect(without.r.findings.map((f) => [f.code, f.node])).toEqual([['NODE_UNREACHABLE', 'node3']]);
    // node1 and node2 each hold node3's key on both devices: one open line per device
    for (const n of [0, 1]) {
      expect(without.r.matrix.nodes[n].unverified?.map((u) => u.split(':')[0])).toEqual([`${NODES[n]}'s flannel-wg`, `${NODES[n]}'s flannel-wg-v6`]);
    }
  });

  it.each(['yaml', 'json'])('one Node object as desired state (not all the cluster\'s, -o %s): unverified, as doctor on the node says it', async (format) => {
    // `kubectl get node node1 -o yaml|json`
    const node1 = JSON.parse(readFileSync(`${FIXTURE}/nodes.json`, 'utf8')).items[0];
    const desired = await parseNodesText(format === 'yaml' ? stringify(node1) : JSON.stringify(node1, null, 4));
    expect(desired.incomplete).toBeDefined();
    const { r, codes, unverified } = await doctor((raw) => addPeer(raw, 'node1', 'v4', GONE[0], NODE4.v4.endpoint, NODE4.v4.allowed), () => desired);
    expect(stale(r.findings)).toEqual([]);
    expect(r.matrix.nodes[0].unverified?.find((u) => u.includes('WG_STALE_PEER'))).toContain('one Node object');
    expect(codes('node1')).toEqual([]);
    // doctor: node1's own lease alone, so node2's and node3's peers and the departed one are all open
    expect(unverified('node1')).toContain(`whether 3 peer(s) of flannel-wg belong to a current lease: the desired state given is ${desired.incomplete}: give every node's lease (\`kubectl get nodes -o json\` as --nodes FILE, or --kube / --etcd)`);
  });

  it("a key that is a collected node's own is no stale peer: node3 re-keyed (its annotation not), node1 holds the new key without node3's subnet", async () => {
    const { r, codes } = await doctor((raw) => {
      editLine(raw, 'node3', 'v4', undefined, (f) => [f[0], f[1], GONE[2], ...f.slice(3)]);
      addPeer(raw, 'node1', 'v4', GONE[2], '192.168.56.13:51820', '(none)');
    });
    // doctor on node1 knows the leases alone: no lease holds the key
    expect(codes('node1')).toEqual(['WG_STALE_PEER']);
    // the matrix knows node3's real key: node1's peer for it lacks node3's subnet, and node3's annotation is stale
    expect(stale(r.findings)).toEqual([]);
    expect(bad(r, 'v4')).toEqual([
      ['node1', 'node3', 'WG_ALLOWED_IPS_MISMATCH'],
      ['node2', 'node3', 'WG_PEER_KEY_MISMATCH'],
    ]);
    expect(r.matrix.nodes[2].problems.map((p) => p.code)).toEqual(['WG_KEY_MISMATCH']);
  });
});

describe("oracle: every node's WG_STALE_PEER in the matrix equals doctor's on that node, with the same desired state", () => {
  const FAULTS = ['key', 'endpoint', 'allowed-ips', 'missing'] as const;
  // wg holds one peer per key: a wrong key per target node (real keys, `wg genkey | wg pubkey`)
  const WRONG: Record<Node, string> = { node1: 'QyKlIZM9WqUmsWVZF1xfjWfE1hguBQUGF3A6g0y3jhg=', node2: 'g4/wx4cK5VfZKqyEzj1GiUbM8ozUX+ibJ49IPRh/7WE=', node3: 'VdOPhJuRTiDG/GVe4gxv+WA9o3g9KOorMPbPhneilik=' };
  const edit = (fault: (typeof FAULTS)[number], to: Node) => (f: string[]): string[] | undefined =>
    fault === 'missing' ? undefined : fault === 'key' ? [f[0], WRONG[to], ...f.slice(2)] : fault === 'endpoint' ? [...f.slice(0, 3), f[3].replace(/:\d+$/, ':40000'), ...f.slice(4)] : [...f.slice(0, 4), f[0] === DEV.v6 ? 'fd00:10:244:99::/64' : '10.244.99.0/24', ...f.slice(5)];
  const fault = fc.record({ from: fc.constantFrom(...NODES), to: fc.constantFrom(...NODES), family: fc.constantFrom<Family>('v4', 'v6'), fault: fc.constantFrom(...FAULTS) }).filter((p) => p.from !== p.to);
  const departed = fc.record({ on: fc.constantFrom(...NODES), family: fc.constantFrom<Family>('v4', 'v6'), key: fc.constantFrom(...GONE) });
  // the desired state: nodes.json, none, one Node object's lease (incomplete), or leases with no IPv6 half
  const SOURCES = ['nodes', 'none', 'incomplete', 'v4-leases'] as const;
  const given = (source: (typeof SOURCES)[number]) => (d: DesiredState): DesiredState | undefined =>
    source === 'none' ? undefined
    : source === 'incomplete' ? { ...d, leases: d.leases.slice(0, 1), incomplete: 'one Node object, not `kubectl get nodes`' }
    : source === 'v4-leases' ? { ...d, leases: d.leases.map(({ subnet6: _s, publicIpv6: _p, publicKey6: _k, wgPort6: _w, ...l }) => l) }
    : d;
  // doctor's finding on node n as the matrix words it: the node named before the summary and the fix
  const asMatrix = (n: string) => (f: Finding) => [`${n}: ${f.summary}`, f.evidence, `on ${n}: ${f.fix}`];

  it('for any planted departed peers and peer faults, any desired state, node3 collected or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(departed, { maxLength: 3, selector: (p) => `${p.on}${p.family}${p.key}` }),
        fc.uniqueArray(fault, { maxLength: 3, selector: (p) => `${p.from}${p.to}${p.family}` }),
        fc.constantFrom(...SOURCES),
        fc.boolean(),
        async (gone, faults, source, lost) => {
          const { r, findings } = await doctor(
            (raw) => {
              for (const p of faults) editLine(raw, p.from, p.family, p.to, edit(p.fault, p.to));
              for (const g of gone) addPeer(raw, g.on, g.family, g.key, NODE4[g.family].endpoint, NODE4[g.family].allowed);
            },
            given(source),
            lost ? ['node3'] : [],
          );
          for (const n of r.nodes) {
            const doctorSays = stale(findings(n)).map(asMatrix(n));
            const matrixSays = stale(r.findings).filter((f) => f.node === n).map((f) => [f.summary, f.evidence, f.fix]);
            expect(matrixSays).toEqual(doctorSays);
          }
          // the departed peers are findings exactly when a whole lease set (with IPv6 halves for flannel-wg-v6) says so
          const proven = gone.filter((g) => source === 'nodes' || (source === 'v4-leases' && g.family === 'v4')).filter((g) => !lost || g.on !== 'node3');
          expect(stale(r.findings).length).toBe(proven.length);
        },
      ),
      { numRuns: 30, seed: 20261130 },
    );
  });
});
