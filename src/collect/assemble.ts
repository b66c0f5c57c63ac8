// Shape a Collected record (entries already validated by the parsers) into a Snapshot: merge the link lists by name, derive what a
// missing tool would have said (brctl show from ip link), pick each pod's interface.
import { normalizeIPv6 } from '../model/ipv6.js';
import { printable } from '../model/text.js';
import type { Address, BridgeInfo, Link, PodNetns } from '../model/index.js';
import type { Snapshot } from '../model/index.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../model/snapshot-version.js';
import type { Collected } from './commands.js';

/** Links from ip link, completed by the ip addr / ifconfig view of the same names (fields ip link lacks). */
export function mergeLinks(primary: Link[] | undefined, secondary: Link[] | undefined): Link[] {
  const out = (primary ?? []).map((l) => ({ ...l }));
  const byName = new Map(out.map((l) => [l.name, l]));
  for (const extra of secondary ?? []) {
    const have = byName.get(extra.name);
    if (!have) {
      out.push({ ...extra });
      byName.set(extra.name, out[out.length - 1]);
      continue;
    }
    const target = have as Record<string, unknown>;
    for (const [key, value] of Object.entries(extra)) {
      const empty = target[key] === undefined || (Array.isArray(target[key]) && (target[key] as unknown[]).length === 0);
      // ifconfig knows no ifindex (parsers put 0): never let it replace a real one
      if (empty && value !== undefined && key !== 'kind') target[key] = value;
      else if (key === 'ifindex' && target.ifindex === 0 && typeof value === 'number') target.ifindex = value;
    }
  }
  return out;
}

/** `brctl show` as ip link sees it: every bridge and the links whose master it is. */
export function bridgesFromLinks(links: Link[]): BridgeInfo[] {
  return links
    .filter((l) => l.kind === 'bridge')
    .map((b) => ({
      name: b.name,
      bridgeId: b.kind === 'bridge' ? b.bridgeId : undefined,
      stp: b.kind === 'bridge' ? b.stp : undefined,
      interfaces: links
        .filter((l) => l.master === b.name)
        .map((l) => l.name)
        .sort(),
    }));
}

/**
 * What `brctl show` says about links that plain `ip link` / ifconfig could not: that a device is a bridge
 * (its id and STP), and which bridge each listed interface is enslaved to.
 */
export function linksWithBridges(links: Link[], bridges: BridgeInfo[]): Link[] {
  const bridgeOf = new Map(bridges.flatMap((b) => b.interfaces.map((i) => [i, b.name] as const)));
  const byName = new Map(bridges.map((b) => [b.name, b]));
  return links.map((l) => {
    const b = byName.get(l.name);
    const master = l.master ?? bridgeOf.get(l.name);
    if (b && l.kind === 'device') return { ...l, kind: 'bridge', bridgeId: b.bridgeId, stp: b.stp, ...(master ? { master } : {}) };
    return master === l.master ? l : { ...l, master };
  });
}

/**
 * A pod namespace from its own `ip addr` view. The interface is the one whose peer is `hostIfindex`
 * when known (the host veth's ifindex), else eth0, else the first non-loopback link.
 */
export function podFromAddr(view: { links: Link[]; addresses: Address[] }, where: { netns?: string; pod?: string; hostIfindex?: number }): PodNetns {
  const { hostIfindex } = where;
  const candidates = view.links.filter((l) => l.kind !== 'loopback' && l.name !== 'lo');
  const link =
    (hostIfindex === undefined ? undefined : candidates.find((l) => l.linkIndex === hostIfindex)) ??
    candidates.find((l) => l.name === 'eth0') ??
    candidates[0];
  const inet = view.addresses.find((a) => a.family === 'inet' && a.dev === link?.name && a.scope !== 'host');
  const inet6 = view.addresses.find((a) => a.family === 'inet6' && a.dev === link?.name && a.scope === 'global');
  return {
    pod: where.pod,
    netns: where.netns,
    ifname: link?.name ?? 'eth0',
    ifindex: link?.ifindex || undefined,
    iflink: link?.linkIndex,
    ip: inet?.local,
    ip6: inet6 ? (normalizeIPv6(inet6.local) ?? inet6.local) : undefined,
    mac: link?.mac,
    mtu: link?.mtu,
  };
}

export function buildSnapshot(c: Collected, source: Snapshot['source'], time: string, defaultHost: string): Snapshot {
  let links = mergeLinks(c.links, c.addrLinks);
  if (c.bridges) links = linksWithBridges(links, c.bridges);
  // without brctl show: live, `ip -d link` knows every bridge (none is an answer too); a directory's links may
  // come from plain `ip link` / ifconfig, which cannot tell a bridge, so only bridges seen there count
  const brctlRan = c.commands.find((r) => r.name === 'brctl-show');
  const liveFallback = brctlRan !== undefined && !brctlRan.ok && c.links !== undefined;
  if (c.bridges === undefined && (liveFallback || links.some((l) => l.kind === 'bridge'))) {
    c.bridges = bridgesFromLinks(links);
    if (liveFallback) Object.assign(brctlRan, { ok: true, form: 'fallback', error: `${brctlRan.error}; bridges taken from ip link` });
  }
  // every entry was validated by its parser; the rest is built here with the model's own types, so a second
  // zod pass over 50,000 routes/neigh/fdb entries would only repeat work (≈250 ms CPU at that size)
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    host: printable(c.host ?? defaultHost),
    kernel: c.kernel,
    time,
    source,
    links,
    addresses: c.addresses ?? [],
    routes: c.routes ?? [],
    neigh: c.neigh ?? [],
    fdb: c.fdb ?? [],
    bridges: c.bridges ?? [],
    bridgePorts: c.bridgePorts ?? [],
    iptables: c.iptables,
    nft: c.nft,
    wireguard: c.wireguard ?? [],
    subnetEnv: c.subnetEnv,
    cniConflist: c.cniConflist,
    iflinks: c.iflinks ?? [],
    ethtool: c.ethtool,
    sysctls: c.sysctls,
    features: c.features,
    pods: c.pods,
    ipam: c.ipam,
    commands: c.commands,
  };
}
