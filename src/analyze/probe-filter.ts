// The BPF filter each probe capture runs with: narrow enough that only the probe (its request, its answer
// and ICMP errors about it) is captured, on a pod-side device as on the underlay, where the same packet is
// inside a VXLAN or IPIP header. One expression builder serves all three: it reads the probe's IPv4 header
// through an accessor that points either at the packet's own IP header or at the one inside the tunnel.
import { UsageError } from '../errors.js';
import { parseIPv6 } from '../model/ipv6.js';
import { isIPv4, isIPv6 } from '../model/net.js';

export type ProbeProto = 'icmp' | 'udp' | 'tcp';

/** What marks the probe's packets: the ICMP echo id, or the UDP/TCP source port of the sender. */
export interface ProbeTag {
  proto: ProbeProto;
  /** ICMP echo identifier (ping -e), or the sender's source port */
  id: number;
  /** destination port (udp, tcp) */
  port?: number;
}

/** How a capture sees the probe: as is, inside VXLAN (on UDP `port`), or inside IPIP. */
export type Encap = { kind: 'none' } | { kind: 'vxlan'; port: number } | { kind: 'ipip' };

interface Access {
  /** what must hold before the inner header can be read */
  guard: string;
  /** byte(s) at `off` from the start of the probe's IPv4 header */
  at: (off: string, size?: 1 | 2 | 4) => string;
}

const sized = (expr: string, size: 1 | 2 | 4): string => (size === 1 ? `[${expr}]` : `[${expr}:${size}]`);
/** `base + off` without the `+ 0` noise, so the filter reads like a hand-written one in `ps` and logs */
const plus = (base: string, off: string): string => (off === '0' ? base : `${base} + ${off}`);

/**
 * IPv6 (flannel-v6.<VNI>, whose underlay is the node's public-ipv6): libpcap cannot index `icmp6[]`/`udp[]` past
 * an IPv6 header, so fixed offsets from `ip6[…]`, which assume no extension header — a probe has none.
 */
function access6(encap: Encap): Access {
  switch (encap.kind) {
    case 'none':
      return { guard: 'ip6', at: (off, size = 1) => `ip6${sized(off, size)}` };
    case 'vxlan':
      // outer IPv6 40 + UDP 8 + VXLAN 8 + inner Ethernet 14: the inner IPv6 header at 70, its EtherType at 68
      return { guard: `ip6 and ip6[6] = 17 and ip6[42:2] = ${encap.port} and ip6[68:2] = 0x86dd`, at: (off, size = 1) => `ip6${sized(plus('70', off), size)}` };
    case 'ipip':
      throw new UsageError('IPIP carries no IPv6 probe: flannel has no IPv6 IPIP backend');
  }
}

function access(encap: Encap): Access {
  switch (encap.kind) {
    case 'none':
      return { guard: 'ip', at: (off, size = 1) => `ip${sized(off, size)}` };
    case 'vxlan':
      // UDP 8 + VXLAN 8 + inner Ethernet 14: the inner IPv4 header starts 30 bytes into the UDP header
      return { guard: `udp dst port ${encap.port} and udp[28:2] = 0x0800`, at: (off, size = 1) => `udp${sized(plus('30', off), size)}` };
    case 'ipip':
      return { guard: 'ip proto 4', at: (off, size = 1) => `ip${sized(plus('((ip[0] & 0x0f) << 2)', off), size)}` };
  }
}

/** An IPv4 address as the 32-bit number BPF compares with. */
export function ipv4Hex(ip: string): string {
  if (!isIPv4(ip)) throw new UsageError(`not an IPv4 address: ${JSON.stringify(ip)}`);
  return '0x' + ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('');
}

function checkTag(tag: ProbeTag): void {
  const port = (n: number | undefined): boolean => n !== undefined && Number.isInteger(n) && n > 0 && n < 65536;
  if (!port(tag.id)) throw new UsageError(`probe tag out of range: ${tag.id}`);
  if (tag.proto !== 'icmp' && !port(tag.port)) throw new UsageError(`${tag.proto} probe needs a destination port 1-65535`);
}

/**
 * The filter for one capture. `src` is the probing pod, `dst` the destination: requests go src → dst, answers
 * dst → src, and ICMP errors about the probe (from any router on the way) go to src.
 */
export function probeFilter(tag: ProbeTag, src: string, dst: string, encap: Encap): string {
  checkTag(tag);
  if (isIPv6(src) || isIPv6(dst)) return probeFilter6(tag, src, dst, encap);
  const { guard, at } = access(encap);
  const s = ipv4Hex(src);
  const d = ipv4Hex(dst);
  const l4 = `((${at('0')} & 0x0f) << 2)`;
  const l4At = (k: number, size: 1 | 2 | 4 = 1): string => at(plus(l4, String(k)), size);
  const between = `((${at('12', 4)} = ${s} and ${at('16', 4)} = ${d}) or (${at('12', 4)} = ${d} and ${at('16', 4)} = ${s}))`;
  const probe =
    tag.proto === 'icmp'
      ? `${at('9')} = 1 and (${l4At(0)} = 8 or ${l4At(0)} = 0) and ${l4At(4, 2)} = ${tag.id}`
      : `${at('9')} = ${tag.proto === 'udp' ? 17 : 6} and (${l4At(0, 2)} = ${tag.id} or ${l4At(2, 2)} = ${tag.id})`;
  const icmpError = `${at('9')} = 1 and (${l4At(0)} = 3 or ${l4At(0)} = 11) and ${at('16', 4)} = ${s}`;
  // non-first fragments carry no transport header: only offset-0 packets are read past the IP header
  const firstFragment = `(${at('6', 2)} & 0x1fff) = 0`;
  return `${guard} and (${at('0')} & 0xf0) = 0x40 and ${firstFragment} and ((${between} and ${probe}) or (${icmpError}))`;
}

/** An IPv6 address as the four 32-bit words BPF compares with. */
export function ipv6Words(ip: string): string[] {
  const g = isIPv6(ip) ? parseIPv6(ip) : undefined;
  if (!g) throw new UsageError(`not an IPv6 address: ${JSON.stringify(ip)}`);
  return [0, 2, 4, 6].map((i) => '0x' + (g[i] * 0x10000 + g[i + 1]).toString(16).padStart(8, '0'));
}

/** The same filter for an IPv6 probe: ICMPv6 echo (128/129) or UDP/TCP, and ICMPv6 errors (1, 2 too big, 3) to src. */
function probeFilter6(tag: ProbeTag, src: string, dst: string, encap: Encap): string {
  const { guard, at } = access6(encap);
  const addrIs = (base: number, ip: string): string => ipv6Words(ip).map((w, i) => `${at(String(base + 4 * i), 4)} = ${w}`).join(' and ');
  const between = `((${addrIs(8, src)} and ${addrIs(24, dst)}) or (${addrIs(8, dst)} and ${addrIs(24, src)}))`;
  const probe =
    tag.proto === 'icmp'
      ? `${at('6')} = 58 and (${at('40')} = 128 or ${at('40')} = 129) and ${at('44', 2)} = ${tag.id}`
      : `${at('6')} = ${tag.proto === 'udp' ? 17 : 6} and (${at('40', 2)} = ${tag.id} or ${at('42', 2)} = ${tag.id})`;
  const icmpError = `${at('6')} = 58 and (${at('40')} = 1 or ${at('40')} = 2 or ${at('40')} = 3) and ${addrIs(24, src)}`;
  return `${guard} and (${at('0')} & 0xf0) = 0x60 and ((${between} and ${probe}) or (${icmpError}))`;
}
