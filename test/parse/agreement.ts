// Cross-format agreement: the same kernel state printed two ways, captured from one namespace at one moment
// (scripts/capture-fixtures.ts), must parse to the same facts on every field both forms carry. Neither side's
// parser is the answer: the other form, parsed by other code from other bytes, is.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parserFor } from '../../src/parse/index.js';

type Entry = Record<string, unknown>;

/** Kept-but-unmodelled text tokens and JSON keys differ between forms by design. */
const NOT_COMPARED = new Set(['raw', 'extra']);

interface Side {
  entries: Entry[];
  /** which file they came from, for the message */
  from: string;
}

/**
 * a and b, matched by `key`: the same keys on both sides (with `aSubset`, a's keys are among b's), and for each
 * pair every field in `fields` — by default every field both entries carry — equal.
 */
function disagreements(a: Side, b: Side, key: (e: Entry) => string, opts: { fields?: string[]; aSubset?: boolean } = {}): string[] {
  const out: string[] = [];
  const byKey = (s: Side) => {
    const m = new Map<string, Entry>();
    for (const e of s.entries) {
      const k = key(e);
      if (m.has(k)) out.push(`${s.from}: two entries for ${k}`);
      m.set(k, e);
    }
    return m;
  };
  const ma = byKey(a);
  const mb = byKey(b);
  if (!ma.size) out.push(`${a.from}: nothing to compare`);
  for (const k of ma.keys()) if (!mb.has(k)) out.push(`${k}: in ${a.from}, not in ${b.from}`);
  if (!opts.aSubset) for (const k of mb.keys()) if (!ma.has(k)) out.push(`${k}: in ${b.from}, not in ${a.from}`);
  for (const [k, ea] of ma) {
    const eb = mb.get(k);
    if (!eb) continue;
    const fields = opts.fields ?? Object.keys(ea).filter((f) => f in eb && !NOT_COMPARED.has(f));
    for (const f of fields) {
      if (!isDeepStrictEqual(ea[f], eb[f])) out.push(`${k} ${f}: ${JSON.stringify(ea[f])} in ${a.from}, ${JSON.stringify(eb[f])} in ${b.from}`);
    }
  }
  return out;
}

/** One capture directory (fixtures/ or a fresh `capture-fixtures --out DIR`): the parsed case, by <parser>/<case file>. */
function captureReader(root: string) {
  return (parser: string, file: string, arg?: string): Side => {
    const path = join(root, parser, file);
    if (!existsSync(path)) throw new Error(`${parser}/${file} is missing`);
    return { entries: parserFor(parser)(readFileSync(path, 'utf8'), arg) as Entry[], from: `${parser}/${file}` };
  };
}

const part = (s: Side, name: string): Side => ({ entries: (s.entries as unknown as Record<string, Entry[]>)[name], from: `${s.from} ${name}` });
const only = (s: Side, keep: (e: Entry) => boolean, why: string): Side => ({ entries: s.entries.filter(keep), from: `${s.from} (${why})` });
const map = (s: Side, f: (e: Entry) => Entry): Side => ({ entries: s.entries.map(f), from: s.from });

const routeKey = (e: Entry) => `${e.table} ${e.type} ${e.dst} dev ${e.dev ?? ''} metric ${e.metric ?? 0}`;
// route -n prints `-` for a reject route's device; table main's IPv4 dst + metric are unique anyway
const routeNKey = (e: Entry) => `${e.dst} metric ${e.metric ?? 0}`;
const linkKey = (e: Entry) => String(e.ifindex);
const addrKey = (e: Entry) => `${e.dev} ${e.local}`;
const neighKey = (e: Entry) => `${e.dst} dev ${e.dev}`;
const fdbKey = (e: Entry) => `${e.mac} dev ${e.dev} dst ${e.dst ?? ''} master ${e.master ?? ''} vlan ${e.vlan ?? ''}`;

/** Every captured pair in a capture directory; returns the disagreements (none expected). */
export function checkCapturePairs(root: string): Record<string, string[]> {
  const read = captureReader(root);
  const routesJ = read('ip-route', 'netns-node-j.json');
  const linksJ = read('ip-link', 'netns-node-j.json');
  const podLinksJ = read('ip-link', 'netns-pod-j.json');
  const addrJ = read('ip-addr', 'netns-node-j.json');
  const neighJ = read('ip-neigh', 'netns-node-j.json');
  const fdbJ = read('bridge-fdb', 'netns-node-j.json');
  const portsJ = read('bridge-link', 'netns-node-j.json');
  const ipv4 = (e: Entry) => !String(e.dst).includes(':');
  const r: Record<string, string[]> = {};

  // ip / bridge: text vs -j
  r['ip route vs ip -j route'] = disagreements(read('ip-route', 'netns-node.txt'), routesJ, routeKey);
  r['ip -d route vs ip -j route'] = disagreements(read('ip-route', 'netns-node-detail.txt'), routesJ, routeKey);
  r['ip route show table all vs -j'] = disagreements(read('ip-route', 'netns-table-all.txt'), read('ip-route', 'netns-table-all-j.json'), routeKey);
  r['ip link vs ip -j link'] = disagreements(read('ip-link', 'netns-node.txt'), linksJ, linkKey);
  r['ip -o link vs ip -j link'] = disagreements(read('ip-link', 'netns-node-oneline.txt'), linksJ, linkKey);
  r['ip -s link vs ip -j link'] = disagreements(read('ip-link', 'netns-node-stats.txt'), linksJ, linkKey);
  r['ip -d link vs ip -j -d link'] = disagreements(read('ip-link', 'netns-node-detail.txt'), read('ip-link', 'netns-node-detail-j.json'), linkKey);
  r['pod: ip -d link vs ip -j -d link'] = disagreements(read('ip-link', 'netns-pod.txt'), podLinksJ, linkKey);
  r['pod: ip -o link vs ip -j -d link'] = disagreements(read('ip-link', 'netns-pod-oneline.txt'), podLinksJ, linkKey);
  const addr = read('ip-addr', 'netns-node.txt');
  r['ip addr vs ip -j addr: links'] = disagreements(part(addr, 'links'), part(addrJ, 'links'), linkKey);
  r['ip addr vs ip -j addr: addresses'] = disagreements(part(addr, 'addresses'), part(addrJ, 'addresses'), addrKey);
  r['ip neigh vs ip -j neigh'] = disagreements(read('ip-neigh', 'netns-node.txt'), neighJ, neighKey);
  r['ip neigh show dev flannel.1 vs ip -j neigh'] = disagreements(
    read('ip-neigh', 'netns-node-dev-flannel1.txt', 'flannel.1'),
    only(neighJ, (e) => e.dev === 'flannel.1', 'dev flannel.1'),
    neighKey,
  );
  r['bridge fdb vs bridge -j fdb'] = disagreements(read('bridge-fdb', 'netns-node.txt'), fdbJ, fdbKey);
  r['bridge fdb show dev flannel.1 vs bridge -j fdb'] = disagreements(
    read('bridge-fdb', 'netns-node-dev-flannel1.txt', 'flannel.1'),
    only(fdbJ, (e) => e.dev === 'flannel.1', 'dev flannel.1'),
    fdbKey,
  );
  r['bridge link vs bridge -j link'] = disagreements(read('bridge-link', 'netns-node.txt'), portsJ, (e) => String(e.port));
  r['bridge -d link vs bridge -j link'] = disagreements(read('bridge-link', 'netns-node-detail.txt'), portsJ, (e) => String(e.port));

  // net-tools vs iproute2. route -n reads /proc/net/route, which lists IPv4 unicast and reject routes of the
  // main table only (the capture shows it leaving out the blackhole): its routes must be among ip's.
  r['route -n vs ip -j route'] = disagreements(
    map(read('route-n', 'netns-node.txt'), (e) => ({ dst: e.dst, gateway: e.gateway, dev: e.dev, metric: e.metric ?? 0, type: e.type, table: e.table })),
    map(routesJ, (e) => ({ ...e, metric: e.metric ?? 0 })),
    routeNKey,
    { fields: ['gateway', 'dev', 'metric'], aSubset: true },
  );
  // arp lists the IPv4 neighbours; it prints no NUD state but "PERM"/"CM" for permanent ones
  const permanent = (e: Entry) => ({ ...e, permanent: (e.state as string[]).includes('PERMANENT') });
  for (const f of ['netns-node-n.txt', 'netns-node-e.txt', 'netns-node-an.txt']) {
    r[`arp ${f} vs ip -j neigh`] = disagreements(map(read('arp', f), permanent), map(only(neighJ, ipv4, 'IPv4'), permanent), neighKey, { fields: ['lladdr', 'permanent'] });
  }
  // brctl show: each bridge's ports are the bridge -j link ports whose master it is; its id carries its MAC
  const bridges = read('brctl-show', 'netns-node.txt');
  r['brctl show vs bridge -j link'] = disagreements(
    map(only(bridges, (b) => (b.interfaces as string[]).length > 0, 'with ports'), (b) => ({ name: b.name, interfaces: [...(b.interfaces as string[])].sort() })),
    { entries: [...new Set(portsJ.entries.map((p) => String(p.master)))].map((name) => ({ name, interfaces: portsJ.entries.filter((p) => p.master === name).map((p) => String(p.port)).sort() })), from: portsJ.from },
    (e) => String(e.name),
  );
  r['brctl show vs ip -j link: bridge MAC'] = disagreements(bridges, map(linksJ, (l) => ({ ...l, name: l.name })), (e) => String(e.name), { fields: ['mac'], aSubset: true });
  // ifconfig -a: the links' MTU and MAC, the addresses' prefix length
  const ifc = read('ifconfig', 'netns-node.txt');
  r['ifconfig -a vs ip -j addr: links'] = disagreements(part(ifc, 'links'), part(addrJ, 'links'), (e) => String(e.name), { fields: ['mtu', 'mac'] });
  r['ifconfig -a vs ip -j addr: addresses'] = disagreements(part(ifc, 'addresses'), part(addrJ, 'addresses'), addrKey, { fields: ['family', 'prefixlen'] });
  const podIfc = read('ifconfig', 'netns-pod.txt');
  const podAddr = read('ip-addr', 'netns-pod.txt');
  r['pod: ifconfig eth0 vs ip addr'] = disagreements(part(podIfc, 'addresses'), only(part(podAddr, 'addresses'), (a) => a.dev === 'eth0', 'eth0'), addrKey, { fields: ['family', 'prefixlen'] });
  // /sys/class/net/*/iflink: the link's own ifindex unless it has a parent or peer (ip's "@ifN" / "@name")
  const sysIflink = (links: Side): Side => map(links, (l) => ({ name: l.name, ifindex: l.ifindex, iflink: l.linkIndex ?? l.ifindex }));
  r['iflink (with ifindex) vs ip -j link'] = disagreements(read('iflink', 'netns-node-with-ifindex.txt'), sysIflink(linksJ), (e) => String(e.name), { fields: ['ifindex', 'iflink'] });
  r['iflink vs ip -j link'] = disagreements(read('iflink', 'netns-node.txt'), sysIflink(linksJ), (e) => String(e.name), { fields: ['iflink'] });
  r['pod: iflink vs ip -j -d link'] = disagreements(read('iflink', 'netns-pod.txt'), sysIflink(podLinksJ), (e) => String(e.name), { fields: ['iflink'] });
  r['pod: bare eth0 iflink vs ip -j -d link'] = disagreements(read('iflink', 'netns-pod-eth0-bare.txt', 'eth0'), sysIflink(podLinksJ), (e) => String(e.name), { fields: ['iflink'], aSubset: true });
  // ethtool -S on a veth: peer_ifindex is the other end's ifindex
  const podEth0 = podLinksJ.entries.find((l) => l.name === 'eth0')!;
  const podStats = read('ethtool-stats', 'netns-pod-eth0.txt').entries as unknown as Entry;
  const hostStats = read('ethtool-stats', 'netns-node-veth.txt').entries as unknown as Entry;
  // nft: -j, text and -a text of one ruleset (captured by hand, fixtures/nft/README.md)
  if (existsSync(join(root, 'nft', 'netns-flannel-ipv4.json'))) {
    const nftJ = read('nft', 'netns-flannel-ipv4.json');
    const withHandles = read('nft', 'netns-flannel-ipv4-handles.txt');
    const plain = read('nft', 'netns-flannel-ipv4-text.txt');
    const chainKey = (e: Entry) => `${e.family} ${e.table ?? ''} ${e.name ?? ''} ${e.chain ?? ''}`;
    // rules are matched by handle where the text prints it (`-a`), else by position in their chain
    const nth = (s: Side): Side => {
      const seen = new Map<string, number>();
      return map(s, (e) => {
        const c = `${e.family} ${e.table} ${e.chain}`;
        seen.set(c, (seen.get(c) ?? 0) + 1);
        return { ...e, nth: seen.get(c), handle: undefined };
      });
    };
    for (const [name, text] of [['nft -a list ruleset', withHandles], ['nft list ruleset', plain]] as const) {
      for (const what of ['tables', 'chains'] as const) {
        r[`${name} vs nft -j list ruleset: ${what}`] = disagreements(
          map(part(text, what), (e) => ({ ...e, handle: e.handle ?? null })),
          map(part(nftJ, what), (e) => ({ ...e, handle: text === withHandles ? e.handle : null })),
          chainKey,
        );
      }
    }
    r['nft -a list ruleset vs -j: rules'] = disagreements(part(withHandles, 'rules'), part(nftJ, 'rules'), (e) => `${chainKey(e)} #${e.handle}`);
    r['nft list ruleset vs -j: rules'] = disagreements(nth(part(plain, 'rules')), nth(part(nftJ, 'rules')), (e) => `${chainKey(e)} ${e.nth}`);
  }
  r['pod eth0: ethtool -S peer_ifindex vs ip link @ifN'] = podStats.peerIfindex === podEth0.linkIndex ? [] : [`peer_ifindex ${podStats.peerIfindex}, ip link says @if${podEth0.linkIndex}`];
  r['host veth: ethtool -S peer_ifindex vs the pod eth0 ifindex'] = hostStats.peerIfindex === podEth0.ifindex ? [] : [`peer_ifindex ${hostStats.peerIfindex}, pod eth0 is ${podEth0.ifindex}`];
  return r;
}
