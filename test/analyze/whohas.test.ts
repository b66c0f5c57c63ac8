import { describe, expect, it } from 'vitest';
import { whohas } from '../../src/analyze/whohas.js';
import type { DesiredState } from '../../src/model/index.js';
import { ipipNode1, k8snode028, snap } from './trace-seeds.js';

describe('whohas', () => {
  it('finds the seed 000 VtepMAC in neigh and fdb, in any spelling, leading to node 10.18.19.129', () => {
    for (const spelling of ['42:32:74:de:24:50', '42-32-74-DE-24-50', '4232.74de.2450', '423274DE2450']) {
      const r = whohas([k8snode028()], spelling);
      expect(r.mac).toBe('42:32:74:de:24:50');
      expect(r.owners.map((o) => o.kind).sort()).toEqual(['fdb', 'neigh', 'neigh']);
      expect(r.owners.find((o) => o.kind === 'fdb')).toMatchObject({ device: 'flannel.1', nodeIp: '10.18.19.129' });
      expect(r.duplicate).toBe(false);
    }
  });

  it('names the node from the leases and sees a lease VtepMAC', () => {
    const desired: DesiredState = { leases: [{ node: 'k8snode129', subnet: '10.27.13.0/24', publicIp: '10.18.19.129', backendType: 'vxlan', vtepMac: '42:32:74:de:24:50' }], problems: [] };
    const r = whohas([k8snode028()], '42:32:74:de:24:50', desired);
    expect(r.owners).toContainEqual(expect.objectContaining({ kind: 'vtep', node: 'k8snode129', nodeIp: '10.18.19.129' }));
    expect(r.owners.find((o) => o.kind === 'fdb')?.detail).toContain('-> node k8snode129');
    expect(r.conflicts).toEqual([]);
  });

  it('reads brctl bridge ids and veth links (seed 002 vethb74d434d -> its pod)', () => {
    // seed 000's brctl show says docker0 is 8000.0242fbd0e139 while `ip link` shows 02:42:1c:85:aa:91 (two moments of the post)
    expect(whohas([k8snode028()], '8000.0242fbd0e139').owners).toEqual([expect.objectContaining({ kind: 'link', device: 'docker0' })]);
    const veth = whohas([ipipNode1()], 'FE:B1:C5:F4:D0:B2');
    expect(veth.owners).toEqual([expect.objectContaining({ kind: 'link', device: 'vethb74d434d', pod: 'default/cni-test-777bbd57c8-jl2bh', ip: '10.244.1.2' })]);
    const pod = whohas([ipipNode1()], 'ea:bc:22:e6:7a:fa');
    expect(pod.owners).toEqual([expect.objectContaining({ kind: 'pod', ip: '10.244.1.2' })]);
  });

  it('says when nothing owns it and when two things claim it', () => {
    const none = whohas([k8snode028()], '02:00:00:00:00:01');
    expect(none.owners).toEqual([]);
    expect(none.summary).toBe('nothing in the given state owns 02:00:00:00:00:01');
    const mac = '02:aa:bb:cc:dd:ee';
    const a = snap('a', { links: [{ kind: 'vxlan', ifindex: 3, name: 'flannel.1', mac, local: '10.0.0.1' }], addresses: [{ dev: 'eth0', family: 'inet', local: '10.0.0.1', prefixlen: 24 }] });
    const b = snap('b', { links: [{ kind: 'vxlan', ifindex: 3, name: 'flannel.1', mac, local: '10.0.0.2' }], addresses: [{ dev: 'eth0', family: 'inet', local: '10.0.0.2', prefixlen: 24 }] });
    const dup = whohas([a, b], mac);
    expect(dup.duplicate).toBe(true);
    expect(dup.summary).toContain('duplicate MAC');
  });

  it('flags an fdb entry that sends a VtepMAC to a node other than the one that owns it', () => {
    const desired: DesiredState = { leases: [{ node: 'n9', subnet: '10.27.13.0/24', publicIp: '10.18.19.130', backendType: 'vxlan', vtepMac: '42:32:74:de:24:50' }], problems: [] };
    const r = whohas([k8snode028()], '42:32:74:de:24:50', desired);
    expect(r.conflicts).toEqual(['fdb on k8snode028 sends 42:32:74:de:24:50 to 10.18.19.129, but it belongs to 10.18.19.130']);
  });

  it('rejects what is not a MAC', () => {
    expect(() => whohas([k8snode028()], 'zz:zz')).toThrow(/not a MAC address/);
  });
});
