// Lenient and honest parsing of pasted outputs: one bad line costs that line, redacted values keep what is known,
// filters come from the command line, iptables -S reads like iptables-save, Node objects as YAML or grep'd lines.
// Every input is written here as a person would paste it; every expectation is read off that input.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSources } from '../../src/collect/index.js';
import { parseNodesText } from '../../src/leases/nodes-text.js';
import { parseBridgeFdb, parseIpLink, parseIpRoute, parseRouteN } from '../../src/parse/index.js';
import { parseLenient } from '../../src/parse/common.js';
import { parseIptablesS } from '../../src/parse/iptables-s.js';

const tmp = mkdtempSync(join(tmpdir(), 'fct-lenient-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe('redacted values keep what is known', () => {
  it('route -n: `*.*.*.1` as the default gateway keeps the route, its device and flags', () => {
    const routes = parseRouteN('Kernel IP routing table\nDestination Gateway Genmask Flags Metric Ref Use Iface\n0.0.0.0 *.*.*.1 0.0.0.0 UG 0 0 0 eth0\n10.244.1.0 10.244.1.0 255.255.255.0 UG 0 0 0 flannel.1\n');
    expect(routes[0]).toMatchObject({ dst: '0.0.0.0/0', dev: 'eth0', gatewayRedacted: '*.*.*.1', routeFlags: 'UG' });
    expect(routes[0].gateway).toBeUndefined();
    expect(routes[1]).toMatchObject({ dst: '10.244.1.0/24', gateway: '10.244.1.0', dev: 'flannel.1' });
  });

  it('ip route: `via 10.xx.xx.1`', () => {
    expect(parseIpRoute('default via 10.xx.xx.1 dev eth0 proto dhcp metric 100\n')).toEqual([
      expect.objectContaining({ dst: '0.0.0.0/0', dev: 'eth0', gatewayRedacted: '10.xx.xx.1', proto: 'dhcp', metric: 100 }),
    ]);
  });

  it('bridge fdb: `dst 10.x.x.5` keeps the MAC and the device', () => {
    expect(parseBridgeFdb('42:32:74:de:24:50 dst 10.x.x.5 self permanent\n', 'flannel.1')).toEqual([
      expect.objectContaining({ mac: '42:32:74:de:24:50', dev: 'flannel.1', dstRedacted: '10.x.x.5', self: true, state: 'permanent' }),
    ]);
  });
});

describe('one bad line costs that line', () => {
  it('a route table with a hand-edited line keeps the other routes and names the line', () => {
    const text = 'Kernel IP routing table\nDestination Gateway Genmask Flags Metric Ref Use Iface\n0.0.0.0 10.0.0.1 0.0.0.0 UG 0 0 0 eth0\n<my other routes>\n10.244.2.0 10.244.2.0 255.255.255.0 UG 0 0 0 flannel.1\n';
    const { value, warnings } = parseLenient(parseRouteN, text);
    expect(value.map((r) => r.dst)).toEqual(['0.0.0.0/0', '10.244.2.0/24']);
    expect(warnings).toEqual([expect.objectContaining({ line: 4, text: '<my other routes>' })]);
  });

  it('a grep\'d default route alone gets no inferred onlink', () => {
    expect(parseRouteN('0.0.0.0 10.0.0.1 0.0.0.0 UG 0 0 0 eth0\n')[0].onlink).toBe(false);
  });

  it('`vxlan … local 122`: the value is left out with a warning, the device is kept', () => {
    const text = '6: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode DEFAULT group default\n    link/ether 9e:5b:1c:7f:dd:01 brd ff:ff:ff:ff:ff:ff promiscuity 0\n    vxlan id 1 local 122 dev eth0 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300\n';
    const { value, warnings } = parseLenient(parseIpLink, text);
    expect(value[0]).toMatchObject({ name: 'flannel.1', kind: 'vxlan', vni: 1, dev: 'eth0', port: 8472 });
    expect(value[0]).not.toHaveProperty('local');
    expect(warnings).toEqual([expect.objectContaining({ line: 3, reason: expect.stringContaining('"122"') })]);
  });

  it('a prompt line, a fence and a `...` at line 1 no longer reject a file', async () => {
    for (const first of ['[root@node1 ~]# ip neigh', '```', '...']) {
      const p = file('first-line.txt', `${first}\n10.244.2.0 dev flannel.1 lladdr 9e:5b:1c:7f:dd:01 PERMANENT\n10.244.3.0 dev flannel.1 lladdr 9e:5b:1c:7f:dd:02 PERMANENT\n`);
      const l = await loadSources(p);
      expect(l.nodes[0].snapshot.neigh.map((n) => n.dst), first).toEqual(['10.244.2.0', '10.244.3.0']);
    }
  });

  it('filtered output takes its device from the file name (`ip-neigh@flannel.1.txt`)', async () => {
    const dir = join(tmp, 'named');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ip-neigh@flannel.1.txt'), '10.244.2.0 lladdr 9e:5b:1c:7f:dd:01 PERMANENT\n');
    const l = await loadSources(dir);
    expect(l.nodes[0].snapshot.neigh).toEqual([expect.objectContaining({ dst: '10.244.2.0', dev: 'flannel.1' })]);
    expect(l.nodes[0].snapshot.commands.find((c) => c.name === 'ip-neigh')).toMatchObject({ filter: 'dev flannel.1' });
  });
});

describe('iptables -S', () => {
  const filterS = '-P INPUT ACCEPT\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n-N FLANNEL-FWD\n-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD\n-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT\n';
  const natS = '-P PREROUTING ACCEPT\n-P POSTROUTING ACCEPT\n-N FLANNEL-POSTRTG\n-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG\n-A FLANNEL-POSTRTG -s 10.244.1.0/24 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN\n';

  it('reads policies, user chains and rules into the iptables-save model', () => {
    const r = parseIptablesS(filterS);
    expect(r.tables).toHaveLength(1);
    expect(r.tables[0].name).toBe('filter');
    expect(r.tables[0].chains).toEqual([
      { name: 'INPUT', policy: 'ACCEPT' },
      { name: 'FORWARD', policy: 'DROP' },
      { name: 'OUTPUT', policy: 'ACCEPT' },
      { name: 'FLANNEL-FWD', policy: '-' },
    ]);
    expect(r.tables[0].rules.map((x) => [x.chain, x.target, x.comment])).toEqual([
      ['FORWARD', 'FLANNEL-FWD', 'flanneld forward'],
      ['FLANNEL-FWD', 'ACCEPT', 'flanneld forward'],
    ]);
  });

  it('iptables -S and iptables -t nat -S in one paste make one ruleset with both tables', async () => {
    const p = file('fw.txt', `# iptables -S\n${filterS}# iptables -t nat -S\n${natS}`);
    const s = (await loadSources(p)).nodes[0].snapshot;
    expect(s.iptables?.tables.map((t) => [t.name, t.rules.length])).toEqual([
      ['filter', 2],
      ['nat', 2],
    ]);
    expect(s.iptables?.tables[1].rules[1]).toMatchObject({ chain: 'FLANNEL-POSTRTG', target: 'RETURN', comment: 'flanneld masq' });
  });
});

describe('Node objects as people paste them', () => {
  const yaml = `apiVersion: v1
items:
- apiVersion: v1
  kind: Node
  metadata:
    annotations:
      flannel.alpha.coreos.com/backend-data: '{"VNI":1,"VtepMAC":"e6:7c:02:8e:e8:7e"}'
      flannel.alpha.coreos.com/backend-type: vxlan
      flannel.alpha.coreos.com/kube-subnet-manager: "true"
      flannel.alpha.coreos.com/public-ip: 192.168.56.12
    name: node2
  spec:
    podCIDR: 10.244.2.0/24
kind: List
`;

  it('kubectl get nodes -o yaml', async () => {
    const d = await parseNodesText(yaml);
    expect(d.leases).toEqual([expect.objectContaining({ node: 'node2', subnet: '10.244.2.0/24', publicIp: '192.168.56.12', backendType: 'vxlan', vni: 1, vtepMac: 'e6:7c:02:8e:e8:7e' })]);
  });

  it('grep\'d annotation lines with the podCIDR make a lease named by the command line', async () => {
    const lines = `    flannel.alpha.coreos.com/backend-data: '{"VNI":1,"VtepMAC":"e6:7c:02:8e:e8:7e"}'
    flannel.alpha.coreos.com/backend-type: vxlan
    flannel.alpha.coreos.com/kube-subnet-manager: "true"
    flannel.alpha.coreos.com/public-ip: 192.168.56.12
  podCIDR: 10.244.2.0/24
`;
    const d = await parseNodesText(lines, 'paste', 'node2');
    expect(d.leases).toEqual([expect.objectContaining({ node: 'node2', subnet: '10.244.2.0/24', vtepMac: 'e6:7c:02:8e:e8:7e' })]);
  });

  it('a transcript carrying kubectl get nodes -o yaml gives the desired state to every command', async () => {
    const p = file('with-nodes.txt', `$ kubectl get nodes -o yaml\n${yaml}$ ip neigh show dev flannel.1\n10.244.2.0 lladdr e6:7c:02:8e:e8:7e PERMANENT\n`);
    const l = await loadSources(p);
    expect(l.desired?.leases.map((x) => x.node)).toEqual(['node2']);
    expect(l.nodes[0].snapshot.neigh).toHaveLength(1);
  });
});

describe('--dev', () => {
  it('names the device of pasted fdb lines that carry none (no command line, no conventional name)', async () => {
    const p = file('fdb-paste.txt', '42:32:74:de:24:50 dst 10.18.19.129 self permanent\n');
    const without = await loadSources(p);
    expect(without.nodes[0].snapshot.fdb).toEqual([]);
    expect(without.blocks[0].skipped).toEqual([{ line: 1, reason: expect.stringContaining('--dev') }]);
    const withDev = await loadSources(p, { dev: 'flannel.1' });
    expect(withDev.nodes[0].snapshot.fdb).toEqual([expect.objectContaining({ mac: '42:32:74:de:24:50', dev: 'flannel.1', dst: '10.18.19.129' })]);
  });
});
