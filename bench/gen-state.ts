// Synthetic flannel VXLAN node state with N remote leases, for the scale benchmarks (issue 7).
// One local node (node0) plus N peers; every peer is one route, one neigh and one fdb entry on flannel.1,
// exactly as flanneld programs them (shared/reference/flannel-node-state.md §1.2, §2). The iproute2 -j shapes
// were copied from `ip -j ...` / `bridge -j fdb` inside a Lab namespace (iproute2 6.1, kernel 6.18).
//
// Addressing (room for 65,535 peers): Network 10.0.0.0/8 with /24 leases, peer i -> 10.<i>>8>.<i&255>.0/24;
// underlay 172.16.0.0/12, peer i -> 172.16.0.0 + i + 1; VtepMAC 0e:00:<i as 4 bytes>.
//
// Usage: npx tsx bench/gen-state.ts --peers N --out DIR [--missing K] [--stale K]
//   DIR/from-dir/   saved outputs under the --from-dir names (ip-route.txt, ip-neigh.txt, bridge-fdb.txt, ip-link.txt,
//                   ip-addr.txt as -j JSON; subnet.env, iptables-save.txt, sysctl.txt, hostname.txt, kernel.txt)
//   DIR/nodes.json  `kubectl get nodes -o json` for node0 + all N peers (desired state; not inside from-dir/, so
//                   each benchmark chooses whether the command reads it: --nodes)
//   DIR/snapshot.json  the same state as a Snapshot (src/model/snapshot.ts), validated with zod
//   DIR/peers.ip.batch, DIR/peers.bridge.batch  `ip -batch` / `bridge -batch` input programming every present peer
//   DIR/peers.tsv   subnet gateway mac ip, one present-or-missing peer a line (for the shell-loop baseline)
//   DIR/meta.json   what was generated: counts, missing/stale indices, a trace target and a whohas MAC
// --missing K: K peers (spread evenly) are in nodes.json but have no kernel entries (doctor/repair have work);
// --stale K: K kernel triplets for nodes that are not in nodes.json (F3).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FdbEntry, NudState, Snapshot, type SnapshotInput } from '../src/model/index.js';
import { flannelNodeObject } from '../test/netns/flannel-cluster.js';

export const NETWORK = '10.0.0.0/8';
export const MAX_PEERS = 65_535;
const GATEWAY = '172.31.255.254';

export interface Peer {
  name: string;
  subnet: string;
  /** <subnet>.0: the neigh dst and the route's gateway */
  gw: string;
  ip: string;
  mac: string;
  /** a pod IP on that node, for trace */
  podIp: string;
}

const hex = (n: number): string => n.toString(16).padStart(2, '0');

export function peer(i: number): Peer {
  const base = `10.${i >> 8}.${i & 255}`;
  const u = (0xac100000 + i + 1) >>> 0;
  return {
    name: `node${i}`,
    subnet: `${base}.0/24`,
    gw: `${base}.0`,
    ip: [u >>> 24, (u >>> 16) & 255, (u >>> 8) & 255, u & 255].join('.'),
    mac: ['0e', '00', hex(i >>> 24), hex((i >>> 16) & 255), hex((i >>> 8) & 255), hex(i & 255)].join(':'),
    podIp: `${base}.5`,
  };
}

export interface GenOptions {
  peers: number;
  missing?: number;
  stale?: number;
}

/** Indices 1..N of the peers with no kernel entries: K of them, spread evenly, never the trace target N. */
export function missingIndices(n: number, k: number): Set<number> {
  const out = new Set<number>();
  if (k <= 0) return out;
  const step = Math.max(1, Math.floor(n / k));
  for (let j = 0; j < k && out.size < n - 1; j++) out.add(1 + ((j * step + Math.floor(step / 2)) % (n - 1)));
  return out;
}

const LOCAL = peer(0);
const POD_VETHS = [
  { name: 'veth3f2a9c1d', mac: '0e:aa:00:00:00:02', podMac: '0e:bb:00:00:00:02', podIp: '10.0.0.2', ifindex: 5, peerIndex: 2 },
  { name: 'veth9b0c4e7a', mac: '0e:aa:00:00:00:03', podMac: '0e:bb:00:00:00:03', podIp: '10.0.0.3', ifindex: 6, peerIndex: 2 },
];
const ETH0_MAC = '0e:01:00:00:00:01';
const CNI0_MAC = POD_VETHS[0].mac;

export function generate(opts: GenOptions) {
  const n = opts.peers;
  if (!Number.isInteger(n) || n < 2 || n > MAX_PEERS) throw new Error(`--peers must be 2..${MAX_PEERS}`);
  const missing = missingIndices(n, opts.missing ?? 0);
  const stale = Array.from({ length: opts.stale ?? 0 }, (_, j) => n + 1 + j);
  const desired = Array.from({ length: n }, (_, j) => peer(j + 1));
  const present = [...desired.filter((_, j) => !missing.has(j + 1)), ...stale.map(peer)];

  // ---- iproute2 -j outputs (field order as printed by iproute2 6.1) ----
  const routes = [
    { dst: 'default', gateway: GATEWAY, dev: 'eth0', flags: [] },
    { dst: LOCAL.subnet, dev: 'cni0', protocol: 'kernel', scope: 'link', prefsrc: '10.0.0.1', flags: [] },
    ...present.map((p) => ({ dst: p.subnet, gateway: p.gw, dev: 'flannel.1', flags: ['onlink'] })),
    { dst: '172.16.0.0/12', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: LOCAL.ip, flags: [] },
  ];
  const neigh = [
    { dst: GATEWAY, dev: 'eth0', lladdr: '0e:01:00:00:00:fe', state: ['REACHABLE'] },
    ...POD_VETHS.map((v) => ({ dst: v.podIp, dev: 'cni0', lladdr: v.podMac, state: ['REACHABLE'] })),
    ...present.map((p) => ({ dst: p.gw, dev: 'flannel.1', lladdr: p.mac, state: ['PERMANENT'] })),
  ];
  const selfMulticast = (ifname: string) =>
    ['33:33:00:00:00:01', '01:00:5e:00:00:01'].map((mac) => ({ mac, ifname, flags: ['self'], state: 'permanent' }));
  const fdb = [
    ...selfMulticast('eth0'),
    ...present.map((p) => ({ mac: p.mac, ifname: 'flannel.1', dst: p.ip, flags: ['self'], state: 'permanent' })),
    ...selfMulticast('cni0'),
    ...POD_VETHS.flatMap((v) => [
      { mac: v.podMac, ifname: v.name, flags: [], master: 'cni0', state: '' },
      { mac: v.mac, ifname: v.name, flags: [], master: 'cni0', state: 'permanent' },
      ...selfMulticast(v.name),
    ]),
  ];
  const common = { qdisc: 'noqueue', linkmode: 'DEFAULT', group: 'default', txqlen: 1000 };
  const links = [
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], mtu: 65536, ...common, operstate: 'UNKNOWN', link_type: 'loopback', address: '00:00:00:00:00:00', broadcast: '00:00:00:00:00:00' },
    { ifindex: 2, ifname: 'eth0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, ...common, operstate: 'UP', link_type: 'ether', address: ETH0_MAC, broadcast: 'ff:ff:ff:ff:ff:ff' },
    {
      ifindex: 3, ifname: 'flannel.1', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1450, ...common, operstate: 'UNKNOWN',
      link_type: 'ether', address: LOCAL.mac, broadcast: 'ff:ff:ff:ff:ff:ff',
      linkinfo: { info_kind: 'vxlan', info_data: { id: 1, local: LOCAL.ip, link: 'eth0', port_range: { low: 0, high: 0 }, port: 8472, learning: false, ttl: 0, df: 'unset', ageing: 300, udp_csum: true, udp_zero_csum6_tx: false, udp_zero_csum6_rx: false } },
    },
    {
      ifindex: 4, ifname: 'cni0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1450, ...common, operstate: 'UP', link_type: 'ether',
      address: CNI0_MAC, broadcast: 'ff:ff:ff:ff:ff:ff', linkinfo: { info_kind: 'bridge', info_data: { stp_state: 0, bridge_id: '8000.e:aa:0:0:0:2', nf_call_iptables: 0 } },
    },
    ...POD_VETHS.map((v, j) => ({
      ifindex: v.ifindex, link_index: v.peerIndex, ifname: v.name, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1450, ...common, master: 'cni0',
      operstate: 'UP', link_type: 'ether', address: v.mac, broadcast: 'ff:ff:ff:ff:ff:ff', link_netnsid: j,
      linkinfo: { info_kind: 'veth', info_slave_kind: 'bridge', info_slave_data: { state: 'forwarding', priority: 32, cost: 2, hairpin: true } },
    })),
  ];
  const addrInfo = (family: string, local: string, prefixlen: number, scope: string, label?: string) => ({
    family, local, prefixlen, scope, ...(label ? { label } : {}), valid_life_time: 4294967295, preferred_life_time: 4294967295,
  });
  const addrOf: Record<string, ReturnType<typeof addrInfo>[]> = {
    lo: [addrInfo('inet', '127.0.0.1', 8, 'host', 'lo')],
    eth0: [addrInfo('inet', LOCAL.ip, 12, 'global', 'eth0')],
    'flannel.1': [addrInfo('inet', LOCAL.gw, 32, 'global', 'flannel.1')],
    cni0: [addrInfo('inet', '10.0.0.1', 24, 'global', 'cni0')],
  };
  const addrs = links.map(({ linkinfo: _li, linkmode: _lm, ...l }: Record<string, unknown>) => ({ ...l, addr_info: addrOf[l.ifname as string] ?? [] }));

  const iptables = [
    '*filter', ':FLANNEL-FWD - [0:0]',
    '-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD',
    `-A FLANNEL-FWD -s ${NETWORK} -m comment --comment "flanneld forward" -j ACCEPT`,
    `-A FLANNEL-FWD -d ${NETWORK} -m comment --comment "flanneld forward" -j ACCEPT`,
    'COMMIT', '*nat', ':FLANNEL-POSTRTG - [0:0]',
    '-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG',
    '-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN',
    `-A FLANNEL-POSTRTG -s ${LOCAL.subnet} -d ${NETWORK} -m comment --comment "flanneld masq" -j RETURN`,
    `-A FLANNEL-POSTRTG -s ${NETWORK} -d ${LOCAL.subnet} -m comment --comment "flanneld masq" -j RETURN`,
    `-A FLANNEL-POSTRTG ! -s ${NETWORK} -d ${LOCAL.subnet} -m comment --comment "flanneld masq" -j RETURN`,
    `-A FLANNEL-POSTRTG -s ${NETWORK} ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully`,
    `-A FLANNEL-POSTRTG ! -s ${NETWORK} -d ${NETWORK} -m comment --comment "flanneld masq" -j MASQUERADE --random-fully`,
    'COMMIT',
  ];
  const subnetEnv = { FLANNEL_NETWORK: NETWORK, FLANNEL_SUBNET: '10.0.0.1/24', FLANNEL_MTU: '1450', FLANNEL_IPMASQ: 'true' };
  const sysctls = { 'net.ipv4.ip_forward': '1', 'net.bridge.bridge-nf-call-iptables': '1' };
  const kernel = '6.18.44-fc-v657';

  const files: Record<string, string> = {
    'ip-route.txt': JSON.stringify(routes),
    'ip-neigh.txt': JSON.stringify(neigh),
    'bridge-fdb.txt': JSON.stringify(fdb),
    'ip-link.txt': JSON.stringify(links),
    'ip-addr.txt': JSON.stringify(addrs),
    'subnet.env': Object.entries(subnetEnv).map(([k, v]) => `${k}=${v}\n`).join(''),
    'iptables-save.txt': `# Generated by iptables-save v1.8.9 (nf_tables)\n${iptables.join('\n')}\n`,
    'sysctl.txt': Object.entries(sysctls).map(([k, v]) => `${k} = ${v}\n`).join(''),
    'hostname.txt': `${LOCAL.name}\n`,
    'kernel.txt': `${kernel}\n`,
  };

  const nodesJson = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [LOCAL, ...desired].map((p) => flannelNodeObject({ ...p, vtepMac: p.mac })),
    metadata: { resourceVersion: '' },
  });

  const snapshot: SnapshotInput = {
    schemaVersion: 1,
    host: LOCAL.name,
    kernel,
    time: '2026-01-01T00:00:00.000Z',
    source: { kind: 'snapshot', name: `gen-state --peers ${n}` },
    links: [
      { kind: 'loopback', ifindex: 1, name: 'lo', flags: links[0].flags, mtu: 65536, operstate: 'UNKNOWN', mac: '00:00:00:00:00:00' },
      { kind: 'device', ifindex: 2, name: 'eth0', flags: links[1].flags, mtu: 1500, operstate: 'UP', mac: ETH0_MAC },
      { kind: 'vxlan', ifindex: 3, name: 'flannel.1', flags: links[2].flags, mtu: 1450, operstate: 'UNKNOWN', mac: LOCAL.mac, vni: 1, local: LOCAL.ip, dev: 'eth0', port: 8472, learning: false },
      { kind: 'bridge', ifindex: 4, name: 'cni0', flags: links[3].flags, mtu: 1450, operstate: 'UP', mac: CNI0_MAC, stp: false },
      ...POD_VETHS.map((v, j) => ({
        kind: 'veth' as const, ifindex: v.ifindex, name: v.name, flags: links[1].flags, mtu: 1450, operstate: 'UP', mac: v.mac,
        master: 'cni0', linkIndex: v.peerIndex, linkNetnsid: j, slaveKind: 'bridge',
      })),
    ],
    addresses: Object.entries(addrOf).flatMap(([dev, list]) =>
      list.map((a) => ({ dev, family: a.family as 'inet', local: a.local, prefixlen: a.prefixlen, scope: a.scope })),
    ),
    routes: [
      { dst: '0.0.0.0/0', gateway: GATEWAY, dev: 'eth0' },
      { dst: LOCAL.subnet, dev: 'cni0', proto: 'kernel', scope: 'link', src: '10.0.0.1' },
      ...present.map((p) => ({ dst: p.subnet, gateway: p.gw, dev: 'flannel.1', onlink: true })),
      { dst: '172.16.0.0/12', dev: 'eth0', proto: 'kernel', scope: 'link', src: LOCAL.ip },
    ],
    neigh: neigh.map((e) => ({ dst: e.dst, dev: e.dev, lladdr: e.lladdr, state: e.state.map((s) => NudState.parse(s)) })),
    fdb: fdb.map((e: { mac: string; ifname: string; dst?: string; master?: string; flags: string[]; state: string }) => ({
      mac: e.mac, dev: e.ifname, dst: e.dst, master: e.master,
      self: e.flags.includes('self'), state: FdbEntry.shape.state.parse(e.state), flags: e.flags.filter((f) => f !== 'self'),
    })),
    bridges: [{ name: 'cni0', bridgeId: '8000.0eaa00000002', stp: false, interfaces: POD_VETHS.map((v) => v.name) }],
    iptables: { variant: 'nf_tables', tables: iptablesTables(iptables) },
    subnetEnv: { network: NETWORK, subnet: subnetEnv.FLANNEL_SUBNET, mtu: 1450, ipmasq: true, vars: subnetEnv },
    sysctls,
  };

  const missingPeers = [...missing].sort((a, b) => a - b).map(peer);
  return {
    files,
    nodesJson,
    snapshot: Snapshot.parse(snapshot),
    ipBatch: present.flatMap((p) => [`neigh replace ${p.gw} lladdr ${p.mac} dev flannel.1 nud permanent`, `route replace ${p.subnet} via ${p.gw} dev flannel.1 onlink`]).join('\n') + '\n',
    bridgeBatch: present.map((p) => `fdb replace ${p.mac} dev flannel.1 dst ${p.ip} self permanent`).join('\n') + '\n',
    peersTsv: desired.map((p) => `${p.subnet}\t${p.gw}\t${p.mac}\t${p.ip}\n`).join(''),
    meta: {
      peers: n,
      present: present.length,
      missing: missingPeers.map((p) => p.name),
      stale: stale.map((i) => peer(i).name),
      local: LOCAL,
      traceTarget: peer(n).podIp,
      traceNode: peer(n),
      whohasMac: peer(Math.ceil(n / 2)).mac,
    },
  };
}

/** iptables-save lines -> IptablesRuleset tables (enough for the rules written above). */
function iptablesTables(lines: string[]) {
  const tables: { name: string; chains: { name: string; policy: string }[]; rules: { chain: string; spec: string; args: string[]; target?: string; comment?: string }[] }[] = [];
  for (const line of lines) {
    const t = tables.at(-1);
    if (line.startsWith('*')) tables.push({ name: line.slice(1), chains: [], rules: [] });
    else if (line.startsWith(':') && t) t.chains.push({ name: line.slice(1).split(' ')[0], policy: '-' });
    else if (line.startsWith('-A ') && t) {
      const [chain, ...rest] = line.slice(3).split(' ');
      const spec = rest.join(' ');
      const args = spec.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
      t.rules.push({ chain, spec, args, target: args[args.indexOf('-j') + 1], comment: args[args.indexOf('--comment') + 1] });
    }
  }
  return tables;
}

export function writeState(out: string, opts: GenOptions): ReturnType<typeof generate>['meta'] {
  const g = generate(opts);
  mkdirSync(join(out, 'from-dir'), { recursive: true });
  for (const [name, text] of Object.entries(g.files)) writeFileSync(join(out, 'from-dir', name), text);
  writeFileSync(join(out, 'nodes.json'), g.nodesJson);
  writeFileSync(join(out, 'snapshot.json'), JSON.stringify(g.snapshot));
  writeFileSync(join(out, 'peers.ip.batch'), g.ipBatch);
  writeFileSync(join(out, 'peers.bridge.batch'), g.bridgeBatch);
  writeFileSync(join(out, 'peers.tsv'), g.peersTsv);
  writeFileSync(join(out, 'meta.json'), JSON.stringify(g.meta, null, 2));
  return g.meta;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { peers: { type: 'string' }, out: { type: 'string' }, missing: { type: 'string', default: '0' }, stale: { type: 'string', default: '0' } },
  });
  if (!values.peers || !values.out) {
    console.error('usage: npx tsx bench/gen-state.ts --peers N --out DIR [--missing K] [--stale K]');
    process.exit(2);
  }
  const meta = writeState(values.out, { peers: Number(values.peers), missing: Number(values.missing), stale: Number(values.stale) });
  console.log(`${values.out}: ${meta.peers} peers (${meta.present} kernel triplets, ${meta.missing.length} missing, ${meta.stale.length} stale)`);
}
