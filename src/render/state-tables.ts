// `flanctl show <what>`: one table per kind of node state, with the columns people grep for.
import type { Link, Snapshot } from '../model/index.js';
import { fitText, type View } from './layout.js';
import { renderTable } from './table.js';

export const SHOW_SUBJECTS = ['links', 'addresses', 'routes', 'neigh', 'fdb', 'bridges', 'iptables', 'nft', 'pods', 'subnet-env'] as const;
export type ShowSubject = (typeof SHOW_SUBJECTS)[number];

/** The items `show --json` prints for a subject: the snapshot's own records. */
export function showItems(s: Snapshot, subject: ShowSubject): unknown[] {
  switch (subject) {
    case 'links':
      return s.links;
    case 'addresses':
      return s.addresses;
    case 'subnet-env':
      return s.subnetEnv ? [s.subnetEnv] : [];
    case 'routes':
      return s.routes;
    case 'neigh':
      return s.neigh;
    case 'fdb':
      return s.fdb;
    case 'bridges':
      return s.bridges;
    case 'iptables':
      return s.iptables?.tables ?? [];
    case 'nft':
      // each chain with its rules, in nft's order
      return (s.nft?.chains ?? []).map((c) => ({ ...c, rules: s.nft!.rules.filter((r) => r.family === c.family && r.table === c.table && r.chain === c.name).map((r) => r.text) }));
    case 'pods':
      return s.pods;
  }
}

/** What `ip -d link` says about a link beyond the common columns. */
export function linkDetails(l: Link): string {
  const parts: string[] = [];
  if (l.kind === 'vxlan') {
    if (l.vni !== undefined) parts.push(`id ${l.vni}`);
    if (l.local) parts.push(`local ${l.local}`);
    if (l.remote) parts.push(`remote ${l.remote}`);
    if (l.dev) parts.push(`dev ${l.dev}`);
    if (l.port !== undefined) parts.push(`dstport ${l.port}`);
    if (l.learning !== undefined) parts.push(l.learning ? 'learning' : 'nolearning');
  } else if (l.kind === 'ipip') {
    if (l.local) parts.push(`local ${l.local}`);
    if (l.remote) parts.push(`remote ${l.remote}`);
  } else if (l.kind === 'bridge') {
    if (l.stp !== undefined) parts.push(`stp ${l.stp ? 'on' : 'off'}`);
  } else if (l.kind === 'other' && l.infoKind) {
    parts.push(l.infoKind);
  }
  if (l.linkIndex !== undefined && l.linkIndex !== l.ifindex) parts.push(`@if${l.linkIndex}`);
  else if (l.linkName) parts.push(`@${l.linkName}`);
  if (l.linkNetns) parts.push(`link-netns ${l.linkNetns}`);
  else if (l.linkNetnsid !== undefined) parts.push(`link-netnsid ${l.linkNetnsid}`);
  return parts.join(' ');
}

// the collect step whose output each subject comes from
const STEP_OF: Record<ShowSubject, string> = {
  links: 'ip-link',
  addresses: 'ip-addr',
  'subnet-env': 'subnet-env',
  routes: 'ip-route',
  neigh: 'ip-neigh',
  fdb: 'bridge-fdb',
  bridges: 'brctl-show',
  iptables: 'iptables-save',
  nft: 'nft',
  pods: 'netns-list-id',
};

/** Why a subject has nothing to show: not in this source, or its step failed. */
function emptyReason(s: Snapshot, subject: ShowSubject): string {
  const step = s.commands.find((c) => c.name === STEP_OF[subject]);
  if (!step) return s.source.kind === 'dir' ? 'its output is not in the directory' : 'not collected';
  return step.ok ? 'the output lists none' : `${step.name} failed: ${step.error ?? 'unknown error'}`;
}

export function renderShow(s: Snapshot, subject: ShowSubject, view: View = {}): string {
  return fitText(showTable(s, subject, view), view.width);
}

function showTable(s: Snapshot, subject: ShowSubject, view: View): string {
  if (showItems(s, subject).length === 0) return `no ${subject} on ${s.host} (${emptyReason(s, subject)})`;
  switch (subject) {
    case 'links':
      return renderTable(
        ['ifindex', 'name', 'kind', 'mtu', 'state', 'mac', 'master', 'details'],
        s.links.map((l) => [l.ifindex || undefined, l.name, l.kind, l.mtu, l.operstate, l.mac, l.master, linkDetails(l)]),
        view,
      );
    case 'addresses':
      return renderTable(
        ['dev', 'family', 'address', 'scope', 'broadcast'],
        s.addresses.map((a) => [a.dev, a.family, `${a.local}/${a.prefixlen}`, a.scope, a.broadcast]),
        view,
      );
    case 'subnet-env':
      return renderTable(['variable', 'value'], Object.entries(s.subnetEnv?.vars ?? {}),
        view,
      );
    case 'routes':
      return renderTable(
        ['dst', 'gateway', 'dev', 'flags', 'metric', 'proto', 'scope', 'src'],
        s.routes.map((r) => [
          r.type === 'unicast' ? r.dst : `${r.type} ${r.dst}`,
          // route without -n names the gateway (`vms106.liruilon`); a pasted one may be redacted (`10.xx.xx.1`)
          r.gateway ?? (r.gatewayHost as string | undefined) ?? (r.gatewayRedacted === undefined ? undefined : `${String(r.gatewayRedacted)} (redacted)`),
          r.dev,
          [...(typeof r.routeFlags === 'string' ? [r.routeFlags] : []), ...(r.onlink ? [r.onlinkInferred ? 'onlink (inferred)' : 'onlink'] : []), ...r.flags].join(','),
          r.metric,
          r.proto,
          r.scope,
          r.src,
        ]),
        view,
      );
    case 'neigh':
      return renderTable(
        ['dst', 'lladdr', 'dev', 'state'],
        s.neigh.map((n) => [n.dst, n.lladdr, n.dev, [...n.state, ...(n.router ? ['router'] : []), ...(n.proxy ? ['proxy'] : [])].join(',')]),
        view,
      );
    case 'fdb':
      return renderTable(
        ['mac', 'dev', 'dst', 'master', 'vlan', 'flags'],
        s.fdb.map((f) => [f.mac, f.dev, f.dst, f.master, f.vlan, [...new Set([...(f.self ? ['self'] : []), ...f.flags, ...(f.state ? [f.state] : [])])].join(',')]),
        view,
      );
    case 'bridges':
      return renderTable(
        ['name', 'bridge id', 'stp', 'ports', 'interfaces'],
        s.bridges.map((b) => [b.name, b.bridgeId, b.stp === undefined ? undefined : b.stp ? 'yes' : 'no', b.interfaces.length, b.interfaces.join(' ')]),
        view,
      );
    case 'iptables':
      return renderTable(
        ['table', 'chain', 'policy / target', 'rule'],
        (s.iptables?.tables ?? []).flatMap((t) => [
          ...t.chains.map((c) => [t.name, c.name, c.policy, '']),
          ...t.rules.map((r) => [t.name, r.chain, r.target, r.spec]),
        ]),
        view,
      );
    case 'nft':
      return renderTable(
        ['family', 'table', 'chain', 'hook / rule'],
        (s.nft?.chains ?? []).flatMap((c) => [
          [c.family, c.table, c.name, c.hook ? `type ${c.type} hook ${c.hook} priority ${c.prio}; policy ${c.policy ?? 'accept'}` : ''],
          ...s.nft!.rules.filter((r) => r.family === c.family && r.table === c.table && r.chain === c.name).map((r) => ['', '', '', r.text]),
        ]),
        view,
      );
    case 'pods':
      return renderTable(
        ['pod', 'netns', 'ifname', 'ip', 'mac', 'mtu', 'iflink', 'host veth', 'bridge'],
        s.pods.map((p) => {
          const veth = p.iflink === undefined ? undefined : s.links.find((l) => l.ifindex === p.iflink && l.kind !== 'loopback');
          return [p.pod, p.netns, p.ifname, p.ip, p.mac, p.mtu, p.iflink, veth?.name, veth?.master];
        }),
        view,
      );
  }
}

/** Every node's table, under a `== host ==` line when there are several. */
export function renderShowNodes(snapshots: Snapshot[], subject: ShowSubject, view: View = {}): string {
  if (snapshots.length === 1) return renderShow(snapshots[0], subject, view);
  return snapshots.map((s) => `== ${s.host} ==\n${renderShow(s, subject, view)}`).join('\n');
}
