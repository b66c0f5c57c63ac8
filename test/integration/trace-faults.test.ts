// Faults injected one at a time into a real namespace flannel VXLAN cluster; `trace` (the CLI, --netns)
// must name the broken hop and its problem code and exit 1. Each fault is undone before the next.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildFlannelCluster, nodesJson, programPeers, type LabCluster, type LabNode } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { runCli as cli, type CliResult } from '../collect/cli.js';

describeNetns('trace names each injected fault', () => {
  const lab = new Lab('trf');
  let cluster: LabCluster;
  let n1: LabNode;
  let n2: LabNode;
  let dir: string;
  let nodesFile: string;

  const traceFrom = (node: LabNode, ip: string, nodes = nodesFile) => cli(['trace', ip, '--netns', node.netns, '--nodes', nodes, '--json']);
  const dst = () => n2.pods[0].ip;
  const expectFault = (r: CliResult, step: string, problem: string) => {
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.json.ok).toBe(false);
    expect(r.json.hops).toEqual(expect.arrayContaining([expect.objectContaining({ step, ok: false })]));
    const hop = r.json.hops.find((h: { step: string; ok: boolean }) => h.step === step && !h.ok);
    expect(hop.problems ?? [hop.problem]).toContain(problem);
  };
  /** flannel's state for every peer, re-programmed as flanneld would */
  const restore = (node: LabNode) => programPeers(lab, node, cluster.nodes);
  /** bounded: one packet per try, at most three tries (the first may wait on ARP) */
  const pings = (from: string, to: string) => [0, 1, 2].some(() => lab.ping(from, to));

  beforeAll(() => {
    cluster = buildFlannelCluster(lab, { nodes: 3, podsPerNode: 1 });
    [n1, n2] = cluster.nodes;
    dir = mkdtempSync(join(tmpdir(), 'flanctl-trace-faults-'));
    nodesFile = join(dir, 'nodes.json');
    writeFileSync(nodesFile, nodesJson(cluster));
    expect(pings(n1.pods[0].netns, dst())).toBe(true);
  });
  afterAll(() => {
    lab.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fdb entry deleted -> FDB_MISSING at the fdb hop, the first broken one', () => {
    lab.exec(n1.netns, ['bridge', 'fdb', 'del', n2.vtepMac, 'dev', 'flannel.1', 'dst', n2.ip, 'self']);
    const r = traceFrom(n1, dst());
    expectFault(r, 'fdb', 'FDB_MISSING');
    expect(r.json.hops.find((h: { ok: boolean }) => !h.ok).step).toBe('fdb');
    restore(n1);
  });

  it('neigh deleted -> NEIGH_MISSING at the neigh hop', () => {
    lab.ip(n1.netns, ['neigh', 'del', '10.244.2.0', 'dev', 'flannel.1']);
    const r = traceFrom(n1, dst());
    expectFault(r, 'neigh', 'NEIGH_MISSING');
    expect(r.json.summary).toContain('BROKEN at neigh');
    restore(n1);
  });

  it('route deleted -> ROUTE_MISSING at the route hop (a lease covers it: doctor\'s code for that peer)', () => {
    lab.ip(n1.netns, ['route', 'del', n2.subnet]);
    expectFault(traceFrom(n1, dst()), 'route', 'ROUTE_MISSING');
    restore(n1);
  });

  it('stale VtepMAC: node2 got a new flannel.1 MAC and annotation, node1 still points at the old one', () => {
    const fresh = '02:5e:1a:7e:00:02';
    lab.ip(n2.netns, ['link', 'set', 'flannel.1', 'address', fresh]);
    const file = join(dir, 'nodes-new.json');
    writeFileSync(file, nodesJson({ ...cluster, nodes: cluster.nodes.map((n) => (n === n2 ? { ...n, vtepMac: fresh } : n)) }));
    expectFault(traceFrom(n1, dst(), file), 'neigh', 'VTEP_MAC_MISMATCH');
    lab.ip(n2.netns, ['link', 'set', 'flannel.1', 'address', n2.vtepMac]);
    // a MAC change flushes the device's neighbours, permanent ones too: node2 needs its peers back
    restore(n2);
  });

  it('flannel.1 down -> VXLAN_DEVICE_DOWN', () => {
    lab.ip(n1.netns, ['link', 'set', 'flannel.1', 'down']);
    expectFault(traceFrom(n1, dst()), 'vxlan-device', 'VXLAN_DEVICE_DOWN');
    lab.ip(n1.netns, ['link', 'set', 'flannel.1', 'up']);
    restore(n1);
  });

  it('flannel.1 deleted -> ROUTE_MISSING and VXLAN_DEVICE_MISSING; rebuilt, traffic flows again', () => {
    lab.ip(n1.netns, ['link', 'del', 'flannel.1']);
    const r = traceFrom(n1, dst());
    expectFault(r, 'vxlan-device', 'VXLAN_DEVICE_MISSING');
    expect(r.json.hops[0].problem).toBe('ROUTE_MISSING');
    // rebuilt exactly as buildFlannelCluster creates it, then the peers
    lab.ip(n1.netns, ['link', 'add', 'flannel.1', 'address', n1.vtepMac, 'type', 'vxlan', 'id', '1', 'local', n1.ip, 'dev', 'eth0', 'dstport', '8472', 'nolearning']);
    lab.ip(n1.netns, ['link', 'set', 'flannel.1', 'mtu', '1450']);
    lab.ip(n1.netns, ['addr', 'add', '10.244.1.0/32', 'dev', 'flannel.1']);
    lab.ip(n1.netns, ['link', 'set', 'flannel.1', 'up']);
    restore(n1);
    expect(traceFrom(n1, dst()).status).toBe(0);
    expect(pings(n1.pods[0].netns, dst())).toBe(true);
  });

  it('veth without master -> VETH_NO_MASTER on trace and on pod-veth', () => {
    const pod = n2.pods[0];
    lab.ip(n2.netns, ['link', 'set', pod.hostVeth, 'nomaster']);
    expectFault(traceFrom(n2, pod.ip), 'veth', 'VETH_NO_MASTER');
    const pv = cli(['pod-veth', pod.ip, '--netns', n2.netns, '--json']);
    expect(pv.status).toBe(1);
    expect(pv.json.problems).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'VETH_NO_MASTER', device: pod.hostVeth })]));
    lab.ip(n2.netns, ['link', 'set', pod.hostVeth, 'master', 'cni0']);
  });

  it('MTU mismatch: the underlay shrank under flannel.1 (1450 > 1400 − 50) -> MTU_MISMATCH', () => {
    // the kernel refuses a vxlan MTU above lower MTU − 50, so the realistic fault is the NIC changing after start
    lab.ip(n1.netns, ['link', 'set', 'eth0', 'mtu', '1400']);
    expectFault(traceFrom(n1, dst()), 'mtu', 'MTU_MISMATCH');
    lab.ip(n1.netns, ['link', 'set', 'eth0', 'mtu', '1500']);
    expect(traceFrom(n1, dst()).status).toBe(0);
  });
});
