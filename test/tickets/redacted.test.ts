// A value the user redacted (`via 10.244.xx.0`, `dst 192.168.xx.xx`) or that `route` printed as a host name
// (`vms106.liruilon`) hides what it would be compared with: the comparison is unverified, never ok and never broken,
// unless a known octet already differs (10.244.xx.9 is not 10.244.1.0). Every paste is written here as a person
// would paste it; the expectations are read off it by hand.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { trace } from '../../src/analyze/trace.js';
import { loadSnapshots, loadSources } from '../../src/collect/index.js';
import { parseNodesText } from '../../src/leases/nodes-text.js';
import { redactedCouldBe } from '../../src/model/net.js';

const tmp = mkdtempSync(join(tmpdir(), 'fct-redacted-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// node-a (192.168.1.11, 10.244.0.0/24); node-b's route gateway and node-c's fdb dst are redacted
const PASTE = `[root@node-a ~]# ip route
default via 10.xx.xx.1 dev eth0
10.244.0.0/24 dev cni0 proto kernel scope link src 10.244.0.1
10.244.1.0/24 via 10.244.xx.0 dev flannel.1 onlink
10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink
192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.11
[root@node-a ~]# ip neigh show dev flannel.1
10.244.1.0 lladdr 66:77:88:99:aa:01 PERMANENT
10.244.2.0 lladdr 66:77:88:99:aa:02 PERMANENT
[root@node-a ~]# bridge fdb show dev flannel.1
66:77:88:99:aa:01 dst 192.168.1.12 self permanent
66:77:88:99:aa:02 dst 192.168.xx.xx self permanent
[root@node-a ~]# ip -4 addr show eth0
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000
    inet 192.168.1.11/24 brd 192.168.1.255 scope global eth0
       valid_lft forever preferred_lft forever
`;
// the same paste where a known octet contradicts flannel's value: 10.244.xx.9 is not 10.244.1.0, 10.xx.xx.13 not 192.168.1.13
const CONTRADICTED = PASTE.replace('10.244.xx.0', '10.244.xx.9').replace('192.168.xx.xx', '10.xx.xx.13');

const node = (name: string, subnet: string, ip: string, mac: string) => `- apiVersion: v1
  kind: Node
  metadata:
    name: ${name}
    annotations:
      flannel.alpha.coreos.com/backend-data: '{"VNI":1,"VtepMAC":"${mac}"}'
      flannel.alpha.coreos.com/backend-type: vxlan
      flannel.alpha.coreos.com/kube-subnet-manager: "true"
      flannel.alpha.coreos.com/public-ip: ${ip}
  spec:
    podCIDR: ${subnet}
`;
const NODES = `apiVersion: v1\nkind: List\nitems:\n${node('node-a', '10.244.0.0/24', '192.168.1.11', '66:77:88:99:aa:00')}${node('node-b', '10.244.1.0/24', '192.168.1.12', '66:77:88:99:aa:01')}${node('node-c', '10.244.2.0/24', '192.168.1.13', '66:77:88:99:aa:02')}`;

const load = async (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return loadSnapshots({ fromDir: [p] });
};
const hops = (r: ReturnType<typeof trace>) => r.hops.map((h) => [h.step, h.ok, h.problem ?? null]);

describe('redactedCouldBe: the known octets decide', () => {
  it.each([
    ['10.244.xx.0', '10.244.1.0', true],
    ['*.*.*.1', '192.168.1.1', true],
    ['10.xx.xx.13', '192.168.1.13', false],
    ['10.244.xx.9', '10.244.1.0', false],
  ])('%s could be %s: %s', (redacted, ip, expected) => expect(redactedCouldBe(redacted, ip)).toBe(expected));
});

describe('trace without desired state', () => {
  it('a redacted route gateway makes the route hop unverified; the walk goes on through flannel\'s neighbour', async () => {
    const r = trace(await load('a.txt', PASTE), '10.244.1.5');
    expect(r.ok).toBeNull();
    expect(hops(r).slice(0, 4)).toEqual([
      ['route', null, null],
      ['vxlan-device', null, null],
      ['neigh', true, null],
      ['fdb', true, null],
    ]);
    expect(r.hops[0].unverified).toMatch(/redacted \(10\.244\.xx\.0\).*paste `ip route show` unredacted/);
  });

  it('a redacted fdb dst makes the fdb hop unverified, not FDB_MISSING', async () => {
    const r = trace(await load('a.txt', PASTE), '10.244.2.5');
    expect(r.ok).toBeNull();
    expect(hops(r)).toContainEqual(['fdb', null, null]);
    expect(r.problems ?? []).toEqual([]);
  });

  it('a known octet that differs is still a finding: gateway 10.244.xx.9 is not flannel\'s 10.244.1.0', async () => {
    const r = trace(await load('b.txt', CONTRADICTED), '10.244.1.5');
    expect(r.ok).toBe(false);
    expect(hops(r)[0]).toEqual(['route', false, 'ROUTE_MISMATCH']);
  });

  it('seed 004, `route` without -n: a gateway printed as a host name (vms106.liruilon) is unverified, not ROUTE_MISMATCH', async () => {
    const r = trace(await loadSnapshots({ fromDir: ['fixtures/nodes/vms100'] }), '10.244.31.70');
    expect(r.ok).toBeNull();
    expect(hops(r)[0]).toEqual(['route', null, null]);
    expect(r.hops[0].detail).toContain('10.244.31.64/26 via vms106.liruilon dev tunl0');
    expect(r.hops[0].unverified).toMatch(/a host name \(vms106\.liruilon\).*`route -n`/);
  });
});

describe('doctor', () => {
  it('without desired state: no finding from the hidden gateway; the neighbour behind it is listed as unverified', async () => {
    const [snap] = await load('a.txt', PASTE);
    const d = runDoctor({ snapshot: snap });
    expect(d.findings).toEqual([]);
    expect(d.unverified.map((u) => u.missing)).toContainEqual(expect.stringMatching(/neighbour behind route 10\.244\.1\.0\/24 on flannel\.1: its gateway is redacted/));
  });

  it('with the Node objects: route and fdb comparisons are unverified, nothing broken', async () => {
    const [snap] = await load('a.txt', PASTE);
    const d = runDoctor({ snapshot: snap, desired: await parseNodesText(NODES) });
    expect(d.findings).toEqual([]);
    const missing = d.unverified.map((u) => u.missing);
    expect(missing).toContainEqual(expect.stringMatching(/gateway of the route to 10\.244\.1\.0\/24 is redacted \(10\.244\.xx\.0\).*wants 10\.244\.1\.0/));
    expect(missing).toContainEqual(expect.stringMatching(/dst of fdb entry 66:77:88:99:aa:02 .*redacted \(192\.168\.xx\.xx\).*192\.168\.1\.13/));
  });

  it('with the Node objects, contradicting octets are ROUTE_MISMATCH and FDB_DST_MISMATCH', async () => {
    const [snap] = await load('b.txt', CONTRADICTED);
    const d = runDoctor({ snapshot: snap, desired: await parseNodesText(NODES) });
    expect(d.findings.map((f) => f.code).sort()).toEqual(['FDB_DST_MISMATCH', 'ROUTE_MISMATCH']);
  });

  it('show sources keeps the redacted lines as read, not skipped', async () => {
    const p = join(tmp, 'a.txt');
    writeFileSync(p, PASTE);
    const l = await loadSources(p);
    expect(l.blocks.flatMap((b) => b.skipped)).toEqual([]);
  });
});
