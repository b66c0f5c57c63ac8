// The seed posts pasted as transcripts (fixtures/tickets/, line breaks restored) give the same trace answers as the
// fixture directories restored from the same posts by hand (fixtures/nodes/*): every verdict, problem and device.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { trace } from '../../src/analyze/trace.js';
import { loadSnapshots, loadSources } from '../../src/collect/index.js';
import type { Snapshot } from '../../src/model/index.js';
import { cliEntry, runCli } from '../collect/cli.js';

const answer = (snaps: Snapshot[], ip: string) => {
  const r = trace(snaps, ip);
  // node names differ where the post's prompt says `node1` and its kubectl output `node1.whale.com`
  return { ok: r.ok, backend: r.backend, target: r.targetNode, hops: r.hops.map((h) => ({ step: h.step, device: h.device, ok: h.ok, problem: h.problem, detail: h.detail })) };
};

describe('seed posts as transcripts', () => {
  it.each(['10.27.13.5', '10.27.3.3', '10.27.9.3', '8.8.8.8'])('seed 000, k8snode028: trace %s as the fixture directory does', async (ip) => {
    const paste = await loadSnapshots({ fromDir: ['fixtures/tickets/seed-000-k8snode028.txt'] });
    const dir = await loadSnapshots({ fromDir: ['fixtures/nodes/k8snode028'] });
    expect(paste.map((s) => s.host)).toEqual(['k8snode028']);
    expect(answer(paste, ip)).toEqual(answer(dir, ip));
  });

  it.each(['10.244.2.2', '10.244.1.2'])('seed 002, two IPIP nodes in one paste: trace %s as the two fixture directories do', async (ip) => {
    const paste = await loadSnapshots({ fromDir: ['fixtures/tickets/seed-002-ipip-node1-node2.txt'] });
    const dirs = await loadSnapshots({ fromDir: ['fixtures/nodes/node1', 'fixtures/nodes/node2'] });
    // the prompts name node1 and node2: one node each, the pods (kubectl exec, then bash-5.1#) on the node holding their subnet
    expect(paste.map((s) => [s.host, s.pods.map((p) => p.pod)])).toEqual([
      ['node1', ['cni-test-777bbd57c8-jl2bh']],
      ['node2', ['cni-test-777bbd57c8-p5576']],
    ]);
    const strip = (a: ReturnType<typeof answer>) => ({
      ...a,
      target: { ...a.target, name: undefined },
      hops: a.hops.map((h) => ({ ...h, detail: h.detail.replaceAll('.whale.com', '') })),
    });
    expect(strip(answer(paste, ip))).toEqual(strip(answer(dirs, ip)));
  });

  it('seed 000: every output of the paste is accounted for, the grep filters are kept', async () => {
    const load = await loadSources('fixtures/tickets/seed-000-k8snode028.txt');
    const read = load.blocks.filter((b) => b.used).map((b) => [b.line, b.kind, b.filter ?? null]);
    // by hand from the paste: conflist (7), ifconfig without prompt (19), pod route -n (27), brctl show (35),
    // route -n (70), ip link show type bridge output (94), ip link show type veth (99), subnet.env (104),
    // arp -e | grep (110), bridge fdb show | grep (113)
    expect(read).toEqual([
      [7, 'cni-conflist', null],
      [19, 'ifconfig', null],
      [27, 'route-n', null],
      [35, 'brctl-show', null],
      [70, 'route-n', null],
      [94, 'ip-link', null],
      [99, 'ip-link', 'type veth'],
      [104, 'subnet-env', null],
      [110, 'arp', 'grep 10.27.13.0'],
      [113, 'bridge-fdb', 'grep 42:32:74:de:24:50'],
    ]);
    expect(load.missing.k8snode028).toEqual([
      'ip-neigh (only filtered: grep 10.27.13.0) — paste `ip neigh show dev flannel.1`',
      'bridge-fdb (only filtered: grep 42:32:74:de:24:50) — paste `bridge fdb show dev flannel.1`',
    ]);
  });
});

describe('a paste on stdin (--from-dir -)', () => {
  it('trace reads the seed 000 paste from stdin as from the file (oclif leaves stdin to --from-dir)', () => {
    cliEntry();
    const paste = readFileSync('fixtures/tickets/seed-000-k8snode028.txt', 'utf8');
    const r = runCli(['trace', '10.27.13.5', '--from-dir', '-', '--json'], { input: paste });
    expect(r.status, r.stderr).toBe(0);
    // route 10.27.13.0/24 via flannel.1 -> arp 42:32:74:de:24:50 -> fdb dst 10.18.19.129, as the post walks it
    expect(r.json).toMatchObject({ ok: true, backend: 'vxlan', targetNode: { ip: '10.18.19.129', vtepMac: '42:32:74:de:24:50' } });
  });
});
