// The CLI's --json documents are exactly the analysis results (the shapes snapshot-tested in
// test/analyze/trace-json.test.ts), with the exit codes DESIGN.md promises. No namespaces needed.
import { describe, expect, it } from 'vitest';
import { podVeth } from '../../src/analyze/pod-veth.js';
import { trace } from '../../src/analyze/trace.js';
import { whohas } from '../../src/analyze/whohas.js';
import { loadSnapshots } from '../../src/collect/index.js';
import { runCli as cli } from '../collect/cli.js';

const K8S = 'fixtures/nodes/k8snode028';
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('trace / whohas / pod-veth --json from the CLI', () => {
  it('trace: the README example, exit 0; a broken path, exit 1; bad input, exit 2', async () => {
    const snaps = await loadSnapshots({ fromDir: [K8S] });
    const ok = cli(['trace', '10.27.13.5', '--from-dir', K8S, '--json']);
    expect(ok.status).toBe(0);
    expect(ok.json).toEqual(plain(trace(snaps, '10.27.13.5')));
    // seed 001: route -n (the whole table) has nothing for 172.33.31.0 inside FLANNEL_NETWORK 172.33.0.0/16
    const broken = cli(['trace', '172.33.31.2', '--from-dir', 'fixtures/nodes/centos-node1', '--json']);
    expect(broken.status).toBe(1);
    expect(broken.json.hops.find((h: { ok: boolean }) => h.ok === false).problem).toBe('NO_ROUTE');
    const bad = cli(['trace', '10.27.3', '--from-dir', K8S]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('flanctl: not an IPv4 or IPv6 address: "10.27.3" (trace takes a pod IP, e.g. 10.244.3.7 or fd00:10:244:3::7)\n');
  });

  it('whohas and pod-veth', async () => {
    const snaps = await loadSnapshots({ fromDir: [K8S] });
    const w = cli(['whohas', '4232.74DE.2450', '--from-dir', K8S, '--json']);
    expect(w.status).toBe(0);
    expect(w.json).toEqual(plain(whohas(snaps, '42:32:74:de:24:50')));
    const node1 = await loadSnapshots({ fromDir: ['fixtures/nodes/node1'] });
    const p = cli(['pod-veth', 'cni-test-777bbd57c8-jl2bh', '--from-dir', 'fixtures/nodes/node1', '--json']);
    expect(p.status).toBe(0);
    expect(p.json).toEqual(plain(podVeth(node1, 'cni-test-777bbd57c8-jl2bh')));
    expect(p.json.pods[0]).toMatchObject({ hostVeth: 'vethb74d434d', hostIfindex: 7, podIflink: 7 });
    expect(cli(['pod-veth', 'nope', '--from-dir', 'fixtures/nodes/node1']).status).toBe(1);
  });

  it('--help shows examples', () => {
    for (const cmd of ['trace', 'whohas', 'pod-veth']) expect(cli([cmd, '--help']).stdout).toContain('EXAMPLES');
  });
});
