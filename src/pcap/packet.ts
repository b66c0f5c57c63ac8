// One decoded packet, reused for every record: numbers and offsets into the record's buffer, no strings.
// Layers fill it (src/pcap/layers/); formatters build text from it only when output needs text.

export const TUNNEL_NONE = 0;
export const TUNNEL_VXLAN = 1;
export const TUNNEL_IPIP = 2;

export const UDP_CSUM_NONE = 0;
export const UDP_CSUM_OK = 1;
export const UDP_CSUM_BAD = 2;
/** the field holds only the pseudo-header sum: checksum offload (CHECKSUM_PARTIAL), filled in by the NIC later */
export const UDP_CSUM_PARTIAL = 3;

/** One IP level: [0] outer (or the only one), [1] inside the tunnel. */
export interface IpInfo {
  /** 0 = absent, 4 or 6 */
  version: number;
  /** header offset in the buffer (IPv6 addresses are read from here when printed) */
  off: number;
  /** IPv4 addresses as unsigned 32-bit numbers */
  src: number;
  dst: number;
  proto: number;
  ttl: number;
  totalLen: number;
  id: number;
  df: boolean;
  /** a fragment (MF set or offset > 0) */
  fragment: boolean;
  fragOffset: number;
  /** IPv4 header checksum verified (always true for IPv6, which has none) */
  checksumOk: boolean;
  /** transport layer decoded: 6 tcp, 17 udp, 1 icmp, 58 icmpv6, 0 none */
  l4: number;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  udpChecksum: number;
  icmpType: number;
  icmpCode: number;
  icmpId: number;
  icmpSeq: number;
  /** ICMP fragmentation-needed: next-hop MTU */
  icmpMtu: number;
  /** ICMP error: the quoted packet's addresses, protocol and ports (quotedProto 0 = none) */
  quotedSrc: number;
  quotedDst: number;
  quotedProto: number;
  quotedSrcPort: number;
  quotedDstPort: number;
}

export interface Packet {
  buf: Buffer;
  /** first byte and end of the captured bytes */
  start: number;
  end: number;
  origLen: number;
  linkType: number;
  tsSec: number;
  tsNsec: number;
  /** decoding stopped because the bytes ran out (snaplen or a cut file) */
  truncated: boolean;
  /** the layer that ran out of bytes or found nonsense */
  stoppedIn: string;
  /** a header contradicted itself (bad version, length) */
  malformed: boolean;
  /** outer Ethernet / inner (VXLAN) Ethernet header offsets, -1 when absent */
  ethOff: number;
  innerEthOff: number;
  vlan: number;
  /** SLL2 interface index (tcpdump -i any), -1 when absent */
  ifindex: number;
  /** ARP: op 0 = none */
  arpOp: number;
  arpSpa: number;
  arpTpa: number;
  arpOff: number;
  /** IP levels decoded so far (0..2) */
  depth: number;
  ips: [IpInfo, IpInfo];
  tunnel: number;
  vni: number;
  vxlanFlags: number;
  /** where the decapsulated inner frame starts (inner Ethernet for VXLAN, inner IP for IPIP), -1 none */
  innerOff: number;
  /** DNS message bytes [dnsOff, dnsEnd), decoded lazily; dnsLevel is the IP level carrying it, -1 none */
  dnsOff: number;
  dnsEnd: number;
  dnsLevel: number;
  /** UDP port → next layer (8472/4789 vxlan, 53 dns, --vxlan-port) */
  /** indexed by port (65536 slots): cheaper than a Map lookup twice per UDP datagram */
  udpPorts: ((p: Packet, off: number, end: number) => void)[];
  /** IP levels whose UDP checksum is verified: 2 all; 1 for --summary, which reports only the outer (VXLAN) one */
  udpSumDepth: number;
}

function newIp(): IpInfo {
  return {
    version: 0, off: 0, src: 0, dst: 0, proto: 0, ttl: 0, totalLen: 0, id: 0, df: false, fragment: false, fragOffset: 0,
    checksumOk: true, l4: 0, srcPort: 0, dstPort: 0, tcpFlags: 0, udpChecksum: 0, icmpType: 0, icmpCode: 0, icmpId: 0,
    icmpSeq: 0, icmpMtu: 0, quotedSrc: 0, quotedDst: 0, quotedProto: 0, quotedSrcPort: 0, quotedDstPort: 0,
  };
}

export function resetIp(ip: IpInfo): void {
  ip.version = 0;
  ip.l4 = 0;
  ip.srcPort = 0;
  ip.dstPort = 0;
  ip.tcpFlags = 0;
  ip.udpChecksum = 0;
  ip.icmpType = 0;
  ip.icmpCode = 0;
  ip.icmpId = 0;
  ip.icmpSeq = 0;
  ip.icmpMtu = 0;
  ip.quotedProto = 0;
  ip.quotedSrcPort = 0;
  ip.quotedDstPort = 0;
  ip.df = false;
  ip.fragment = false;
  ip.fragOffset = 0;
  ip.checksumOk = true;
}

export function newPacket(udpPorts: Packet['udpPorts'], udpSumDepth = 2): Packet {
  return {
    buf: Buffer.alloc(0), start: 0, end: 0, origLen: 0, linkType: 0, tsSec: 0, tsNsec: 0, truncated: false, stoppedIn: '',
    malformed: false, ethOff: -1, innerEthOff: -1, vlan: -1, ifindex: -1, arpOp: 0, arpSpa: 0, arpTpa: 0, arpOff: -1,
    depth: 0, ips: [newIp(), newIp()], tunnel: TUNNEL_NONE, vni: 0, vxlanFlags: 0, innerOff: -1, dnsOff: -1, dnsEnd: -1,
    dnsLevel: -1, udpPorts, udpSumDepth,
  };
}

/** Ran out of bytes in `layer`: flag it, never throw (gopacket's habit). */
export function truncated(p: Packet, layer: string): void {
  p.truncated = true;
  if (!p.stoppedIn) p.stoppedIn = layer;
}

export function malformed(p: Packet, layer: string): void {
  p.malformed = true;
  if (!p.stoppedIn) p.stoppedIn = layer;
}

// direct-mapped cache: captures repeat a few addresses, and a Map keyed by uint32 (heap numbers) is slower
const ip4Keys = new Float64Array(1024).fill(-1);
const ip4Vals: string[] = new Array<string>(1024).fill('');

/** Dotted quad of an unsigned 32-bit IPv4 address. */
export function ip4(n: number): string {
  const i = (n ^ (n >>> 10) ^ (n >>> 20)) & 1023;
  if (ip4Keys[i] === n) return ip4Vals[i];
  const s = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  ip4Keys[i] = n;
  ip4Vals[i] = s;
  return s;
}
