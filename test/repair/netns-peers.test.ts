import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { buildFlannelCluster, type LabCluster, nodesJson, programPeers, subnetEnvText } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { cli, codes, type CycleEnv, repairCycle } from './netns-helpers.js';

// Per-peer faults on node1 of a real 3-node VXLAN cluster in namespaces, leases as `kubectl get nodes -o json`.
describeNetns('doctor and repair: per-peer faults (netns cluster, nodes file)', () => {
  const lab = new Lab('rpp');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-repair-'));
  let cluster: LabCluster;
  let env: CycleEnv;

  beforeAll(() => {
    cluster = buildFlannelCluster(lab, { nodes: 3, podsPerNode: 1 });
    writeFileSync(join(tmp, 'nodes.json'), nodesJson(cluster));
    const [n1, n2] = cluster.nodes;
    env = { lab, ns: n1.netns, nodesArgs: ['--nodes', join(tmp, 'nodes.json')], journalDir: join(tmp, 'journal'), fromPod: n1.pods[0].netns, toIp: n2.pods[0].ip };
  });
  // flannel's own triplet for every peer, straight from the lab: the next fault starts from a healthy node
  const heal = (): void => programPeers(lab, cluster.nodes[0], cluster.nodes);
  afterEach(heal);

  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a healthy node: doctor exit 0, repair plans nothing', () => {
    const doctor = cli(['doctor', '--netns', env.ns, ...env.nodesArgs, '--json']);
    expect(doctor.status, doctor.stdout).toBe(0);
    expect(doctor.json.ok).toBe(true);
    const dry = cli(['repair', '--netns', env.ns, ...env.nodesArgs, '--json']);
    expect(dry.status).toBe(0);
    expect(dry.json.actions).toEqual([]);
    // a namespace has no /run/flannel: --subnet-env supplies it and the subnet.env/bridge checks run
    writeFileSync(join(tmp, 'subnet.env'), subnetEnvText(cluster.nodes[0]));
    const masq = cli(['doctor', '--netns', env.ns, ...env.nodesArgs, '--subnet-env', join(tmp, 'subnet.env'), '--json']);
    // FLANNEL_IPMASQ=true, and the lab namespace has no FLANNEL-POSTRTG rules
    expect(codes(masq)).toEqual(['MASQ_MISSING']);
    writeFileSync(join(tmp, 'subnet.env'), subnetEnvText(cluster.nodes[0]).replace('FLANNEL_IPMASQ=true', 'FLANNEL_IPMASQ=false'));
    const withEnv = cli(['doctor', '--netns', env.ns, ...env.nodesArgs, '--subnet-env', join(tmp, 'subnet.env'), '--json']);
    expect(withEnv.status, withEnv.stdout).toBe(0);
    expect(withEnv.json.skipped.map((x: { check: string }) => x.check)).toEqual(['ipip device']);
    writeFileSync(join(tmp, 'subnet-other.env'), subnetEnvText(cluster.nodes[1]));
    const other = cli(['doctor', '--netns', env.ns, ...env.nodesArgs, '--subnet-env', join(tmp, 'subnet-other.env'), '--json']);
    expect(codes(other)).toEqual(expect.arrayContaining(['SUBNET_ENV_LEASE_MISMATCH', 'BRIDGE_SUBNET_MISMATCH']));
  });

  it('deleted fdb entry -> FDB_MISSING', () => {
    const n2 = cluster.nodes[1];
    lab.exec(env.ns, ['bridge', 'fdb', 'del', n2.vtepMac, 'dev', 'flannel.1', 'dst', n2.ip, 'self']);
    repairCycle(env, 'FDB_MISSING', expect);
  });

  it('deleted neighbour -> NEIGH_MISSING', () => {
    lab.ip(env.ns, ['neigh', 'del', '10.244.2.0', 'dev', 'flannel.1']);
    repairCycle(env, 'NEIGH_MISSING', expect);
  });

  it('deleted route -> ROUTE_MISSING', () => {
    lab.ip(env.ns, ['route', 'del', '10.244.2.0/24']);
    repairCycle(env, 'ROUTE_MISSING', expect);
  });

  it('stale VtepMAC (node2 flannel.1 recreated with a new MAC, lease updated) -> VTEP_MAC_MISMATCH', () => {
    const n2 = cluster.nodes[1];
    const oldMac = n2.vtepMac;
    const newMac = '02:42:de:ad:be:ef';
    // a MAC change flushes every neighbour on the device (neigh_changeaddr): node2's flanneld would re-add its own
    lab.ip(n2.netns, ['link', 'set', 'flannel.1', 'address', newMac]);
    n2.vtepMac = newMac;
    programPeers(lab, n2, cluster.nodes);
    writeFileSync(join(tmp, 'nodes-newmac.json'), nodesJson(cluster));
    try {
      repairCycle({ ...env, nodesArgs: ['--nodes', join(tmp, 'nodes-newmac.json')] }, 'VTEP_MAC_MISMATCH', expect);
      expect(cli(['repair', '--netns', env.ns, '--nodes', join(tmp, 'nodes-newmac.json'), '--apply', '--yes'], { journalDir: env.journalDir }).status).toBe(0);
      // the old-MAC fdb entry (flannel leaves it behind too) is reported as harmless, not as a second peer
      const doctor = cli(['doctor', '--netns', env.ns, '--nodes', join(tmp, 'nodes-newmac.json'), '--json']);
      expect(codes(doctor)).toEqual(['FDB_OLD_MAC']);
      expect(doctor.status).toBe(0);
    } finally {
      lab.ip(n2.netns, ['link', 'set', 'flannel.1', 'address', oldMac]);
      n2.vtepMac = oldMac;
      programPeers(lab, n2, cluster.nodes);
    }
    lab.tryExec(env.ns, ['bridge', 'fdb', 'del', newMac, 'dev', 'flannel.1', 'dst', n2.ip, 'self']);
  });
});
