// `collect --from-dir fixtures/nodes/k8snode028`: seed 000's node (a blog post's pasted outputs) read back exactly.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/index.js';
import { runCli } from './cli.js';

describe('collect --from-dir fixtures/nodes/k8snode028 (seed 000)', () => {
  let s: Snapshot;

  beforeAll(() => {
    const r = runCli(['collect', '--from-dir', 'fixtures/nodes/k8snode028', '--json']);
    if (r.status !== 0) throw new Error(`collect failed (${r.status}): ${r.stderr}`);
    s = JSON.parse(r.stdout) as Snapshot;
  });

  it('is node k8snode028, read from the directory', () => {
    expect(s.host).toBe('k8snode028');
    expect(s.source).toEqual({ kind: 'dir', name: 'fixtures/nodes/k8snode028' });
    expect(s.commands.every((c) => c.ok && c.form === 'file')).toBe(true);
    expect(s.commands.map((c) => c.name).sort()).toEqual(['brctl-show', 'bridge-fdb', 'cni-conflist', 'hostname', 'ip-addr', 'ip-link', 'ip-neigh', 'ip-route', 'subnet-env']);
  });

  it('has the 14 flannel.1 routes of route -n, gateway == destination', () => {
    const vx = s.routes.filter((r) => r.dev === 'flannel.1');
    const expected = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14].map((i) => `10.27.${i}.0/24`);
    expect(vx.map((r) => r.dst)).toEqual(expected);
    for (const r of vx) expect(r.gateway).toBe(r.dst.replace('/24', ''));
    expect(vx.find((r) => r.dst === '10.27.13.0/24')).toMatchObject({ gateway: '10.27.13.0', dev: 'flannel.1', metric: 0 });
    expect(s.routes.find((r) => r.dst === '10.27.9.0/24')).toMatchObject({ dev: 'cni0' });
    expect(s.routes.find((r) => r.dst === '10.27.9.0/24')?.gateway).toBeUndefined();
    expect(s.routes.find((r) => r.dst === '0.0.0.0/0')).toMatchObject({ gateway: '10.18.19.1', dev: 'bond0' });
    expect(s.routes).toHaveLength(19);
  });

  it('has the one neigh and the one fdb entry the post greps', () => {
    expect(s.neigh).toEqual([expect.objectContaining({ dst: '10.27.13.0', lladdr: '42:32:74:de:24:50', dev: 'flannel.1', state: ['PERMANENT'] })]);
    expect(s.fdb).toEqual([expect.objectContaining({ mac: '42:32:74:de:24:50', dev: 'flannel.1', dst: '10.18.19.129', self: true, state: 'permanent' })]);
  });

  it('has cni0 with its 31 veths, known as a bridge from brctl show', () => {
    const cni0 = s.bridges.find((b) => b.name === 'cni0')!;
    expect(cni0).toMatchObject({ bridgeId: '8000.0a580a1d0d01', stp: false });
    expect(cni0.interfaces).toHaveLength(31);
    expect(cni0.interfaces.every((i) => /^veth[0-9a-f]{8}$/.test(i))).toBe(true);
    expect(s.bridges.find((b) => b.name === 'docker0')?.interfaces).toEqual([]);
    // ip link without -d cannot tell a bridge; brctl show can
    expect(s.links.find((l) => l.name === 'cni0')).toMatchObject({ kind: 'bridge', ifindex: 12, mtu: 1450, mac: '0a:58:0a:1b:09:01', bridgeId: '8000.0a580a1d0d01' });
    // flannel.1 is only in ifconfig: merged in by name, with its address
    expect(s.links.map((l) => l.name)).toEqual(['docker0', 'cni0', 'veth7443cee', 'flannel.1']);
    expect(s.addresses).toContainEqual(expect.objectContaining({ dev: 'flannel.1', local: '10.27.9.0', prefixlen: 32 }));
    expect(s.addresses).toContainEqual(expect.objectContaining({ dev: 'cni0', local: '10.27.9.1', prefixlen: 24 }));
  });

  it('has subnet.env, the CNI config and the pod with its routes', () => {
    expect(s.subnetEnv).toMatchObject({ network: '10.27.0.0/16', subnet: '10.27.9.1/24', mtu: 1450, ipmasq: true });
    expect(s.cniConflist?.plugins.map((p) => p.type)).toEqual(['flannel', 'portmap']);
    expect(s.pods).toHaveLength(1);
    expect(s.pods[0].pod).toBe('backend-6b7b58986c-jdnhn');
    expect(s.pods[0].routes?.map((r) => [r.dst, r.gateway, r.dev])).toEqual([
      ['0.0.0.0/0', '10.27.9.1', 'eth0'],
      ['10.27.0.0/16', '10.27.9.1', 'eth0'],
      ['10.27.9.0/24', undefined, 'eth0'],
    ]);
  });

  it('collect without -o or --json prints the same snapshot on stdout', () => {
    const r = runCli(['collect', '--from-dir', 'fixtures/nodes/k8snode028']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(s);
  });

  it('show --json over two directories: one entry per node', () => {
    const r = runCli(['show', 'routes', '--from-dir', 'fixtures/nodes/k8snode028', '--from-dir', 'fixtures/nodes/hdss7-21', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { subject: string; nodes: { host: string; source: unknown; items: unknown[] }[] };
    expect(j.subject).toBe('routes');
    expect(j.nodes.map((n) => n.host)).toEqual(['k8snode028', 'hdss7-21']);
    expect(j.nodes[0].items).toEqual(s.routes);
  });

  it('show prints the same data as tables', () => {
    const r = runCli(['show', 'neigh', '--from-dir', 'fixtures/nodes/k8snode028']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/10\.27\.13\.0\s+│\s+42:32:74:de:24:50\s+│\s+flannel\.1\s+│\s+PERMANENT/);
    const fdb = runCli(['show', 'fdb', '--from-dir', 'fixtures/nodes/k8snode028']);
    expect(fdb.stdout).toMatch(/42:32:74:de:24:50\s+│\s+flannel\.1\s+│\s+10\.18\.19\.129\s+│.*self,permanent/);
  });
});
