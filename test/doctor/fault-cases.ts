// The faults of the doctor tests: each one change to the netns lab's healthy node (fixture.ts) or its leases, the
// code it must give, and the inputs that show it (`evidence`): without any one of them the check cannot see the
// fault, so it must say it is unverified, never name it (test/doctor/absent-input.test.ts).
import { readFileSync } from 'node:fs';
import { parseNodesJson } from '../../src/leases/kube.js';
import type { DesiredState } from '../../src/model/lease.js';
import { parseNft, parseWgDump } from '../../src/parse/index.js';
import { healthyRaw, link, NODE2_MAC, NODE3_MAC, type Raw } from './fixture.js';

/** What a check reads from a node: a table, a section, or this node's own subnet.env. */
export type Input = 'links' | 'addresses' | 'routes' | 'routes6' | 'neigh' | 'fdb' | 'sysctls' | 'iptables' | 'nft' | 'wireguard' | 'features' | 'pods' | 'subnetEnv';

// the collect steps that read each input (src/collect/commands.ts)
const STEPS: Record<Input, string[]> = {
  links: ['ip-link'],
  addresses: ['ip-addr'],
  routes: ['ip-route'],
  routes6: ['ip-route6'],
  neigh: ['ip-neigh'],
  fdb: ['bridge-fdb'],
  sysctls: ['sysctl'],
  iptables: ['iptables-save', 'iptables-legacy-save'],
  nft: ['nft'],
  wireguard: ['wg-dump'],
  features: ['ethtool-k'],
  pods: ['pod-ip-addr'],
  subnetEnv: [],
};
/** every input a check reads, for tests that remove any subset of them */
export const INPUTS: Input[] = ['links', 'addresses', 'routes', 'routes6', 'neigh', 'fdb', 'sysctls', 'iptables', 'nft', 'wireguard', 'features', 'pods', 'subnetEnv'];
const EMPTY: Record<Exclude<Input, 'routes6'>, unknown> = { links: [], addresses: [], routes: [], neigh: [], fdb: [], sysctls: {}, iptables: undefined, nft: undefined, wireguard: [], features: {}, pods: [], subnetEnv: undefined };

/** The raw snapshot as if `input` had not been read: no data, and no step that read it. */
export function without(raw: Raw, input: Input): Raw {
  const out = { ...raw, commands: raw.commands.filter((c: Raw) => !STEPS[input].includes(c.name)) };
  // `ip route` and `ip -6 route` each give one family's half of the one route list
  if (input === 'routes6') out.routes = raw.routes.filter((r: Raw) => !r.dst.includes(':'));
  else if (input === 'routes') out.routes = raw.routes.filter((r: Raw) => r.dst.includes(':'));
  else if (EMPTY[input] === undefined) delete out[input];
  else out[input] = structuredClone(EMPTY[input]);
  return out;
}

export const removeWhere = (list: Raw[], pred: (x: Raw) => boolean): void => {
  const i = list.findIndex(pred);
  if (i < 0) throw new Error('fixture changed: nothing to remove');
  list.splice(i, 1);
};
/** The fixture's nodes plus node9 (backend-data as given; no flannel annotations at all when undefined). */
function withExtraNode(backendData: string | undefined, podCIDR: string, publicIp = '192.168.56.19'): DesiredState {
  const doc = JSON.parse(readFileSync(new URL('../../fixtures/doctor/vxlan-nodes.json', import.meta.url), 'utf8'));
  const annotations = backendData === undefined ? {} : { 'flannel.alpha.coreos.com/kube-subnet-manager': 'true', 'flannel.alpha.coreos.com/backend-type': 'vxlan', 'flannel.alpha.coreos.com/public-ip': publicIp, 'flannel.alpha.coreos.com/backend-data': backendData };
  doc.items.push({ kind: 'Node', metadata: { name: 'node9', annotations }, spec: { podCIDR } });
  return parseNodesJson(JSON.stringify(doc));
}
/** The fixture's nodes plus an item that is not a Node (a Pod pasted into the list). */
function withPodItem(): DesiredState {
  const doc = JSON.parse(readFileSync(new URL('../../fixtures/doctor/vxlan-nodes.json', import.meta.url), 'utf8'));
  doc.items.push({ kind: 'Pod', metadata: { name: 'coredns-0', namespace: 'kube-system' } });
  return parseNodesJson(JSON.stringify(doc));
}
const leaseOf = (d: DesiredState, node: string): Raw => d.leases.find((l) => l.node === node)!;
const nat = (raw: Raw): Raw => raw.iptables.tables.find((t: Raw) => t.name === 'nat');
const filter = (raw: Raw): Raw => raw.iptables.tables.find((t: Raw) => t.name === 'filter');

/**
 * The same node in flannel's nftables mode (as nft-check.test.ts): the ruleset flanneld writes for node1
 * (fixtures/nft/netns-flannel-ipv4.json), its FLANNEL-* iptables chains gone, and net-conf's EnableNFTables: true as
 * a real nft-mode node has, so that without the nft output the node does not read as iptables mode (MASQ_MISSING…).
 */
export function nftNode(raw: Raw, d: DesiredState): void {
  raw.nft = parseNft(readFileSync(new URL('../../fixtures/nft/netns-flannel-ipv4.json', import.meta.url), 'utf8'));
  for (const t of raw.iptables?.tables ?? []) {
    t.chains = t.chains.filter((c: Raw) => !c.name.startsWith('FLANNEL-'));
    t.rules = t.rules.filter((r: Raw) => !r.chain.startsWith('FLANNEL-') && !r.target?.startsWith('FLANNEL-'));
  }
  d.netConf = { ...(d.netConf ?? {}), EnableNFTables: true };
}
const nftRules = (raw: Raw, chain: string): Raw[] => raw.nft.rules.filter((x: Raw) => x.table === 'flannel-ipv4' && x.chain === chain);

/**
 * The same node with `nft list ruleset` read and holding no flannel table: with flannel's FLANNEL-* iptables chains
 * gone (a firewalld reload flushed them), only this shows that flannel runs in iptables mode.
 */
export function nftReadNode(raw: Raw): void {
  raw.nft = parseNft('{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}]}');
  raw.commands.push({ name: 'nft', ok: true, form: 'json' });
}
/** firewalld's reload: flannel's FLANNEL-* chains and the jumps to them gone until flanneld's next resync */
function flushFlannelChains(raw: Raw): void {
  for (const t of raw.iptables.tables) {
    t.chains = t.chains.filter((c: Raw) => !c.name.startsWith('FLANNEL-'));
    t.rules = t.rules.filter((r: Raw) => !r.chain.startsWith('FLANNEL-') && !r.target?.startsWith('FLANNEL-'));
  }
}

// The same node on flannel's wireguard backend: its Node objects annotated as that backend annotates them (the keys
// of test/wireguard), flannel.1 and its entries replaced by flannel-wg (reference §2.10) and a recorded
// `wg show all dump` (fixtures/wg-dump/node1-healthy.txt, private key as wg prints it).
const WG_PUB = ['kHsDWGmBI7E+9vt8SOOSoF8F0mQlTcnrE41YSJ4u22k=', 'oehT0gJXIzPNGeMSO1jMdGtwXCb5bdpkz0dO7fzBSH0=', 'BovV4HoN88gkwnGbnJKLNyTdBKTaapHrSsNX3EF1FlQ='];
/** a key no lease announces (fixtures/wg-dump/node1-wrong-key.txt) */
const WG_OTHER = '3v9eWeTkg0U0M23fW22DFaSaC4SHg2Fx9fige0UAQWU=';
const wgDump = (name: string): string => readFileSync(new URL(`../../fixtures/wg-dump/${name}.txt`, import.meta.url), 'utf8');
export function wgNode(raw: Raw, d: DesiredState): void {
  const doc = JSON.parse(readFileSync(new URL('../../fixtures/doctor/vxlan-nodes.json', import.meta.url), 'utf8'));
  for (const n of doc.items) {
    const a = n.metadata.annotations;
    a['flannel.alpha.coreos.com/backend-type'] = 'wireguard';
    a['flannel.alpha.coreos.com/backend-data'] = JSON.stringify({ PublicKey: WG_PUB[Number(n.metadata.name.slice(4)) - 1], Port: 51820 });
  }
  Object.assign(d, parseNodesJson(JSON.stringify(doc)));
  const vxlan = link(raw, 'flannel.1');
  raw.links = raw.links.filter((l: Raw) => l !== vxlan).concat({ kind: 'wireguard', ifindex: vxlan.ifindex, name: 'flannel-wg', mtu: 1420, flags: ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'] });
  for (const a of raw.addresses) if (a.dev === 'flannel.1') a.dev = 'flannel-wg';
  raw.routes = raw.routes.filter((r: Raw) => r.dev !== 'flannel.1').concat({ dst: '10.244.0.0/16', dev: 'flannel-wg', scope: 'link' });
  raw.neigh = raw.neigh.filter((n: Raw) => n.dev !== 'flannel.1');
  raw.fdb = raw.fdb.filter((f: Raw) => f.dev !== 'flannel.1');
  raw.subnetEnv.mtu = 1420;
  raw.wireguard = parseWgDump(wgDump('node1-healthy'));
  raw.commands.push({ name: 'wg-dump', ok: true, form: 'text' });
}
/** node1's wg dump as the healthy recording with one textual change */
const dumpAs = (raw: Raw, text: string): void => void (raw.wireguard = parseWgDump(text));

// The wireguard node dual-stack in flannel's Mode separate (pkg/backend/wireguard/wireguard.go): the Node objects
// also carry public-ipv6, backend-v6-data {"PublicKey": the same key, "Port": 51821} and both podCIDRs; flannel-wg-v6
// holds the IPv6 halves (fixtures/wg-dump/node1-separate.txt).
export function wgDualNode(raw: Raw, d: DesiredState): void {
  wgNode(raw, d);
  for (const l of d.leases) {
    const i = Number(l.node?.slice(4));
    Object.assign(l, { subnet6: `fd00:10:244:${i}::/64`, publicIpv6: `fd00:56::1${i}`, publicKey6: WG_PUB[i - 1], wgPort6: 51821 });
  }
  const eth = raw.addresses.find((a: Raw) => a.local === '192.168.56.11').dev;
  raw.links.push({ kind: 'wireguard', ifindex: 61, name: 'flannel-wg-v6', mtu: 1420, flags: ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'] });
  raw.addresses.push({ dev: eth, family: 'inet6', local: 'fd00:56::11', prefixlen: 64 }, { dev: 'flannel-wg-v6', family: 'inet6', local: 'fd00:10:244:1::', prefixlen: 128 });
  raw.routes.push({ dst: 'fd00:10:244::/56', dev: 'flannel-wg-v6', scope: 'link' });
  raw.wireguard = parseWgDump(wgDump('node1-separate'));
}
/** node1-separate.txt with one flannel-wg-v6 line edited (`device`, or the peer of node 2 / 3); undefined drops it */
const v6DumpAs = (raw: Raw, which: 'device' | 2 | 3, edit: (f: string[]) => string[] | undefined): void =>
  dumpAs(raw, wgDump('node1-separate').split('\n').flatMap((l) => {
    const f = l.split('\t');
    if (f[0] !== 'flannel-wg-v6' || (which === 'device' ? f.length !== 5 : f[1] !== WG_PUB[which - 1])) return [l];
    const out = edit(f);
    return out ? [out.join('\t')] : [];
  }).join('\n'));

// The same node dual-stack (reference §1.2 "Same logic for IPv6 with flannel-v6.1"), shaped as
// test/netns/flannel-cluster-v6.ts programs it: flannel-v6.1 with node1's backend-v6-data VtepMAC, and per peer a
// permanent neighbour (its subnet's ::), an fdb entry to its public-ipv6 and an onlink route; the Node objects carry
// backend-v6-data, public-ipv6 and both podCIDRs as flanneld annotates a dual-stack node.
const V6 = [
  { mac: '8a:1c:3f:5e:66:01', ip6: 'fd00:56::11' },
  { mac: '8a:1c:3f:5e:66:02', ip6: 'fd00:56::12' },
  { mac: '4e:9d:22:aa:60:03', ip6: 'fd00:56::13' },
];
export function dualNode(raw: Raw, d: DesiredState): void {
  const doc = JSON.parse(readFileSync(new URL('../../fixtures/doctor/vxlan-nodes.json', import.meta.url), 'utf8'));
  for (const n of doc.items) {
    const i = Number(n.metadata.name.slice(4)) - 1;
    Object.assign(n.metadata.annotations, { 'flannel.alpha.coreos.com/backend-v6-data': JSON.stringify({ VNI: 1, VtepMAC: V6[i].mac }), 'flannel.alpha.coreos.com/public-ipv6': V6[i].ip6 });
    n.spec.podCIDRs = [n.spec.podCIDR, `fd00:10:244:${i + 1}::/64`];
  }
  Object.assign(d, parseNodesJson(JSON.stringify(doc)));
  const eth = raw.addresses.find((a: Raw) => a.local === '192.168.56.11').dev;
  raw.links.push({ ifindex: 60, name: 'flannel-v6.1', kind: 'vxlan', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1430, mac: V6[0].mac, vni: 1, local: V6[0].ip6, dev: eth, port: 8472, learning: false });
  raw.addresses.push({ dev: eth, family: 'inet6', local: V6[0].ip6, prefixlen: 64 }, { dev: 'flannel-v6.1', family: 'inet6', local: 'fd00:10:244:1::', prefixlen: 128 }, { dev: 'cni0', family: 'inet6', local: 'fd00:10:244:1::1', prefixlen: 64 });
  for (const p of [2, 3]) {
    raw.routes.push({ dst: `fd00:10:244:${p}::/64`, gateway: `fd00:10:244:${p}::`, dev: 'flannel-v6.1', onlink: true });
    raw.neigh.push({ dst: `fd00:10:244:${p}::`, dev: 'flannel-v6.1', lladdr: V6[p - 1].mac, state: ['PERMANENT'] });
    raw.fdb.push({ mac: V6[p - 1].mac, dev: 'flannel-v6.1', dst: V6[p - 1].ip6, self: true, state: 'permanent' });
  }
  raw.routes.push({ dst: 'fd00:10:244:1::/64', dev: 'cni0' });
  Object.assign(raw.subnetEnv, { ipv6Network: 'fd00:10:244::/56', ipv6Subnet: 'fd00:10:244:1::1/64' });
  raw.commands.push({ name: 'ip-route6', ok: true, form: 'json' });
}

/** A device gone, and with it (as the kernel deletes them) its neighbours, fdb entries, routes and addresses. */
function dropDevice(raw: Raw, dev: string): void {
  raw.links = raw.links.filter((l: Raw) => l.name !== dev);
  for (const t of ['neigh', 'fdb', 'routes', 'addresses']) raw[t] = raw[t].filter((x: Raw) => x.dev !== dev);
}

export interface Case {
  code: string;
  /** the healthy node this case changes, when it is not fixture.ts's as is (applied to the fault and to the base alike) */
  base?: (raw: Raw, desired: DesiredState) => void;
  change: (raw: Raw, desired: DesiredState) => void;
  /** run without desired state */
  noDesired?: boolean;
  /** the other codes the same change makes true (each one a fact of the changed state, said why) */
  also?: string[];
  /** the node inputs that show the fault; none when it is a fact of the desired state itself (then `why`) */
  evidence: Input[];
  why?: string;
}

export const cases: Case[] = [
  { code: 'NEIGH_MISSING', change: (r) => removeWhere(r.neigh, (n) => n.dst === '10.244.2.0'), evidence: ['neigh'] },
  { code: 'VTEP_MAC_MISMATCH', change: (r) => (r.neigh.find((n: Raw) => n.dst === '10.244.2.0').lladdr = '02:00:00:00:00:99'), evidence: ['neigh'] },
  { code: 'NEIGH_NOT_PERMANENT', change: (r) => (r.neigh.find((n: Raw) => n.dst === '10.244.3.0').state = ['REACHABLE']), evidence: ['neigh'] },
  { code: 'FDB_MISSING', change: (r) => removeWhere(r.fdb, (f) => f.mac === NODE2_MAC), evidence: ['fdb'] },
  // `bridge fdb append` left a second destination for node2's VtepMAC: the kernel sends each frame to both
  { code: 'FDB_DUPLICATE', change: (r) => r.fdb.push({ ...r.fdb.find((f: Raw) => f.mac === NODE2_MAC), dst: '192.168.56.99' }), evidence: ['fdb'] },
  { code: 'FDB_DST_MISMATCH', change: (r) => (r.fdb.find((f: Raw) => f.mac === NODE3_MAC).dst = '192.168.56.99'), evidence: ['fdb'] },
  { code: 'ROUTE_MISSING', change: (r) => removeWhere(r.routes, (x) => x.dst === '10.244.3.0/24'), evidence: ['routes'] },
  { code: 'ROUTE_MISMATCH', change: (r) => (r.routes.find((x: Raw) => x.dst === '10.244.2.0/24').gateway = '10.244.2.7'), evidence: ['routes'] },
  // a departed node leaves its route, neighbour and fdb entry behind: three stale entries
  { code: 'STALE_ROUTE', change: (_r, d) => removeWhere(d.leases, (l) => l.node === 'node3'), also: ['STALE_NEIGH', 'STALE_FDB'], evidence: ['routes'] },
  { code: 'STALE_NEIGH', change: (_r, d) => removeWhere(d.leases, (l) => l.node === 'node3'), also: ['STALE_ROUTE', 'STALE_FDB'], evidence: ['neigh'] },
  { code: 'STALE_FDB', change: (_r, d) => removeWhere(d.leases, (l) => l.node === 'node3'), also: ['STALE_ROUTE', 'STALE_NEIGH'], evidence: ['fdb'] },
  { code: 'FDB_OLD_MAC', change: (r) => r.fdb.push({ mac: '02:00:00:00:00:77', dev: 'flannel.1', dst: '192.168.56.12', self: true, state: 'permanent' }), evidence: ['fdb'] },
  { code: 'LEASE_NO_VTEP_MAC', change: (_r, d) => delete leaseOf(d, 'node2').vtepMac, evidence: [], why: 'a fact of the desired state given, not of the node' },
  // the kernel deletes a device's neighbours, fdb entries and routes with it
  { code: 'VXLAN_DEVICE_MISSING', change: (r) => removeWhere(r.links, (l) => l.name === 'flannel.1'), also: ['NEIGH_MISSING', 'FDB_MISSING', 'ROUTE_MISSING'], evidence: ['links'] },
  { code: 'VXLAN_DEVICE_WRONG_KIND', change: (r) => Object.assign(link(r, 'flannel.1'), { kind: 'dummy' }), evidence: ['links'] },
  // down: the kernel drops its neighbours and routes (permanent fdb entries stay)
  { code: 'VXLAN_DEVICE_DOWN', change: (r) => (link(r, 'flannel.1').flags = ['BROADCAST', 'MULTICAST']), also: ['NEIGH_MISSING', 'ROUTE_MISSING'], evidence: ['links'] },
  { code: 'VXLAN_VNI_MISMATCH', change: (r) => (link(r, 'flannel.1').vni = 2), evidence: ['links'] },
  { code: 'VXLAN_PORT_MISMATCH', change: (r) => (link(r, 'flannel.1').port = 4789), evidence: ['links'] },
  { code: 'VXLAN_LOCAL_MISMATCH', change: (r) => (link(r, 'flannel.1').local = '127.0.0.1'), evidence: ['links', 'addresses'] },
  { code: 'VXLAN_LOCAL_NOT_OURS', change: (r) => (link(r, 'flannel.1').local = '192.168.56.99'), noDesired: true, evidence: ['links', 'addresses'] },
  { code: 'VXLAN_LEARNING_ON', change: (r) => (link(r, 'flannel.1').learning = true), evidence: ['links'] },
  // FLANNEL_MTU=1450 no longer matches flannel.1 either
  { code: 'MTU_MISMATCH', change: (r) => (link(r, 'flannel.1').mtu = 1500), also: ['SUBNET_ENV_MTU_MISMATCH'], evidence: ['links'] },
  { code: 'LEASE_MAC_MISMATCH', change: (r) => (link(r, 'flannel.1').mac = '02:00:00:00:00:11'), evidence: ['links'] },
  { code: 'VXLAN_ADDR_MISSING', change: (r) => removeWhere(r.addresses, (a) => a.dev === 'flannel.1' && a.family === 'inet'), evidence: ['addresses'] },
  { code: 'VXLAN_ADDR_WRONG', change: (r) => (r.addresses.find((a: Raw) => a.dev === 'flannel.1' && a.family === 'inet').local = '10.244.7.0'), evidence: ['addresses'] },
  { code: 'VXLAN_ADDR_EXTRA', change: (r) => r.addresses.push({ dev: 'flannel.1', family: 'inet', local: '10.244.7.0', prefixlen: 32 }), evidence: ['addresses'] },
  {
    code: 'IPIP_DEVICE_MISSING',
    change: (_r, d) => d.leases.forEach((l) => (l.backendType = 'ipip')),
    // ipip routes go via the peer's public IP on flannel.ipip: the node's vxlan routes are not them
    also: ['ROUTE_MISMATCH'],
    evidence: ['links'],
  },
  {
    code: 'IPIP_DEVICE_DOWN',
    change: (r, d) => {
      d.leases.forEach((l) => (l.backendType = 'ipip'));
      r.links.push({ ifindex: 50, name: 'flannel.ipip', kind: 'ipip', flags: ['NOARP'], mtu: 1480, local: '192.168.56.11' });
      r.addresses.push({ dev: 'flannel.ipip', family: 'inet', local: '10.244.1.0', prefixlen: 32 });
    },
    also: ['ROUTE_MISMATCH'],
    evidence: ['links'],
  },
  {
    code: 'IPIP_CONFIG',
    change: (r, d) => {
      d.leases.forEach((l) => (l.backendType = 'ipip'));
      r.links.push({ ifindex: 50, name: 'flannel.ipip', kind: 'ipip', flags: ['NOARP', 'UP'], mtu: 1480, local: '192.168.56.99' });
      r.addresses.push({ dev: 'flannel.ipip', family: 'inet', local: '10.244.1.0', prefixlen: 32 });
    },
    also: ['ROUTE_MISMATCH'],
    evidence: ['addresses'],
  },
  { code: 'BRIDGE_SUBNET_MISMATCH', change: (r) => (r.addresses.find((a: Raw) => a.dev === 'cni0' && a.family === 'inet').local = '10.244.9.1'), evidence: ['addresses', 'subnetEnv'] },
  // the pod's eth0 now names a host ifindex that does not exist, and its real veth has no pod
  { code: 'VETH_NO_POD', change: (r) => (r.pods[0].iflink = 99), also: ['POD_VETH_MISSING'], evidence: ['links', 'pods'] },
  { code: 'POD_VETH_MISSING', change: (r) => (r.pods[0].iflink = 99), also: ['VETH_NO_POD'], evidence: ['links'] },
  { code: 'VETH_NO_MASTER', change: (r) => delete link(r, 'vethfeb4e1f8').master, evidence: ['links'] },
  { code: 'SUBNET_ENV_MISSING', change: (r) => Object.assign(r, { subnetEnv: undefined, source: { kind: 'live' } }), evidence: [], why: 'read on the live node: the missing file is the evidence' },
  { code: 'SUBNET_ENV_INVALID', change: (r) => (r.subnetEnv.subnet = 'nonsense'), evidence: ['subnetEnv'] },
  // cni0 keeps 10.244.1.1/24, which is no longer FLANNEL_SUBNET
  { code: 'SUBNET_ENV_LEASE_MISMATCH', change: (r) => (r.subnetEnv.subnet = '10.244.5.1/24'), also: ['BRIDGE_SUBNET_MISMATCH'], evidence: ['subnetEnv'] },
  // flannel.1's 10.244.1.0/32 is not inside the configured Network 10.100.0.0/16 either
  { code: 'SUBNET_ENV_NETWORK_MISMATCH', change: (_r, d) => (d.netConf = { Network: '10.100.0.0/16' }), also: ['VXLAN_ADDR_MISSING'], evidence: ['subnetEnv'] },
  { code: 'SUBNET_ENV_MTU_MISMATCH', change: (r) => (r.subnetEnv.mtu = 1500), evidence: ['subnetEnv'] },
  { code: 'IP_FORWARD_OFF', change: (r) => (r.sysctls['net.ipv4.ip_forward'] = '0'), evidence: ['sysctls'] },
  { code: 'BR_NETFILTER_MISSING', change: (r) => delete r.sysctls['net.bridge.bridge-nf-call-iptables'], evidence: ['sysctls'] },
  { code: 'BRIDGE_NF_CALL_IPTABLES_OFF', change: (r) => (r.sysctls['net.bridge.bridge-nf-call-iptables'] = '0'), evidence: ['sysctls'] },
  { code: 'FORWARD_DROP_NO_FLANNEL_FWD', change: (r) => removeWhere(filter(r).rules, (x) => x.chain === 'FORWARD'), evidence: ['iptables'] },
  {
    code: 'FORWARD_REJECT_BEFORE_FLANNEL',
    change: (r) => filter(r).rules.unshift({ chain: 'FORWARD', spec: '-j REJECT --reject-with icmp-host-prohibited', args: ['-j', 'REJECT', '--reject-with', 'icmp-host-prohibited'], target: 'REJECT' }),
    evidence: ['iptables'],
  },
  { code: 'MASQ_MISSING', change: (r) => removeWhere(nat(r).rules, (x) => x.chain === 'POSTROUTING'), evidence: ['iptables', 'subnetEnv'] },
  // iptables mode shown only by an nft ruleset without flannel's tables: without it the mode is open (nft mode writes
  // no FLANNEL-* chains and needs no br_netfilter), so neither code can be named
  { code: 'FORWARD_DROP_NO_FLANNEL_FWD', base: nftReadNode, change: flushFlannelChains, also: ['MASQ_MISSING'], evidence: ['iptables', 'nft'] },
  { code: 'BR_NETFILTER_MISSING', base: nftReadNode, change: (r) => { flushFlannelChains(r); delete r.sysctls['net.bridge.bridge-nf-call-iptables']; }, also: ['FORWARD_DROP_NO_FLANNEL_FWD', 'MASQ_MISSING'], evidence: ['sysctls', 'nft'] },
  { code: 'IPTABLES_LEGACY_AND_NFT', change: (r) => (r.iptables.warnings = ["Warning: iptables-legacy tables present, use iptables-legacy-save to see them"]), evidence: ['iptables'] },
  { code: 'TX_CSUM_OFFLOAD_ON', change: (r) => (r.kernel = '5.4.0-150-generic'), evidence: ['features'] },
  // node9 claims node2's subnet with another VtepMAC: whichever lease wins, node2's programmed MAC is not node9's
  { code: 'LEASE_DUPLICATE_SUBNET', change: (_r, d) => Object.assign(d, withExtraNode('{"VNI":1,"VtepMAC":"02:00:00:00:00:09"}', '10.244.2.0/24')), also: ['VTEP_MAC_MISMATCH', 'FDB_MISSING'], evidence: [], why: 'a fact of the desired state given, not of the node' },
  // a backend-data that is not JSON has no VtepMAC
  { code: 'LEASE_BAD_BACKEND_DATA', change: (_r, d) => Object.assign(d, withExtraNode('{"VNI":1,"VtepMAC":', '10.244.9.0/24')), also: ['LEASE_NO_VTEP_MAC'], evidence: [], why: 'a fact of the desired state given, not of the node' },
  { code: 'LEASE_BAD_PUBLIC_IP', change: (_r, d) => Object.assign(d, withExtraNode('{"VNI":1,"VtepMAC":"02:00:00:00:00:09"}', '10.244.9.0/24', '192.168.56.300')), evidence: [], why: 'a fact of the desired state given, not of the node' },
  { code: 'LEASE_NOT_A_NODE', change: (_r, d) => Object.assign(d, withPodItem()), evidence: [], why: 'a fact of the desired state given, not of the node' },
  { code: 'LEASE_NOT_FLANNEL', change: (_r, d) => Object.assign(d, withExtraNode(undefined, '10.244.9.0/24')), evidence: [], why: 'a fact of the desired state given, not of the node' },
  // nftables mode: each fault of the nftables check, seen only in `nft list ruleset`
  { code: 'NFT_TABLE_MISSING', base: nftNode, change: (r) => Object.assign(r.nft, { tables: r.nft.tables.filter((t: Raw) => t.name !== 'flannel-ipv4'), chains: r.nft.chains.filter((c: Raw) => c.table !== 'flannel-ipv4'), rules: r.nft.rules.filter((x: Raw) => x.table !== 'flannel-ipv4') }), evidence: ['nft'] },
  { code: 'NFT_MASQ_MISSING', base: nftNode, change: (r) => (r.nft.rules = r.nft.rules.filter((x: Raw) => !(x.chain === 'postrtg' && / masquerade( |$)/.test(x.text)))), evidence: ['nft'] },
  { code: 'NFT_MASQ_RULE_MISSING', base: nftNode, change: (r) => removeWhere(r.nft.rules, (x) => x.chain === 'postrtg' && x.text === 'meta mark 0x00004000 return'), evidence: ['nft'] },
  // the last masquerade moved before the first return
  { code: 'NFT_MASQ_ORDER', base: nftNode, change: (r) => { const post = nftRules(r, 'postrtg'); const masq = post[post.length - 1]; r.nft.rules.splice(r.nft.rules.indexOf(masq), 1); r.nft.rules.splice(r.nft.rules.indexOf(post[0]), 0, masq); }, evidence: ['nft'] },
  { code: 'NFT_CHAIN_HOOK', base: nftNode, change: (r) => (r.nft.chains.find((c: Raw) => c.table === 'flannel-ipv4' && c.name === 'postrtg').prio = 0), evidence: ['nft'] },
  { code: 'NFT_FORWARD_RULE_MISSING', base: nftNode, change: (r) => removeWhere(r.nft.rules, (x) => x.chain === 'forward' && x.text === 'ip daddr 10.244.0.0/16 accept'), evidence: ['nft'] },
  // Docker's FORWARD chain via iptables-nft, policy drop
  { code: 'NFT_FORWARD_DROP', base: nftNode, change: (r) => r.nft.chains.push({ family: 'ip', table: 'filter', name: 'FORWARD', type: 'filter', hook: 'forward', prio: 0, policy: 'drop' }), evidence: ['nft'] },
  // the FLANNEL-* iptables chains of an earlier iptables-mode flanneld are still there
  { code: 'FLANNEL_RULES_BOTH_BACKENDS', base: nftNode, change: (r) => (r.iptables = healthyRaw().raw.iptables), evidence: ['nft', 'iptables'] },
  // wireguard backend: each fault of the peers check, seen only in `wg show all dump`
  { code: 'WG_DEVICE_MISSING', base: wgNode, change: (r) => dumpAs(r, ''), evidence: ['wireguard'] },
  { code: 'WG_KEY_MISMATCH', base: wgNode, change: (r) => dumpAs(r, wgDump('node1-healthy').replace(`\t${WG_PUB[0]}\t51820\t`, `\t${WG_OTHER}\t51820\t`)), evidence: ['wireguard'] },
  { code: 'WG_PORT_MISMATCH', base: wgNode, change: (r) => dumpAs(r, wgDump('node1-healthy').replace(`\t${WG_PUB[0]}\t51820\t`, `\t${WG_PUB[0]}\t51999\t`)), evidence: ['wireguard'] },
  { code: 'WG_PEER_MISSING', base: wgNode, change: (r) => dumpAs(r, wgDump('node1-healthy').split('\n').filter((l) => !l.includes(WG_PUB[2])).join('\n')), evidence: ['wireguard'] },
  { code: 'WG_PEER_KEY_MISMATCH', base: wgNode, change: (r) => dumpAs(r, wgDump('node1-wrong-key')), evidence: ['wireguard'] },
  { code: 'WG_ENDPOINT_MISMATCH', base: wgNode, change: (r) => dumpAs(r, wgDump('node1-wrong-endpoint')), evidence: ['wireguard'] },
  { code: 'WG_ALLOWED_IPS_MISMATCH', base: wgNode, change: (r) => dumpAs(r, wgDump('node1-healthy').replace('\t10.244.3.0/24\t', '\t10.244.3.0/25\t')), evidence: ['wireguard'] },
  { code: 'WG_STALE_PEER', base: wgNode, change: (r) => dumpAs(r, `${wgDump('node1-healthy').trimEnd()}\nflannel-wg\t${WG_OTHER}\t(none)\t192.168.56.14:51820\t10.244.4.0/24\t0\t0\t0\toff\n`), evidence: ['wireguard'] },
  // the same faults on flannel-wg-v6 (Mode separate): judged against the leases' IPv6 halves
  { code: 'WG_DEVICE_MISSING', base: wgDualNode, change: (r, d) => { d.netConf = { EnableIPv6: true }; dumpAs(r, wgDump('node1-separate').split('\n').filter((l) => !l.startsWith('flannel-wg-v6\t')).join('\n')); }, evidence: ['wireguard'] },
  { code: 'WG_KEY_MISMATCH', base: wgDualNode, change: (r) => v6DumpAs(r, 'device', (f) => [f[0], f[1], WG_OTHER, f[3], f[4]]), evidence: ['wireguard'] },
  { code: 'WG_PORT_MISMATCH', base: wgDualNode, change: (r) => v6DumpAs(r, 'device', (f) => [f[0], f[1], f[2], '51820', f[4]]), evidence: ['wireguard'] },
  { code: 'WG_PEER_MISSING', base: wgDualNode, change: (r) => v6DumpAs(r, 3, () => undefined), evidence: ['wireguard'] },
  { code: 'WG_PEER_KEY_MISMATCH', base: wgDualNode, change: (r) => v6DumpAs(r, 3, (f) => [f[0], WG_OTHER, ...f.slice(2)]), evidence: ['wireguard'] },
  { code: 'WG_ENDPOINT_MISMATCH', base: wgDualNode, change: (r) => v6DumpAs(r, 3, (f) => [f[0], f[1], f[2], '[fd00:56::99]:51821', ...f.slice(4)]), evidence: ['wireguard'] },
  { code: 'WG_ALLOWED_IPS_MISMATCH', base: wgDualNode, change: (r) => v6DumpAs(r, 3, (f) => [...f.slice(0, 4), 'fd00:10:244:3::/80', ...f.slice(5)]), evidence: ['wireguard'] },
  { code: 'WG_STALE_PEER', base: wgDualNode, change: (r) => dumpAs(r, `${wgDump('node1-separate').trimEnd()}\nflannel-wg-v6\t${WG_OTHER}\t(none)\t[fd00:56::14]:51821\tfd00:10:244:4::/64\t0\t0\t0\toff\n`), evidence: ['wireguard'] },
  // dual stack: the same faults on flannel-v6.1, named with the IPv4 codes (peers6.ts)
  { code: 'NEIGH_MISSING', base: dualNode, change: (r) => removeWhere(r.neigh, (n) => n.dst === 'fd00:10:244:2::'), evidence: ['neigh'] },
  { code: 'VTEP_MAC_MISMATCH', base: dualNode, change: (r) => (r.neigh.find((n: Raw) => n.dst === 'fd00:10:244:3::').lladdr = '02:00:00:00:00:99'), evidence: ['neigh'] },
  { code: 'FDB_MISSING', base: dualNode, change: (r) => removeWhere(r.fdb, (f) => f.mac === V6[1].mac), evidence: ['fdb'] },
  { code: 'FDB_DST_MISMATCH', base: dualNode, change: (r) => (r.fdb.find((f: Raw) => f.mac === V6[2].mac).dst = 'fd00:56::99'), evidence: ['fdb'] },
  { code: 'ROUTE_MISSING', base: dualNode, change: (r) => removeWhere(r.routes, (x) => x.dst === 'fd00:10:244:3::/64'), evidence: ['routes6'] },
  // dual stack: flannel-v6.1 itself (peers6.ts), as device.ts judges flannel.1; the kernel deletes a device's
  // neighbours, fdb entries and routes with it, and drops its neighbours and routes when it goes down
  { code: 'VXLAN_DEVICE_MISSING', base: dualNode, change: (r) => dropDevice(r, 'flannel-v6.1'), also: ['NEIGH_MISSING', 'FDB_MISSING', 'ROUTE_MISSING'], evidence: ['links'] },
  { code: 'VXLAN_DEVICE_DOWN', base: dualNode, change: (r) => { link(r, 'flannel-v6.1').flags = ['BROADCAST', 'MULTICAST']; r.neigh = r.neigh.filter((n: Raw) => n.dev !== 'flannel-v6.1'); r.routes = r.routes.filter((x: Raw) => x.dev !== 'flannel-v6.1'); }, also: ['NEIGH_MISSING', 'ROUTE_MISSING'], evidence: ['links'] },
  { code: 'LEASE_MAC_MISMATCH', base: dualNode, change: (r) => (link(r, 'flannel-v6.1').mac = '02:00:00:00:00:16'), evidence: ['links'] },
  // flanneld's <subnet6>/128 on the up device (a device taken down loses it: VXLAN_DEVICE_DOWN names that)
  { code: 'VXLAN_ADDR_MISSING', base: dualNode, change: (r) => removeWhere(r.addresses, (a) => a.dev === 'flannel-v6.1'), evidence: ['addresses'] },
  // local is eth0's other IPv6 address, not the lease's public-ipv6 (which eth0 also holds)
  { code: 'VXLAN_LOCAL_MISMATCH', base: dualNode, change: (r) => { link(r, 'flannel-v6.1').local = 'fd00:56::21'; r.addresses.push({ dev: link(r, 'flannel-v6.1').dev, family: 'inet6', local: 'fd00:56::21', prefixlen: 64 }); }, evidence: ['links', 'addresses'] },
  // local and the lease's public-ipv6 agree, but neither is this node's
  { code: 'VXLAN_LOCAL_NOT_OURS', base: dualNode, change: (r, d) => { link(r, 'flannel-v6.1').local = 'fd00:56::99'; leaseOf(d, 'node1').publicIpv6 = 'fd00:56::99'; }, evidence: ['links', 'addresses'] },
  // eth0 mtu 1500 − 70 (the IPv6 vxlan header) is 1430
  { code: 'MTU_MISMATCH', base: dualNode, change: (r) => (link(r, 'flannel-v6.1').mtu = 1450), evidence: ['links'] },
  // an address overlapping FLANNEL_IPV6_SUBNET's /64 that is not its gateway: the bridge plugin refuses to add ::1
  { code: 'BRIDGE_SUBNET_MISMATCH', base: dualNode, change: (r) => (r.addresses.find((a: Raw) => a.dev === 'cni0' && a.local === 'fd00:10:244:1::1').local = 'fd00:10:244:1::7'), evidence: ['addresses', 'subnetEnv'] },
  { code: 'LOCAL_LEASE_NOT_FOUND', change: (_r, d) => removeWhere(d.leases, (l) => l.node === 'node1'), evidence: ['addresses'] },
];

