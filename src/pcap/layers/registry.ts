// gopacket-style dispatch tables: link type, ethertype and IP protocol → the next layer's decoder.
// UDP ports are per decode (they depend on --vxlan-port) and live on the Packet. Filled by layers/index.ts.
import type { Packet } from '../packet.js';

export type Layer = (p: Packet, off: number, end: number) => void;

export const byLinkType = new Map<number, Layer>();
export const byEthertype = new Map<number, Layer>();
export const byIpProto = new Map<number, Layer>();

export function nextByEthertype(p: Packet, type: number, off: number, end: number): void {
  const next = byEthertype.get(type);
  if (next) next(p, off, end);
}

export function nextByIpProto(p: Packet, proto: number, off: number, end: number): void {
  const next = byIpProto.get(proto);
  if (next) next(p, off, end);
}
