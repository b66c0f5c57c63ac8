// gopacket-style dispatch tables: link type, ethertype and IP protocol → the next layer's decoder.
// UDP ports are per decode (they depend on --vxlan-port) and live on the Packet. Filled by layers/index.ts.
// Arrays indexed by the 16-bit (8-bit for protocols) number: a Map lookup per layer cost ≈ 5 % of --summary.
import type { Packet } from '../packet.js';

export type Layer = (p: Packet, off: number, end: number) => void;

export const byLinkType = new Array<Layer | undefined>(65536).fill(undefined);
export const byEthertype = new Array<Layer | undefined>(65536).fill(undefined);
export const byIpProto = new Array<Layer | undefined>(256).fill(undefined);

export function nextByEthertype(p: Packet, type: number, off: number, end: number): void {
  const next = byEthertype[type];
  if (next) next(p, off, end);
}

export function nextByIpProto(p: Packet, proto: number, off: number, end: number): void {
  const next = byIpProto[proto];
  if (next) next(p, off, end);
}
