// Fills the dispatch tables and decodes a record into the reused Packet.
import type { CaptureRecord } from '../reader/record.js';
import { type Packet, TUNNEL_NONE, truncated } from '../packet.js';
import { arp } from './arp.js';
import { dns } from './dns.js';
import { ethernet } from './ethernet.js';
import { icmp } from './icmp.js';
import { icmpv6 } from './icmpv6.js';
import { ipip } from './ipip.js';
import { ipv4 } from './ipv4.js';
import { ipv6 } from './ipv6.js';
import { loop, nullLink } from './null.js';
import { rawIp } from './raw-ip.js';
import { OutOfBounds } from './bytes.js';
import { byEthertype, byIpProto, byLinkType, type Layer } from './registry.js';
import { sll } from './sll.js';
import { sll2 } from './sll2.js';
import { tcp } from './tcp.js';
import { udp } from './udp.js';
import { vlan } from './vlan.js';
import { vxlan } from './vxlan.js';

const fill = (table: (Layer | undefined)[], entries: [number, Layer][]): void => {
  for (const [n, layer] of entries) table[n] = layer;
};
fill(byLinkType, [[0, nullLink], [1, ethernet], [12, rawIp], [14, rawIp], [101, rawIp], [108, loop], [113, sll], [228, rawIp], [229, rawIp], [276, sll2]]);
fill(byEthertype, [[0x0800, ipv4], [0x86dd, ipv6], [0x0806, arp], [0x8100, vlan], [0x88a8, vlan]]);
fill(byIpProto, [[4, ipip], [6, tcp], [17, udp], [1, icmp], [58, icmpv6]]);

const VXLAN_PORTS = [8472, 4789];

/** UDP port table for one decode: the VXLAN ports (defaults plus --vxlan-port) and DNS. */
export function udpPortTable(extraVxlanPorts: number[] = []): Layer[] {
  const t = new Array<Layer>(65536);
  t[53] = dns;
  for (const port of [...VXLAN_PORTS, ...extraVxlanPorts]) t[port] = vxlan;
  return t;
}

/** Decode one record into `p` (reset first). Unknown link types leave only the record fields set. */
export function decodeRecord(p: Packet, rec: CaptureRecord): void {
  p.buf = rec.buf;
  p.start = rec.off;
  p.end = rec.off + rec.capLen;
  p.origLen = rec.origLen;
  p.linkType = rec.linkType;
  p.tsSec = rec.tsSec;
  p.tsNsec = rec.tsNsec;
  p.truncated = rec.cut || rec.capLen < rec.origLen;
  p.stoppedIn = '';
  p.malformed = false;
  p.ethOff = -1;
  p.innerEthOff = -1;
  p.vlan = -1;
  p.ifindex = -1;
  p.arpOp = 0;
  p.arpOff = -1;
  p.depth = 0;
  p.ips[0].version = 0;
  p.ips[1].version = 0;
  p.tunnel = TUNNEL_NONE;
  p.innerOff = -1;
  p.dnsLevel = -1;
  const first = rec.linkType < 65536 ? byLinkType[rec.linkType] : undefined;
  if (!first) return;
  try {
    first(p, p.start, p.end);
  } catch (e) {
    // a layer read past the record without checking its length first: the bytes ran out, as for a short header
    if (!(e instanceof OutOfBounds)) throw e;
    truncated(p, 'bounds');
  }
}
