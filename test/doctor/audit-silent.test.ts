// Checks that applied but said nothing when their input was missing (an early `return []` or a skip): each now lists
// itself unverified with what to paste, and names no problem. The node is the netns lab's (fixture.ts), made
// dual-stack or WireGuard as fault-cases.ts makes it; the expected texts are the commands a user would run.
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { consistencyMatrix, matrixFindings } from '../../src/analyze/matrix.js';
import { Snapshot } from '../../src/model/snapshot.js';
import { build, cluster } from '../analyze/removal-cases.js';
import { dualNode, wgNode, without } from './fault-cases.js';
import { healthyRaw, link, NODE1_MAC, type Raw } from './fixture.js';

const doctor = (raw: Raw, desired?: Parameters<typeof runDoctor>[0]['desired']) => runDoctor({ snapshot: Snapshot.parse(raw), desired });
const said = (r: ReturnType<typeof runDoctor>, check: string): string[] => r.unverified.filter((u) => u.check === check).map((u) => u.missing);
const codes = (r: ReturnType<typeof runDoctor>): string[] => r.findings.map((f) => f.code);

describe('doctor checks that were silent without their input', () => {
  it('flannel.1 pasted without -d (kind unknown): its vxlan attributes are unverified; its MAC is still compared with the lease', () => {
    const { raw, desired } = healthyRaw();
    const l = link(raw, 'flannel.1');
    for (const k of ['kind', 'vni', 'local', 'dev', 'port', 'learning']) delete l[k];
    l.kind = 'device';
    expect(said(doctor(raw, desired), 'vxlan device')).toEqual(['flannel.1\'s vxlan attributes (VNI, local, dstport, learning, underlay MTU): paste `ip -d link show flannel.1`']);
    expect(codes(doctor(raw, desired))).toEqual(codes(doctor(healthyRaw().raw, desired)));
    l.mac = '02:00:00:00:00:11';
    expect(codes(doctor(raw, desired))).toContain('LEASE_MAC_MISMATCH');
    expect(NODE1_MAC).not.toBe(l.mac);
  });

  it("flannel.1's underlay not in the link list: its MTU is unverified, not compared with nothing", () => {
    const { raw, desired } = healthyRaw();
    const under = link(raw, 'flannel.1').dev;
    raw.links = raw.links.filter((l: Raw) => l.name !== under);
    raw.source = { kind: 'dir', name: 'node1' };
    expect(said(doctor(raw, desired), 'vxlan device')).toContainEqual(`flannel.1 mtu 1450 against its underlay ${under}: paste \`ip -d link show ${under}\``);
  });

  it("flannel.1's address: the device shown by `ip addr` alone is checked; its lease unknown is unverified, not skipped", () => {
    const { raw, desired } = healthyRaw();
    const noLinks = without(raw, 'links');
    // the address is there: checked (no finding, nothing open for this check)
    expect(said(doctor(noLinks, desired), 'flannel device address')).toEqual([]);
    const wrong = structuredClone(noLinks);
    wrong.addresses.find((a: Raw) => a.dev === 'flannel.1' && a.family === 'inet').local = '10.244.7.0';
    expect(codes(doctor(wrong, desired))).toContain('VXLAN_ADDR_WRONG');
    // without subnet.env and leases, which address it should have is not known
    expect(said(doctor(without(raw, 'subnetEnv')), 'flannel device address')[0]).toMatch(/its lease was not in the data given: give --subnet-env FILE \(`cat \/run\/flannel\/subnet.env`\) or --nodes/);
  });

  it('cni0 with neither links nor addresses: the pod bridge is unverified, not taken as not created yet', () => {
    const { raw, desired } = healthyRaw();
    const r = doctor(without(without(raw, 'links'), 'addresses'), desired);
    expect(said(r, 'pod bridge address')).toEqual(['the pod bridge (cni0) was not in the data given: paste `ip addr show dev cni0`']);
    expect(codes(r)).not.toContain('BRIDGE_SUBNET_MISMATCH');
  });

  it('dual-stack without desired state: flannel-v6.1 itself is still checked (MTU), and a link list that cannot show it gone leaves it unverified', () => {
    const { raw, desired } = healthyRaw();
    dualNode(raw, desired);
    link(raw, 'flannel-v6.1').mtu = 1450;
    expect(codes(doctor(raw))).toContain('MTU_MISMATCH');
    const r = doctor(without(raw, 'links'));
    expect(codes(r)).not.toContain('VXLAN_DEVICE_MISSING');
    // no link list and no leases: nothing names the backend either, and the device check says so
    expect(said(r, 'vxlan device')[0]).toMatch(/paste `ip -d link show`/);
    // a grep'd ticket paste of the link list (flannel.1 only) cannot show that flannel-v6.1 is gone
    const paste = { ...raw, links: raw.links.filter((l: Raw) => l.name !== 'flannel-v6.1'), source: { kind: 'dir', name: 'node1' } };
    expect(codes(doctor(paste))).not.toContain('VXLAN_DEVICE_MISSING');
    expect(said(doctor(paste), 'per-lease neigh/fdb/route (IPv6)')).toContainEqual('flannel-v6.1: the link list given does not show it: paste `ip -d link show flannel-v6.1`');
  });

  it('wireguard without desired state: its peers are listed as not judged, with what to give', () => {
    const { raw, desired } = healthyRaw();
    wgNode(raw, desired);
    expect(said(doctor(raw), 'wireguard peers')).toEqual(["flannel-wg's 2 peer(s) against the leases: give --nodes FILE (`kubectl get nodes -o yaml`), --kube or --etcd"]);
    expect(said(doctor(raw, desired), 'wireguard peers')).toEqual([]);
  });

  it('no iptables FLANNEL-* chains, no nft output, no net-conf: the nftables check says the mode is open instead of skipping', () => {
    const { raw } = healthyRaw();
    const r = doctor(without(raw, 'iptables'));
    expect(said(r, 'nftables')[0]).toMatch(/iptables or nftables mode was not in the data given: paste `nft list ruleset`/);
    expect(r.skipped.map((s) => s.check)).not.toContain('nftables');
  });
});

describe('cluster matrix', () => {
  it("a node whose addresses were not read: flannel.1's address is unverified, not VXLAN_ADDR_MISSING", () => {
    const c = cluster();
    c[0].addresses = [];
    c[0].commands = [{ name: 'ip-addr', ok: false, error: 'ip: not found' }, { name: 'ip-link', ok: true }, { name: 'ip-neigh', ok: true }, { name: 'ip-route', ok: true }, { name: 'bridge-fdb', ok: true }];
    const m = consistencyMatrix(build(c));
    expect(matrixFindings(m).map((f) => f.code)).not.toContain('VXLAN_ADDR_MISSING');
    expect(m.nodes[0].unverified).toEqual(["node1's flannel.1 address: paste `ip addr show dev flannel.1`"]);
    // read and without it: the address is missing
    c[0].commands[0] = { name: 'ip-addr', ok: true };
    expect(matrixFindings(consistencyMatrix(build(c))).map((f) => f.code)).toContain('VXLAN_ADDR_MISSING');
  });

  it("a row node's tables that were not read are said once, with what to paste", () => {
    const c = cluster();
    c[1].fdb = [];
    c[1].commands = [{ name: 'bridge-fdb', ok: false, error: 'bridge: not found' }, { name: 'ip-link', ok: true }, { name: 'ip-addr', ok: true }, { name: 'ip-neigh', ok: true }, { name: 'ip-route', ok: true }];
    const m = consistencyMatrix(build(c));
    expect(m.ok).toBe(true);
    expect(m.nodes[1].unverified).toEqual(["node2's fdb entries for its peers: paste `bridge fdb show`"]);
    expect(m.nodes[0].unverified).toBeUndefined();
  });
});
