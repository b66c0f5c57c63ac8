// A node as `ip -j` prints it, for the suites that run collect against fake programs (hung, unasked): lo, an uplink
// and pods' host veths, and what a pod's `ip -n NS -j addr show` prints. Shapes copied from iproute2 6.1's output.

/** `ip -j -d link show` of a pod's host veth: its peer is in namespace `nsid` */
const veth = (ifindex: number, name: string, nsid: number): object => ({
  ifindex,
  link_index: 2,
  ifname: name,
  flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
  mtu: 1450,
  operstate: 'UP',
  link_type: 'ether',
  address: `c6:bf:e3:74:67:0${ifindex}`,
  link_netnsid: nsid,
  linkinfo: { info_kind: 'veth' },
});

/** lo, the uplink ens3, then one host veth per [ifindex, name, nsid] */
export const nodeLinks = (veths: [number, string, number][]): object[] => [
  { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], mtu: 65536, operstate: 'UNKNOWN', link_type: 'loopback', address: '00:00:00:00:00:00' },
  { ifindex: 2, ifname: 'ens3', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, operstate: 'UP', link_type: 'ether', address: '52:54:00:12:34:56' },
  ...veths.map(([ifindex, name, nsid]) => veth(ifindex, name, nsid)),
];

/** a pod's `ip -n NS -j addr show`: its eth0 is the peer of host veth `peer` */
export const podAddr = (peer: number, ip: string): string =>
  JSON.stringify([
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], mtu: 65536, operstate: 'UNKNOWN', link_type: 'loopback', address: '00:00:00:00:00:00', addr_info: [] },
    { ifindex: 2, link_index: peer, ifname: 'eth0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1450, operstate: 'UP', link_type: 'ether', address: `1e:12:ab:ca:e5:0${peer}`, link_netnsid: 0, addr_info: [{ family: 'inet', local: ip, prefixlen: 24, scope: 'global' }] },
  ]);
