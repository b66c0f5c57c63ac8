// IPIP (IP protocol 4, flannel's "ipip" backend, device flannel.ipip): the payload is the inner IPv4 packet.
import { TUNNEL_IPIP, TUNNEL_NONE, type Packet } from '../packet.js';
import { ipv4 } from './ipv4.js';

export function ipip(p: Packet, off: number, end: number): void {
  if (p.tunnel !== TUNNEL_NONE) return;
  p.tunnel = TUNNEL_IPIP;
  p.innerOff = off;
  ipv4(p, off, end);
}
