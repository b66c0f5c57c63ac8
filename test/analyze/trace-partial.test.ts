// Grep'd annotation lines of the target node (no whole lease) in a trace: its VtepMAC checks the neighbour's MAC, its
// public-ip the fdb entry's dst; what the lines lacked leaves exactly that hop unverified, naming the annotation.
// The pastes are written as a person would paste them; the expectations are read off them by hand.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trace } from '../../src/analyze/trace.js';
import { loadSources } from '../../src/collect/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'fct-trace-partial-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// node-a (192.168.1.11) routes node-b's 10.244.2.0/24 via flannel.1; its neighbour for 10.244.2.0 is ...:aa:01
const HEAD = `[root@node-a ~]# ip -4 addr show eth0
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000
    inet 192.168.1.11/24 brd 192.168.1.255 scope global eth0
[root@node-a ~]# ip -d link show flannel.1
5: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode DEFAULT group default
    link/ether 66:77:88:99:aa:00 brd ff:ff:ff:ff:ff:ff promiscuity 0
    vxlan id 1 local 192.168.1.11 dev eth0 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300
[root@node-a ~]# ip route
default via 192.168.1.1 dev eth0
10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1
10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink
192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.11
[root@node-a ~]# ip neigh show dev flannel.1
10.244.2.0 lladdr 66:77:88:99:aa:01 PERMANENT
`;
const fdb = (dst: string): string => `[root@node-a ~]# bridge fdb show dev flannel.1\n66:77:88:99:aa:01 dst ${dst} self permanent\n`;

async function run(tail: string) {
  const p = join(tmp, `paste-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(p, HEAD + tail);
  const l = await loadSources(p);
  const r = trace(l.nodes.map((n) => n.snapshot), '10.244.2.5', { desired: l.desired });
  const at = (step: string) => r.hops.find((h) => h.step === step)!;
  return { r, at };
}

describe("trace with node-b's grep'd annotation lines", () => {
  it('VtepMAC and public-ip given: the fdb entry to 192.168.1.99 is FDB_DST_MISMATCH (node-b is 192.168.1.12)', async () => {
    const { r, at } = await run(`${fdb('192.168.1.99')}[root@node-a ~]# kubectl get node node-b -o yaml | grep flannel
    flannel.alpha.coreos.com/backend-data: '{"VNI":1,"VtepMAC":"66:77:88:99:aa:01"}'
    flannel.alpha.coreos.com/public-ip: 192.168.1.12
`);
    expect(at('neigh')).toMatchObject({ ok: true });
    expect(at('fdb')).toMatchObject({ ok: false, problem: 'FDB_DST_MISMATCH' });
    expect(r.ok).toBe(false);
  });

  it('the same with the fdb entry to 192.168.1.12: ok on both hops', async () => {
    const { at } = await run(`${fdb('192.168.1.12')}[root@node-a ~]# kubectl get node node-b -o yaml | grep flannel
    flannel.alpha.coreos.com/backend-data: '{"VNI":1,"VtepMAC":"66:77:88:99:aa:01"}'
    flannel.alpha.coreos.com/public-ip: 192.168.1.12
`);
    expect([at('neigh').ok, at('fdb').ok]).toEqual([true, true]);
  });

  it('public-ip and podCIDR, no backend-data: the neighbour\'s MAC is unverified naming it, the fdb dst is checked', async () => {
    const { r, at } = await run(`${fdb('192.168.1.12')}[root@node-a ~]# kubectl get node node-b -o yaml | grep -E 'public-ip|podCIDR'
    flannel.alpha.coreos.com/public-ip: 192.168.1.12
  podCIDR: 10.244.2.0/24
`);
    expect(at('neigh')).toMatchObject({ ok: null });
    expect(at('neigh').unverified).toMatch(/node node-b's VtepMAC: its backend-data annotation was not in the lines given: paste `kubectl get node node-b -o yaml`/);
    expect(at('fdb')).toMatchObject({ ok: true });
    expect(r.problems).toEqual([]);
  });

  it('backend-data with another VtepMAC and podCIDR, no public-ip: VTEP_MAC_MISMATCH; the fdb dst unverified naming public-ip', async () => {
    const { at } = await run(`${fdb('192.168.1.12')}[root@node-a ~]# kubectl get node node-b -o yaml | grep -E 'backend-data|podCIDR'
    flannel.alpha.coreos.com/backend-data: '{"VNI":1,"VtepMAC":"66:77:88:99:aa:05"}'
  podCIDR: 10.244.2.0/24
`);
    expect(at('neigh')).toMatchObject({ ok: false, problem: 'VTEP_MAC_MISMATCH' });
    expect(at('fdb')).toMatchObject({ ok: null });
    expect(at('fdb').unverified).toMatch(/node node-b's public IP: its public-ip annotation was not in the lines given/);
  });

  it('without the annotation lines the same tables give no finding (what the lines add is only checked)', async () => {
    const { r } = await run(fdb('192.168.1.99'));
    expect(r.problems).toEqual([]);
  });
});
