// The --json documents of trace, whohas and pod-veth over the seed-derived fixture directories, loaded the way
// the CLI loads them (loadSnapshots({ fromDir })). Snapshots make any change to the JSON contract visible.
import { describe, expect, it } from 'vitest';
import { podVeth } from '../../src/analyze/pod-veth.js';
import { trace } from '../../src/analyze/trace.js';
import { whohas } from '../../src/analyze/whohas.js';
import { loadSnapshots } from '../../src/collect/index.js';

const dir = (name: string) => loadSnapshots({ fromDir: [`fixtures/nodes/${name}`] });

describe('--json of trace, whohas and pod-veth on the fixture nodes', () => {
  it('trace 10.27.13.5 on k8snode028 (the README example): flannel.1 -> 42:32:74:de:24:50 -> 10.18.19.129', async () => {
    const r = trace(await dir('k8snode028'), '10.27.13.5');
    expect(r.summary).toBe('10.27.13.5 is reached via flannel.1 (vxlan) on node 10.18.19.129: OK');
    expect(r).toMatchSnapshot();
  });

  it.each([
    ['k8snode028', '10.27.3.3'],
    ['k8snode028', '10.27.9.3'],
    ['k8snode028', '8.8.8.8'],
    ['node1', '10.244.2.2'],
    ['node1', '10.244.1.2'],
    ['node2', '10.244.1.2'],
    ['hdss7-21', '172.7.22.2'],
    ['centos-node1', '172.33.31.2'],
    ['centos-node1', '172.33.96.3'],
    ['vms105', '10.244.169.77'],
    ['vms105', '10.244.169.100'],
    ['vms105', '10.244.31.70'],
  ])('trace on %s to %s', async (node, ip) => {
    expect(trace(await dir(node), ip)).toMatchSnapshot();
  });

  it('trace across both IPIP nodes of seed 002 continues on node2 down to veth04bde23e', async () => {
    const snaps = await loadSnapshots({ fromDir: ['fixtures/nodes/node1', 'fixtures/nodes/node2'] });
    const r = trace(snaps, '10.244.2.2');
    expect(r.hops.filter((h) => h.node === 'node2.whale.com').find((h) => h.step === 'veth')?.device).toBe('veth04bde23e');
    expect(r.reverse?.ok).toBe(true);
    expect(r).toMatchSnapshot();
  });

  it('whohas on k8snode028 and node1', async () => {
    expect(whohas(await dir('k8snode028'), '42:32:74:de:24:50')).toMatchSnapshot();
    expect(whohas(await dir('k8snode028'), '8000.0a580a1d0d01')).toMatchSnapshot();
    expect(whohas(await dir('node1'), 'fe:b1:c5:f4:d0:b2')).toMatchSnapshot();
  });

  it('pod-veth on node1, node2 and vms105', async () => {
    expect(podVeth(await dir('node1'))).toMatchSnapshot();
    expect(podVeth(await dir('node2'))).toMatchSnapshot();
    expect(podVeth(await dir('vms105'))).toMatchSnapshot();
  });
});
