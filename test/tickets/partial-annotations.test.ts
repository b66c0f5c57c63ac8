// Grep'd annotation lines (`kubectl get node x -o yaml | grep flannel`) that make no whole lease: the known parts are
// checked where they are enough, the rest is unverified, and a lease list known to be partial makes no entry stale.
// The pastes are written here as a person would paste them; the expectations are read off them by hand.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { loadSources } from '../../src/collect/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'fct-partial-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const doctor = async (text: string, nodeName?: string) => {
  const p = join(tmp, `paste-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(p, text);
  const l = await loadSources(p);
  return runDoctor({ snapshot: l.nodes[0].snapshot, desired: l.desired, nodeName });
};
const codes = (d: Awaited<ReturnType<typeof doctor>>) => d.findings.map((f) => f.code);

describe('flannel #1795: ip a s flannel.1, the grep\'d VtepMAC line, an arp line', () => {
  const paste = 'fixtures/tickets/issues/1795-arp-vs-annotation.log';
  it('without --node: no finding (the arp entry was STALE_NEIGH against an empty lease list); what is missing is listed', async () => {
    const l = await loadSources(paste);
    const d = runDoctor({ snapshot: l.nodes[0].snapshot, desired: l.desired });
    expect(d.findings).toEqual([]);
    const missing = d.unverified.map((u) => u.missing);
    expect(missing).toContainEqual(expect.stringMatching(/node xxx\.164: podCIDR, public-ip, backend-type not in the annotation lines given/));
    expect(missing).toContainEqual(expect.stringMatching(/whether node xxx\.164's annotations are this node's: name it with --node xxx\.164/));
    expect(missing).toContainEqual(expect.stringMatching(/whether 1 route\/neigh\/fdb entry on flannel\.1 belong to a current lease/));
  });

  it('with --node xxx.164: flannel.1 is ee:8d:cf:69:b3:7c, the annotation says e6:7c:02:8e:e8:7e — LEASE_MAC_MISMATCH, as the issue reports', async () => {
    const l = await loadSources(paste);
    const d = runDoctor({ snapshot: l.nodes[0].snapshot, desired: l.desired, nodeName: 'xxx.164' });
    expect(codes(d)).toEqual(['LEASE_MAC_MISMATCH']);
    expect(d.findings[0].summary).toContain('flannel.1 MAC ee:8d:cf:69:b3:7c is not this node\'s annotated VtepMAC e6:7c:02:8e:e8:7e');
  });
});

describe('a peer known only by VtepMAC and public-ip', () => {
  // node-a 192.168.1.11; the grep shows node-b's backend-data and public-ip, not its podCIDR
  const head = `[root@node-a ~]# ip -4 addr show eth0
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000
    inet 192.168.1.11/24 brd 192.168.1.255 scope global eth0
[root@node-a ~]# ip -d link show flannel.1
5: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode DEFAULT group default
    link/ether 66:77:88:99:aa:00 brd ff:ff:ff:ff:ff:ff promiscuity 0
    vxlan id 1 local 192.168.1.11 dev eth0 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300
[root@node-a ~]# kubectl get node node-b -o yaml | grep flannel
    flannel.alpha.coreos.com/backend-data: '{"VNI":1,"VtepMAC":"66:77:88:99:aa:01"}'
    flannel.alpha.coreos.com/public-ip: 192.168.1.12
`;
  it('its fdb entry pointing to another IP is FDB_DST_MISMATCH', async () => {
    const d = await doctor(`${head}[root@node-a ~]# bridge fdb show dev flannel.1\n66:77:88:99:aa:01 dst 192.168.1.99 self permanent\n`);
    expect(codes(d)).toEqual(['FDB_DST_MISMATCH']);
  });

  it('its fdb entry pointing to its public IP is no finding; the podCIDR it lacks is unverified', async () => {
    const d = await doctor(`${head}[root@node-a ~]# bridge fdb show dev flannel.1\n66:77:88:99:aa:01 dst 192.168.1.12 self permanent\n`);
    expect(d.findings).toEqual([]);
    expect(d.unverified.map((u) => u.missing)).toContainEqual(expect.stringMatching(/node node-b: podCIDR, backend-type not in the annotation lines given/));
  });

  it('without the fdb table: unverified, not FDB_MISSING', async () => {
    const d = await doctor(head);
    expect(codes(d)).not.toContain('FDB_MISSING');
    expect(d.unverified.map((u) => u.missing)).toContainEqual(expect.stringMatching(/an fdb entry for node node-b's VtepMAC 66:77:88:99:aa:01/));
  });

  it('with the whole fdb table and no entry for it: FDB_MISSING', async () => {
    const d = await doctor(`${head}[root@node-a ~]# bridge fdb show dev flannel.1\n66:77:88:99:aa:02 dst 192.168.1.13 self permanent\n`);
    expect(codes(d)).toContain('FDB_MISSING');
  });
});

describe('one Node object is not every lease', () => {
  it('`kubectl get node node-b -o yaml` pasted with a neighbour of another node: unverified, not STALE_NEIGH', async () => {
    const d = await doctor(`[root@node-a ~]# ip -4 addr show eth0
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000
    inet 192.168.1.11/24 brd 192.168.1.255 scope global eth0
[root@node-a ~]# ip -d link show flannel.1
5: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode DEFAULT group default
    link/ether 66:77:88:99:aa:00 brd ff:ff:ff:ff:ff:ff promiscuity 0
    vxlan id 1 local 192.168.1.11 dev eth0 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300
[root@node-a ~]# ip neigh show dev flannel.1
10.244.1.0 lladdr 66:77:88:99:aa:01 PERMANENT
10.244.2.0 lladdr 66:77:88:99:aa:02 PERMANENT
[root@node-a ~]# kubectl get node node-b -o yaml
apiVersion: v1
kind: Node
metadata:
  name: node-b
  annotations:
    flannel.alpha.coreos.com/backend-data: '{"VNI":1,"VtepMAC":"66:77:88:99:aa:01"}'
    flannel.alpha.coreos.com/backend-type: vxlan
    flannel.alpha.coreos.com/kube-subnet-manager: "true"
    flannel.alpha.coreos.com/public-ip: 192.168.1.12
spec:
  podCIDR: 10.244.1.0/24
`);
    // node-c's neighbour 10.244.2.0 is in no lease given, but only node-b's Node object was pasted
    expect(codes(d)).not.toContain('STALE_NEIGH');
    expect(codes(d)).not.toContain('LOCAL_LEASE_NOT_FOUND');
    expect(d.unverified.map((u) => u.missing)).toContainEqual(expect.stringMatching(/belong to a current lease: the desired state given is one Node object/));
  });
});
