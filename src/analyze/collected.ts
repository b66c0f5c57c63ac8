// Which of a snapshot's tables were read at all. A table whose step failed or was never pasted has no data,
// which is not the same as an empty table: absent evidence makes a check unverified, never a finding.
import type { Link } from '../model/link.js';
import type { Snapshot } from '../model/snapshot.js';

/** `routes` is the IPv4 route table, `routes6` the IPv6 one: `ip route` shows no IPv6 route, `ip -6 route` no IPv4 one. */
export type Table = 'links' | 'addresses' | 'routes' | 'routes6' | 'neigh' | 'fdb';

// step names as collect records them (live, --from-dir, cluster), and the older file-named records
const STEPS: Record<Table, readonly string[]> = {
  links: ['ip-link', 'ip-link.txt'],
  addresses: ['ip-addr', 'ip-addr.txt', 'ifconfig', 'ifconfig.txt'],
  routes: ['ip-route', 'route-n', 'ip-route.txt', 'route-n.txt'],
  routes6: ['ip-route6', 'route-n6', 'ip-route6.txt', 'route-n6.txt'],
  neigh: ['ip-neigh', 'arp', 'ip-neigh.txt', 'arp.txt'],
  fdb: ['bridge-fdb', 'bridge-fdb.txt'],
};

/** What to paste to get a table, for the `unverified` message. */
export const PASTE: Record<Table, string> = {
  links: 'ip -d link show',
  addresses: 'ip addr show',
  routes: 'ip route show',
  routes6: 'ip -6 route show',
  neigh: 'ip neigh show',
  fdb: 'bridge fdb show',
};

const isV6Route = (r: Snapshot['routes'][number]): boolean => r.dst.includes(':');

/** Does the table hold an entry: of a family's routes only (an `ip -6 route` paste says nothing of the IPv4 table).
 * `some`, not a filtered copy: trace asks this several times of a 5,000-route table. */
function hasEntries(s: Snapshot, table: Table): boolean {
  if (table === 'routes') return s.routes.some((r) => !isV6Route(r));
  if (table === 'routes6') return s.routes.some(isV6Route);
  return s[table].length > 0;
}

/**
 * Did the snapshot read this table? Entries, or a step that worked; snapshots that record no steps are trusted,
 * except for IPv6 routes: snapshots from before they were collected hold none, which is not an empty table.
 */
export function collected(s: Snapshot, table: Table): boolean {
  if (hasEntries(s, table) || (s.commands.length === 0 && table !== 'routes6')) return true;
  return s.commands.some((c) => c.ok && STEPS[table].includes(c.name));
}

/**
 * Was the table read only narrowed (`arp -e | grep X`, `show dev` of another device than `dev`)? Its entries are
 * facts; an entry it lacks may simply not have been pasted, so its absence is unverified, never a finding.
 */
export function partial(s: Snapshot, table: Table, dev: string): boolean {
  const runs = s.commands.filter((c) => c.ok && STEPS[table].includes(c.name));
  return runs.length > 0 && runs.every((c) => typeof c.filter === 'string' && c.filter !== `dev ${dev}`);
}

/** The filters of a table read only narrowed (`grep flannel`; `dev X` of any device), undefined when read whole. */
export function filtersOf(s: Snapshot, table: Table): string[] | undefined {
  const runs = s.commands.filter((c) => c.ok && STEPS[table].includes(c.name));
  return runs.length > 0 && runs.every((c) => typeof c.filter === 'string') ? runs.map((c) => c.filter as string) : undefined;
}

/**
 * Does a device's absence from the link list prove it is gone? Yes for state read from a node; not for saved
 * outputs from a ticket, which are often one grep'd line of `ip link` (trace and doctor judge it alike).
 */
export function absenceProves(s: Snapshot): boolean {
  return s.links.length > 0 && s.source.kind !== 'dir';
}

/** Were the addresses of the device under a tunnel read (its `dev`, else any device but the tunnel and lo)? Only
 * they can show that the tunnel's `local` is not this node's (a paste of `ip a show dev flannel.1` cannot). */
export function underlayAddressesShown(s: Snapshot, tunnel: Link): boolean {
  if (!collected(s, 'addresses')) return false;
  const under = (tunnel as { dev?: string }).dev;
  return s.addresses.some((a) => (under ? a.dev === under : a.dev !== tunnel.name && a.dev !== 'lo'));
}

/** Were a device's addresses read? From a node, the whole list is; a ticket's saved `ip link` or grep'd `ip a` shows
 * none of a device it does not show an address of, so there only an address shown counts. */
export function deviceAddressesShown(s: Snapshot, dev: string | undefined): boolean {
  if (!collected(s, 'addresses')) return false;
  return s.source.kind !== 'dir' || (dev !== undefined && s.addresses.some((a) => a.dev === dev));
}

/** Were the node's own addresses read (not only a tunnel's or the loopback's)? Only they can show that no lease's
 * public IP is this node's, so that no lease is its own. */
export function nodeAddressesShown(s: Snapshot): boolean {
  if (!collected(s, 'addresses')) return false;
  return s.source.kind !== 'dir' || s.addresses.some((a) => a.family === 'inet' && a.dev !== 'lo' && !/^flannel/.test(a.dev));
}
