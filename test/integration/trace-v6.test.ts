// The IPv6 half of a dual-stack node, read live and traced: one namespace cluster (flannel.1 and flannel-v6.1
// programmed as flanneld does, test/netns/flannel-cluster-v6.ts) for every case. Expected values are what the lab
// programmed (its addresses, MACs and routes), never what flanctl printed before.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as cli } from '../collect/cli.js';
import { buildDualStackCluster, type DualCluster, type DualNode, dualNodeObject, programPeers6, V6_MTU } from '../netns/flannel-cluster-v6.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';

describeNetns('IPv6 on a dual-stack node (netns cluster)', () => {
  const lab = new Lab('t6');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-trace-v6-'));
  let cluster: DualCluster;
  let a: DualNode;
  let b: DualNode;
  let nodesFile: string;

  beforeAll(() => {
    cluster = buildDualStackCluster(lab, { nodes: 2, podsPerNode: 1 });
    [a, b] = cluster.nodes;
    nodesFile = join(tmp, 'nodes.json');
    writeFileSync(nodesFile, JSON.stringify({ kind: 'List', items: cluster.nodes.map(dualNodeObject) }));
  });
  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  // trace and doctor on node1, leases as flanneld annotates dual-stack nodes
  const traceTo = (ip: string, extra: string[] = []) => cli(['trace', ip, '--netns', a.netns, '--nodes', nodesFile, '--json', ...extra]);
  const doctorCodes = (): string[] => {
    const r = cli(['doctor', '--netns', a.netns, '--nodes', nodesFile, '--json']);
    return (r.json.findings as { code: string; severity: string }[]).filter((f) => f.severity !== 'info').map((f) => f.code);
  };
  type Hop = { step: string; device: string; ok: boolean | null; problem?: string; problems?: string[]; node: string };
  const broken = (hops: Hop[]): Hop[] => hops.filter((h) => h.ok === false);
  const codesOf = (hops: Hop[]): string[] => broken(hops).flatMap((h) => h.problems ?? [h.problem!]);
  /** flannel's IPv6 state for every peer, re-programmed as flanneld would (the device first when it was taken away) */
  const restore = (): void => {
    lab.ip(a.netns, ['link', 'set', 'eth0', 'mtu', '1500']);
    if (lab.tryExec(a.netns, ['ip', 'link', 'show', 'flannel-v6.1']).status !== 0) {
      lab.ip(a.netns, ['link', 'add', 'flannel-v6.1', 'address', a.vtepMac6, 'type', 'vxlan', 'id', '1', 'local', a.ip6, 'dev', 'eth0', 'dstport', '8472', 'nolearning']);
      lab.ip(a.netns, ['link', 'set', 'flannel-v6.1', 'mtu', String(V6_MTU)]);
      lab.ip(a.netns, ['-6', 'addr', 'add', `${a.subnet6.split('/')[0]}/128`, 'dev', 'flannel-v6.1', 'nodad']);
    }
    lab.ip(a.netns, ['link', 'set', 'flannel-v6.1', 'up']);
    programPeers6(lab, a, cluster.nodes);
  };

  describe('trace <IPv6 pod IP>', () => {
    it('healthy: route -> flannel-v6.1 -> neigh (peer VtepMAC6) -> fdb (peer public-ipv6) -> node, ok, exit 0', () => {
      const r = traceTo(b.pods[0].ip6);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.json).toMatchObject({ destination: b.pods[0].ip6, ok: true, backend: 'vxlan', family: 'v6', targetNode: { ip: b.ip6, vtepMac: b.vtepMac6, subnet: b.subnet6 } });
      const hops = r.json.hops as Hop[];
      expect(hops.slice(0, 5).map((h) => [h.step, h.device])).toEqual([
        ['route', 'flannel-v6.1'],
        ['vxlan-device', 'flannel-v6.1'],
        ['neigh', 'flannel-v6.1'],
        ['fdb', 'flannel-v6.1'],
        ['node', b.ip6],
      ]);
      expect(hops.find((h) => h.step === 'neigh')!).toMatchObject({ ok: true });
      expect(JSON.stringify(hops)).toContain(b.vtepMac6);
      expect(hops.find((h) => h.step === 'underlay')).toMatchObject({ device: 'eth0', ok: true });
      expect(broken(hops)).toEqual([]);
    });

    it('an IPv6 address that is not one: exit 2, one line', () => {
      const r = cli(['trace', 'fd00::1::2', '--netns', a.netns]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('not an IPv4 or IPv6 address');
    });

    // each fault as the kernel holds it after the command, the hop named with the code doctor gives
    const faults: [string, () => void, string, string][] = [
      ['v6 neighbour deleted', () => lab.ip(a.netns, ['-6', 'neigh', 'del', b.subnet6.split('/')[0], 'dev', 'flannel-v6.1']), 'neigh', 'NEIGH_MISSING'],
      ['v6 fdb entry deleted', () => lab.exec(a.netns, ['bridge', 'fdb', 'del', b.vtepMac6, 'dev', 'flannel-v6.1', 'dst', b.ip6, 'self']), 'fdb', 'FDB_MISSING'],
      ['v6 route deleted', () => lab.ip(a.netns, ['-6', 'route', 'del', b.subnet6, 'dev', 'flannel-v6.1']), 'route', 'ROUTE_MISSING'],
      ['flannel-v6.1 down', () => lab.ip(a.netns, ['link', 'set', 'flannel-v6.1', 'down']), 'vxlan-device', 'VXLAN_DEVICE_DOWN'],
      ['flannel-v6.1 deleted', () => lab.ip(a.netns, ['link', 'del', 'flannel-v6.1']), 'vxlan-device', 'VXLAN_DEVICE_MISSING'],
      // the kernel keeps flannel-v6.1 at 1430 when its underlay shrinks: 1430 > 1400 − 70
      ['the underlay shrank under flannel-v6.1', () => lab.ip(a.netns, ['link', 'set', 'eth0', 'mtu', '1400']), 'mtu', 'MTU_MISMATCH'],
    ];
    for (const [name, inject, step, code] of faults) {
      it(`${name} -> ${step} hop ${code}, as doctor names it; exit 1`, () => {
        inject();
        try {
          const r = traceTo(b.pods[0].ip6);
          expect(r.status, r.stdout + r.stderr).toBe(1);
          expect(r.json.ok).toBe(false);
          const hop = (r.json.hops as Hop[]).find((h) => h.step === step && h.ok === false);
          expect(hop, JSON.stringify(r.json.hops)).toBeDefined();
          expect(hop!.problems ?? [hop!.problem]).toContain(code);
          // a missing route has no device to name
          if (step !== 'route') expect(hop!.device).toBe('flannel-v6.1');
          const doctor = doctorCodes();
          expect(doctor).toContain(code);
          // one fault, one code: nothing trace names is unknown to doctor
          for (const c of codesOf(r.json.hops)) expect(doctor, c).toContain(c);
        } finally {
          restore();
        }
      });
    }

    it('after the faults the path is whole again (restore programs what flanneld does)', () => {
      expect(traceTo(b.pods[0].ip6).json.ok).toBe(true);
    });
  });

  describe('across nodes, local pods, pod-veth and whohas in IPv6', () => {
    it('with both nodes\' snapshots: on to the pod veth on node2 and back to node1 through flannel-v6.1', () => {
      const s1 = join(tmp, 'n1.json');
      const s2 = join(tmp, 'n2.json');
      expect(cli(['collect', '--netns', a.netns, '-o', s1]).status).toBe(0);
      expect(cli(['collect', '--netns', b.netns, '-o', s2]).status).toBe(0);
      const r = cli(['trace', b.pods[0].ip6, '--snapshot', s1, '--snapshot', s2, '--nodes', nodesFile, '--json']);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.json.ok).toBe(true);
      const hops = r.json.hops as Hop[];
      expect(hops.find((h) => h.step === 'arrive')).toMatchObject({ node: b.netns, ok: true });
      // the lab's veth for that pod (flannel-cluster.ts), found on node2 through cni0
      expect(hops.find((h) => h.step === 'veth' && h.node === b.netns)).toMatchObject({ device: b.pods[0].hostVeth, ok: true });
      // back: node2 -> node1's cni0 IPv6 gateway, through node2's flannel-v6.1 to node1's public-ipv6
      expect(r.json.reverse.destination).toBe(`${a.subnet6.split('/')[0]}1`);
      expect(r.json.reverse.ok).toBe(true);
      expect(r.json.reverse.hops.find((h: Hop) => h.step === 'node')).toMatchObject({ device: a.ip6 });
    });

    it('trace --cluster DIR: a node1 pod to a node2 pod in IPv6, and the destination alone, cross to node2 and its pod veth', () => {
      // a cluster directory as collect --all writes it without a manifest: one snapshot per node, nodes.json beside them
      const dir = join(tmp, 'cluster');
      mkdirSync(dir);
      expect(cli(['collect', '--netns', a.netns, '-o', join(dir, `${a.netns}.json`)]).status).toBe(0);
      expect(cli(['collect', '--netns', b.netns, '-o', join(dir, `${b.netns}.json`)]).status).toBe(0);
      writeFileSync(join(dir, 'nodes.json'), readFileSync(nodesFile));
      const r = cli(['trace', a.pods[0].ip6, b.pods[0].ip6, '--cluster', dir, '--json']);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.json).toMatchObject({ ok: true, family: 'v6', source: { ip: a.pods[0].ip6, node: a.netns } });
      const hops = r.json.hops as Hop[];
      expect(hops[0]).toMatchObject({ step: 'source', node: a.netns });
      expect(hops.find((h) => h.step === 'vxlan-device')).toMatchObject({ node: a.netns, device: 'flannel-v6.1', ok: true });
      expect(hops.find((h) => h.step === 'arrive')).toMatchObject({ node: b.netns, ok: true });
      expect(hops.find((h) => h.step === 'veth' && h.node === b.netns)).toMatchObject({ device: b.pods[0].hostVeth, ok: true });
      const one = cli(['trace', b.pods[0].ip6, '--cluster', dir, '--json']);
      expect(one.status, one.stdout + one.stderr).toBe(0);
      expect((one.json.hops as Hop[]).find((h) => h.step === 'veth' && h.node === b.netns)).toMatchObject({ device: b.pods[0].hostVeth, ok: true });
    });

    it('a local IPv6 pod: cni0 -> the pod veth', () => {
      const r = traceTo(a.pods[0].ip6);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.json).toMatchObject({ backend: 'local', family: 'v6' });
      const hops = r.json.hops as Hop[];
      expect(hops[0]).toMatchObject({ step: 'route', device: 'cni0' });
      expect(hops.find((h) => h.step === 'veth')).toMatchObject({ device: a.pods[0].hostVeth, ok: true });
    });

    it('pod-veth shows the pod\'s IPv6 address and finds the pod by it', () => {
      const r = cli(['pod-veth', '--netns', a.netns, '--json']);
      expect(r.status, r.stderr).toBe(0);
      const pod = r.json.pods.find((p: { hostVeth: string }) => p.hostVeth === a.pods[0].hostVeth);
      // the lab's addresses: ip, ip6 and MAC of the pod's eth0; fe80::/64 on the veth does not make it a routed (calico) veth
      expect(pod).toMatchObject({ ip: a.pods[0].ip, ip6: a.pods[0].ip6, mac: a.pods[0].mac, bridge: 'cni0' });
      expect(pod.routed).toBeUndefined();
      const byV6 = cli(['pod-veth', a.pods[0].ip6, '--netns', a.netns, '--json']);
      expect(byV6.json.pods.map((p: { hostVeth: string }) => p.hostVeth)).toEqual([a.pods[0].hostVeth]);
      // the table gets an ipv6 column (its cells may wrap to fit the terminal)
      expect(cli(['pod-veth', '--netns', a.netns]).stdout).toMatch(/│ ipv6 +│/);
    });

    it('whohas a peer\'s IPv6 VtepMAC: the flannel-v6.1 neighbour, the fdb entry to its public-ipv6 and its lease, one holder', () => {
      const r = cli(['whohas', b.vtepMac6, '--netns', a.netns, '--nodes', nodesFile, '--json']);
      expect(r.status, r.stderr).toBe(0);
      const owners = r.json.owners as { kind: string; device: string; ip?: string; nodeIp?: string }[];
      expect(owners).toContainEqual(expect.objectContaining({ kind: 'neigh', device: 'flannel-v6.1', ip: b.subnet6.split('/')[0] }));
      expect(owners).toContainEqual(expect.objectContaining({ kind: 'fdb', device: 'flannel-v6.1', nodeIp: b.ip6 }));
      expect(owners).toContainEqual(expect.objectContaining({ kind: 'vtep', device: 'flannel-v6.1', nodeIp: b.ip6, ip: b.subnet6 }));
      expect(r.json.duplicate).toBe(false);
      // this node's own flannel-v6.1 and its own lease's v6 VtepMAC are one holder
      const own = cli(['whohas', a.vtepMac6, '--netns', a.netns, '--nodes', nodesFile, '--json']);
      expect(own.json.owners.map((o: { kind: string }) => o.kind).sort()).toEqual(['link', 'vtep']);
      expect(own.json.duplicate).toBe(false);
    });
  });

  describe('whohas <IP>', () => {
    it('a local pod\'s IPv6 address: the pod (its host veth) and the lease whose subnet6 holds it; the same for its IPv4', () => {
      for (const ip of [a.pods[0].ip6, a.pods[0].ip]) {
        const r = cli(['whohas', ip, '--netns', a.netns, '--nodes', nodesFile, '--json']);
        expect(r.status, r.stderr).toBe(0);
        expect(r.json.ip).toBe(ip);
        const owners = r.json.owners as { kind: string; device: string; detail: string; ip?: string }[];
        expect(owners.find((o) => o.kind === 'pod')?.detail).toContain(`host veth ${a.pods[0].hostVeth}`);
        expect(owners).toContainEqual(expect.objectContaining({ kind: 'lease', device: 'subnet', ip: ip.includes(':') ? a.subnet6 : a.subnet }));
        expect(r.json.duplicate).toBe(false);
      }
    });

    it('a peer\'s flannel-v6.1 address and its public-ipv6: the flannel-v6.1 neighbour, the fdb entry and the lease', () => {
      const gw = b.subnet6.split('/')[0];
      const r = cli(['whohas', gw, '--netns', a.netns, '--nodes', nodesFile, '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.json.owners).toContainEqual(expect.objectContaining({ kind: 'neigh', device: 'flannel-v6.1', ip: gw }));
      const pub = cli(['whohas', b.ip6, '--netns', a.netns, '--nodes', nodesFile, '--json']);
      expect(pub.json.owners).toContainEqual(expect.objectContaining({ kind: 'fdb', device: 'flannel-v6.1', nodeIp: b.ip6 }));
      expect(pub.json.owners).toContainEqual(expect.objectContaining({ kind: 'lease', device: 'public-ipv6', ip: b.subnet6 }));
    });

    it('a malformed IPv6 address: exit 2, one line', () => {
      const r = cli(['whohas', 'fd00::1::2', '--netns', a.netns]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  });

  describe('collect', () => {
    it('reads the IPv6 main table, flannel-v6.1 neighbours and fdb entries with an IPv6 dst; --raw-dir reads back the same', () => {
      const raw = join(tmp, 'raw');
      const out = join(tmp, 'node1.json');
      const r = cli(['collect', '--netns', a.netns, '--raw-dir', raw, '-o', out]);
      expect(r.status, r.stderr).toBe(0);
      const s = JSON.parse(readFileSync(out, 'utf8'));
      const step = s.commands.find((c: { name: string }) => c.name === 'ip-route6');
      expect(step).toMatchObject({ ok: true, form: 'json', argv: ['ip', '-6', '-j', 'route', 'show', 'table', 'main'] });
      const gw = b.subnet6.split('/')[0];
      // programPeers6: route <peer subnet6> via <peer subnet6 address> dev flannel-v6.1 onlink
      expect(s.routes).toContainEqual(expect.objectContaining({ dst: b.subnet6, gateway: gw, dev: 'flannel-v6.1', onlink: true }));
      // the IPv4 table is still there
      expect(s.routes).toContainEqual(expect.objectContaining({ dst: b.subnet, gateway: b.subnet.split('/')[0], dev: 'flannel.1' }));
      // the local table (multicast ff00::/8 on every device) is not read
      expect(s.routes.filter((r: { dst: string }) => r.dst.startsWith('ff00:'))).toEqual([]);
      expect(s.neigh).toContainEqual(expect.objectContaining({ dst: gw, dev: 'flannel-v6.1', lladdr: b.vtepMac6, state: ['PERMANENT'] }));
      expect(s.fdb).toContainEqual(expect.objectContaining({ mac: b.vtepMac6, dev: 'flannel-v6.1', dst: b.ip6, self: true, state: 'permanent' }));
      expect(s.addresses).toContainEqual(expect.objectContaining({ dev: 'flannel-v6.1', family: 'inet6', local: a.subnet6.split('/')[0], prefixlen: 128 }));
      expect(readFileSync(join(raw, 'ip-route6.txt'), 'utf8')).toContain(`"dst":"${b.subnet6}"`);

      const fromDir = cli(['collect', '--from-dir', raw, '-o', join(tmp, 'back.json')]);
      expect(fromDir.status, fromDir.stderr).toBe(0);
      const again = JSON.parse(readFileSync(join(tmp, 'back.json'), 'utf8'));
      expect(again.routes).toEqual(s.routes);
      expect(again.neigh).toEqual(s.neigh);
      expect(again.fdb).toEqual(s.fdb);
      expect(again.commands.map((c: { name: string }) => c.name)).toContain('ip-route6');
    });
  });
});
