// Evidence lines: the node's own state printed the way iproute2 prints it, so a finding can be pasted
// into a ticket next to `ip neigh` / `bridge fdb` / `ip route` output and read the same way.
import type { Address } from '../../model/address.js';
import type { FdbEntry } from '../../model/fdb.js';
import { hasV4, type Lease, leaseName } from '../../model/lease.js';
import type { Link } from '../../model/link.js';
import type { Neigh } from '../../model/neigh.js';
import type { Route } from '../../model/route.js';
import type { WgPeer } from '../../model/wireguard.js';

export function neighLine(n: Neigh): string {
  return ['ip neigh:', n.dst, 'dev', n.dev, n.lladdr ? `lladdr ${n.lladdr}` : '', ...n.state].filter(Boolean).join(' ');
}

export function fdbLine(f: FdbEntry): string {
  return ['bridge fdb:', f.mac, 'dev', f.dev, f.dst ? `dst ${f.dst}` : '', f.master ? `master ${f.master}` : '', f.self ? 'self' : '', f.state].filter(Boolean).join(' ');
}

export function routeLine(r: Route): string {
  const dst = r.dst === '0.0.0.0/0' ? 'default' : r.dst;
  return [
    'ip route:',
    r.type !== 'unicast' ? r.type : '',
    dst,
    r.gateway ? `via ${r.gateway}` : '',
    r.dev ? `dev ${r.dev}` : '',
    r.proto ? `proto ${r.proto}` : '',
    r.scope ? `scope ${r.scope}` : '',
    r.metric !== undefined ? `metric ${r.metric}` : '',
    r.onlink ? 'onlink' : '',
    ...r.flags,
  ]
    .filter(Boolean)
    .join(' ');
}

export function linkLine(l: Link): string {
  const parts = [`ip link: ${l.ifindex}: ${l.name}: <${l.flags.join(',')}>`, l.mtu !== undefined ? `mtu ${l.mtu}` : '', l.master ? `master ${l.master}` : '', l.mac ? `link/ether ${l.mac}` : ''];
  if (l.kind === 'vxlan') {
    parts.push(
      `vxlan id ${l.vni ?? '?'}`,
      l.local ? `local ${l.local}` : '',
      l.dev ? `dev ${l.dev}` : '',
      l.port !== undefined ? `dstport ${l.port}` : '',
      l.learning === undefined ? '' : l.learning ? 'learning' : 'nolearning',
    );
  }
  return parts.filter(Boolean).join(' ');
}

export function addrLine(a: Address): string {
  return `ip addr: ${a.family} ${a.local}/${a.prefixlen} dev ${a.dev}`;
}

export function leaseLine(l: Lease): string {
  const source = l.source ? ` (${l.source})` : '';
  // a v6-only lease: its IPv6 part is all there is
  if (!hasV4(l)) return `lease ${leaseName(l)}: ${l.subnet6 ?? '?'} public-ipv6 ${l.publicIpv6 ?? '?'} ${l.backendType} VNI ${l.vni6 ?? '?'} VtepMAC ${l.vtepMac6 ?? '?'}${source}`;
  const data = l.vtepMac || l.vni !== undefined ? ` VNI ${l.vni ?? '?'} VtepMAC ${l.vtepMac ?? '?'}` : '';
  return `lease ${leaseName(l)}: ${l.subnet} public-ip ${l.publicIp} ${l.backendType}${data}${source}`;
}

export function wgPeerLine(dev: string, p: WgPeer): string {
  const hs = p.latestHandshake === 0 ? 'never' : new Date(p.latestHandshake * 1000).toISOString();
  return `wg show ${dev}: peer ${p.publicKey} endpoint ${p.endpoint ?? '(none)'} allowed-ips ${p.allowedIps.join(',') || '(none)'} latest-handshake ${hs}`;
}
