// The seed posts pasted as transcripts (fixtures/tickets/, line breaks restored) give the same trace answers as the
// fixture directories restored from the same posts by hand (fixtures/nodes/*): every verdict, problem and device.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('seed 001: route -n before and after `route del` in one paste', () => {
  const paste = 'fixtures/tickets/seed-001-hdss7-21.txt';
  // the post's moment after the del: the second route -n (fixtures/route-n/seed001-hdss7-21-after-del.txt) and the same ifconfig
  const afterDel = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'flanctl-seed001-'));
    copyFileSync('fixtures/route-n/seed001-hdss7-21-after-del.txt', join(dir, 'route-n.txt'));
    for (const f of ['ifconfig.txt', 'hostname.txt']) copyFileSync(`fixtures/nodes/hdss7-21/${f}`, join(dir, f));
    return dir;
  };

  it.each(['172.7.22.5', '172.7.21.3', '10.4.7.22'])('--at 30 (before the del): trace %s as fixtures/nodes/hdss7-21 does', async (ip) => {
    const at = await loadSnapshots({ fromDir: [paste], at: 30 });
    const dir = await loadSnapshots({ fromDir: ['fixtures/nodes/hdss7-21'] });
    expect(at.map((s) => s.host)).toEqual(['hdss7-21']);
    expect(answer(at, ip)).toEqual(answer(dir, ip));
  });

  it.each(['172.7.22.5', '172.7.21.3'])('by default the later route -n supersedes: trace %s as the after-del table does', async (ip) => {
    const dir = afterDel();
    try {
      expect(answer(await loadSnapshots({ fromDir: [paste] }), ip)).toEqual(answer(await loadSnapshots({ fromDir: [dir] }), ip));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('show sources says which route -n is read and why the others are not', async () => {
    const report = (l: Awaited<ReturnType<typeof loadSources>>) => l.blocks.filter((b) => b.kind === 'route-n').map((b) => [b.line, b.used, b.reason ?? null]);
    // by hand from the paste: line 5 and line 77 are `route -n` prompts the blog printed no output for;
    // line 23 is the table with 172.7.22.0, line 31 the one after `route del` (line 30)
    expect(report(await loadSources(paste))).toEqual([
      [5, false, 'no output pasted (the command always prints something)'],
      [23, false, 'superseded by line 31 (a later `route -n` of the same node)'],
      [31, true, null],
      [77, false, 'no output pasted (the command always prints something)'],
    ]);
    expect(report(await loadSources(paste, { at: 30 }))).toEqual([
      [5, false, 'no output pasted (the command always prints something)'],
      [23, true, null],
      [31, false, 'after --at 30: the output at line 23 is the one in effect'],
      [77, false, 'no output pasted (the command always prints something)'],
    ]);
  });

  it('--at picks a line of one transcript: a directory or a line 0 is a usage error', async () => {
    await expect(loadSources('fixtures/nodes/hdss7-21', { at: 3 })).rejects.toThrow(/--at picks a line of one transcript/);
    await expect(loadSources(paste, { at: 0 })).rejects.toThrow(/--at: not a line number/);
  });

  it('trace --at through the CLI: the host-gw route to hdss7-22 is there before the del, gone after', () => {
    cliEntry();
    const before = runCli(['trace', '172.7.22.5', '--from-dir', paste, '--at', '30', '--json']);
    expect(before.status, before.stderr).toBe(0);
    expect(before.json).toMatchObject({ ok: true, backend: 'host-gw', targetNode: { ip: '10.4.7.22', subnet: '172.7.22.0/24' } });
    const after = runCli(['trace', '172.7.22.5', '--from-dir', paste, '--json']);
    // the post's point: after `route del` only the default route covers 172.7.22.0/24
    expect(after.json).toMatchObject({ route: { matched: 'default via 10.4.7.254 dev ens33 metric 100' } });
  });
});

describe('seed 003: a long post, one node, most outputs not read', () => {
  const paste = 'fixtures/tickets/seed-003-centos-node1.txt';
  it.each(['172.33.96.3', '172.33.31.2', '10.0.2.2'])('trace %s as fixtures/nodes/centos-node1 does', async (ip) => {
    const snaps = await loadSnapshots({ fromDir: [paste] });
    expect(snaps.map((s) => s.host)).toEqual(['node1']);
    expect(answer(snaps, ip)).toEqual(answer(await loadSnapshots({ fromDir: ['fixtures/nodes/centos-node1'] }), ip));
  });

  it('reads subnet.env, ip addr and route -n; says why kubectl get nodes -o wide and iptables -L are not read', async () => {
    const l = await loadSources(paste);
    // by hand: the three outputs flanctl reads are at lines 103 (cat /run/flannel/subnet.env), 178 (ip addr), 285 (route -n)
    expect(l.blocks.filter((b) => b.used).map((b) => [b.line, b.kind])).toEqual([
      [103, 'subnet-env'],
      [178, 'ip-addr'],
      [285, 'route-n'],
    ]);
    const reason = (line: number) => l.blocks.find((b) => b.line === line)?.reason;
    expect(reason(3)).toMatch(/kubectl get nodes -o wide.*table without the flannel annotations/);
    expect(reason(309)).toMatch(/iptables -L is not read/);
    expect(l.desired).toBeUndefined();
  });
});

describe('seed 004: ansible-console sections, a two-line prompt, ssh into a node, docker exec into a pod', () => {
  const paste = 'fixtures/tickets/seed-004-vms105-vms100.txt';
  // the pod directory carries its namespace (velero_), the post's prompt does not; vms100 is 192.168.26.100 in ansible's sections
  const same = (a: ReturnType<typeof answer>) => JSON.parse(JSON.stringify(a).replaceAll('velero/', '').replaceAll('vms100.liruilongs.github.io', '192.168.26.100')) as unknown;
  const node = (snaps: Snapshot[], host: string) => snaps.filter((s) => s.host === host);

  it('one node per host the sections and prompts name; ssh 192.168.26.105 answered as vms105 is one machine', async () => {
    const snaps = await loadSnapshots({ fromDir: [paste] });
    // by hand: ansible sections name .106 .102 .105 .101 .100 .103; the ssh to .105 lands on the vms105 prompt
    expect(snaps.map((s) => s.host).sort()).toEqual(['192.168.26.100', '192.168.26.101', '192.168.26.102', '192.168.26.103', '192.168.26.106', 'vms105.liruilongs.github.io']);
    expect(node(snaps, 'vms105.liruilongs.github.io')[0].pods.map((p) => [p.pod, p.iflink])).toEqual([['minio-b6d98746c-m7rzc', 7]]);
  });

  it.each(['10.244.169.77', '10.244.169.66', '10.244.31.70', '8.8.8.8'])('vms105: trace %s as fixtures/nodes/vms105 does', async (ip) => {
    const snaps = await loadSnapshots({ fromDir: [paste], at: 107 });
    const dir = await loadSnapshots({ fromDir: ['fixtures/nodes/vms105'] });
    expect(same(answer(node(snaps, 'vms105.liruilongs.github.io'), ip))).toEqual(same(answer(dir, ip)));
  });

  it.each(['10.244.169.70', '10.244.239.129', '8.8.8.8'])('vms100 (--at 107, before its grep\'d ip route lines): trace %s as fixtures/nodes/vms100 does', async (ip) => {
    const snaps = await loadSnapshots({ fromDir: [paste], at: 107 });
    const dir = await loadSnapshots({ fromDir: ['fixtures/nodes/vms100'] });
    expect(same(answer(node(snaps, '192.168.26.100'), ip))).toEqual(same(answer(dir, ip)));
  });

  it('vms100 read whole: the grep\'d `ip route` line names the gateway route printed as vms105.liruilon', async () => {
    const r = trace(node(await loadSnapshots({ fromDir: [paste] }), '192.168.26.100'), '10.244.169.70');
    // line 109 of the paste: 10.244.169.64/26 via 192.168.26.105 dev tunl0 proto bird onlink — one route, not two
    expect(r.route?.matched).toBe('10.244.169.64/26 via 192.168.26.105 dev tunl0 onlink');
    expect(r.targetNode?.ip).toBe('192.168.26.105');
  });
});

describe('a paste on stdin (--from-dir -)', () => {
  it('trace reads the seed 000 paste from stdin as from the file (oclif leaves stdin to --from-dir)', () => {
    cliEntry();
    const paste = readFileSync('fixtures/tickets/seed-000-k8snode028.txt', 'utf8');
    const r = runCli(['trace', '10.27.13.5', '--from-dir', '-', '--json'], { input: paste });
    expect(r.status, r.stderr).toBe(0);
    // route 10.27.13.0/24 via flannel.1 -> arp 42:32:74:de:24:50 -> fdb dst 10.18.19.129, as the post walks it
    // ok null, not true: the post shows flannel.1 only in ifconfig (no VNI/local/learning) and no MTU of bond0
    expect(r.json).toMatchObject({ ok: null, backend: 'vxlan', targetNode: { ip: '10.18.19.129', vtepMac: '42:32:74:de:24:50' } });
  });
});
