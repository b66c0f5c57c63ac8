// flannel's wireguard backend (pkg/backend/wireguard): one peer per remote lease on flannel-wg, with the lease's
// PublicKey, endpoint <public-ip>:<Port> (Port 0 or absent: this device's listen port) and allowed-ips the lease
// subnet (Mode separate; auto mode adds the v6 subnet). Shared by doctor's check and trace, so both judge alike.
import type { Code } from '../model/codes.js';
import type { Lease } from '../model/lease.js';
import { cidrContains } from '../model/net.js';
import type { WgDevice, WgPeer } from '../model/wireguard.js';

export const WG_DEVICE = 'flannel-wg';
export const WG_DEFAULT_PORT = 51820;

export interface WgProblem {
  code: Extract<Code, 'WG_PEER_MISSING' | 'WG_PEER_KEY_MISMATCH' | 'WG_ENDPOINT_MISMATCH' | 'WG_ALLOWED_IPS_MISMATCH'>;
  text: string;
}

/** The endpoint flannel programs for a lease. */
export const wantEndpoint = (lease: Lease, dev: WgDevice): { ip: string; port: number } => ({ ip: lease.publicIp, port: lease.wgPort ?? (dev.listenPort || WG_DEFAULT_PORT) });

export function peerLine(dev: string, p: WgPeer): string {
  const hs = p.latestHandshake === 0 ? 'never' : new Date(p.latestHandshake * 1000).toISOString();
  return `wg show ${dev}: peer ${p.publicKey} endpoint ${p.endpoint ?? '(none)'} allowed-ips ${p.allowedIps.join(',') || '(none)'} latest-handshake ${hs}`;
}

/** What is wrong with `dev`'s peer for `lease` (empty: as flannel programs it), and the peer judged. */
export function judgePeer(dev: WgDevice, lease: Lease): { peer?: WgPeer; problems: WgProblem[] } {
  const who = lease.node ?? lease.subnet;
  const peer = dev.peers.find((p) => p.publicKey === lease.publicKey);
  if (!peer) {
    const other = dev.peers.find((p) => p.allowedIps.includes(lease.subnet));
    if (other) return { peer: other, problems: [{ code: 'WG_PEER_KEY_MISMATCH', text: `the peer for ${lease.subnet} has key ${other.publicKey}, the lease of ${who} says ${lease.publicKey}: no handshake can succeed` }] };
    return { problems: [{ code: 'WG_PEER_MISSING', text: `${dev.name} has no peer with ${who}'s key ${lease.publicKey}` }] };
  }
  const problems: WgProblem[] = [];
  const want = wantEndpoint(lease, dev);
  if (peer.endpointIp !== want.ip || peer.endpointPort !== want.port) {
    problems.push({ code: 'WG_ENDPOINT_MISMATCH', text: `peer ${who} has endpoint ${peer.endpoint ?? '(none)'}, its lease says ${want.ip}:${want.port}` });
  }
  if (!peer.allowedIps.includes(lease.subnet)) problems.push({ code: 'WG_ALLOWED_IPS_MISMATCH', text: `peer ${who} has allowed-ips ${peer.allowedIps.join(',') || '(none)'}, not its lease ${lease.subnet}` });
  return { peer, problems };
}

/** The peer whose allowed-ips hold `ip` (longest prefix), as the kernel picks it. */
export function peerFor(dev: WgDevice, ip: string): WgPeer | undefined {
  let best: { peer: WgPeer; len: number } | undefined;
  for (const p of dev.peers)
    for (const a of p.allowedIps) {
      const len = Number(a.split('/')[1]);
      if (cidrContains(a, ip) && (!best || len > best.len)) best = { peer: p, len };
    }
  return best?.peer;
}
