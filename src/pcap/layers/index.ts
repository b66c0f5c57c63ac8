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

byLinkType.set(0, nullLink).set(1, ethernet).set(12, rawIp).set(14, rawIp).set(101, rawIp).set(108, loop);
byLinkType.set(113, sll).set(228, rawIp).set(229, rawIp).set(276, sll2);
byEthertype.set(0x0800, ipv4).set(0x86dd, ipv6).set(0x0806, arp).set(0x8100, vlan).set(0x88a8, vlan);
byIpProto.set(4, ipip).set(6, tcp).set(17, udp).set(1, icmp).set(58, icmpv6);

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
  const first = byLinkType.get(rec.linkType);
  if (!first) return;
  try {
    first(p, p.start, p.end);
  } catch (e) {
    // a layer read past the record without checking its length first: the bytes ran out, as for a short header
    if (!(e instanceof OutOfBounds)) throw e;
    truncated(p, 'bounds');
  }
}
