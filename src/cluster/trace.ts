// `trace <src-pod-or-ip> <dst-ip> --cluster DIR`: the whole path in one result — the source pod on its
// node, then the trace helper's walk from that node (route, flannel.1, neigh, fdb, underlay), on the
// target node's own snapshot to the destination pod's veth, and the way back. Pure.
import { trace, type TraceHop, type TraceResult } from '../analyze/trace.js';
import { UsageError } from '../errors.js';
import type { DesiredState } from '../model/lease.js';
import { cidrContains6, normalizeIPv6 } from '../model/ipv6.js';
import { cidrContains, isIPv4 } from '../model/net.js';
import type { Snapshot } from '../model/snapshot.js';
import type { PodPlace } from './kube.js';
import { nodeFacts } from '../analyze/node-facts.js';

export interface ClusterTrace extends TraceResult {
  source: { ip: string; pod?: string; node: string };
}

export function traceCluster(snapshots: Snapshot[], source: string, destination: string, desired?: DesiredState, pods: PodPlace[] = []): ClusterTrace {
  const leases = desired?.leases ?? [];
  const { ip, pod, node } = findSource(snapshots, source, leases, pods);
  const ordered = [node, ...snapshots.filter((s) => s !== node)];
  const result = trace(ordered, destination, { desired });
  const first = sourceHop(node, ip, pod);
  const hops: TraceHop[] = first ? [first, ...result.hops] : result.hops;
  return { ...result, hops, source: { ip, node: node.host, ...(pod ? { pod } : {}) } };
}

function findSource(snapshots: Snapshot[], source: string, leases: DesiredState['leases'], pods: PodPlace[]): { ip: string; pod?: string; node: Snapshot } {
  const v6 = isIPv4(source) ? undefined : normalizeIPv6(source);
  if (v6) return findSource6(snapshots, v6, leases, pods);
  if (!isIPv4(source)) {
    // `ns/name` or a name unique across namespaces: from pods.json (kube), else the snapshots' own pods
    const placed = pods.filter((p) => `${p.namespace}/${p.name}` === source || p.name === source);
    const node = placed.length === 1 ? snapshots.find((s) => s.host === placed[0].node) : undefined;
    if (placed.length === 1 && node) return { ip: placed[0].ip, pod: `${placed[0].namespace}/${placed[0].name}`, node };
    if (placed.length > 1) throw new UsageError(`${source} names ${placed.length} pods (${placed.map((p) => p.namespace).join(', ')}): give namespace/name`);
    for (const s of snapshots) {
      const p = s.pods.find((x) => x.pod === source || x.pod?.endsWith(`/${source}`));
      if (p?.ip) return { ip: p.ip, pod: p.pod, node: s };
    }
    const why = placed.length === 1 ? `its node ${placed[0].node} is not in the directory` : `no pod named ${JSON.stringify(source)} in the cluster directory`;
    throw new UsageError(why, 'give the source pod IP instead (kubectl get pod -o wide)');
  }
  // a node address, a collected pod, else the node whose pod subnet holds the IP
  const node =
    snapshots.find((s) => s.addresses.some((a) => a.local === source && a.dev !== 'lo')) ??
    snapshots.find((s) => s.pods.some((p) => p.ip === source)) ??
    snapshots.find((s) => pods.some((p) => p.ip === source && p.node === s.host)) ??
    snapshots.find((s) => {
      const subnet = nodeFacts(s, leases).subnet;
      return subnet !== undefined && cidrContains(subnet, source);
    });
  if (!node) throw new UsageError(`${source} is not on any node in the cluster directory (no node address, pod or pod subnet holds it)`);
  const place = pods.find((p) => p.ip === source && p.node === node.host);
  return { ip: source, pod: node.pods.find((p) => p.ip === source)?.pod ?? (place && `${place.namespace}/${place.name}`), node };
}

/** An IPv6 source: a node address, a collected pod's ip6, else the node whose lease's subnet6 holds it. */
function findSource6(snapshots: Snapshot[], ip: string, leases: DesiredState['leases'], pods: PodPlace[]): { ip: string; pod?: string; node: Snapshot } {
  const same = (a: string | undefined): boolean => a !== undefined && normalizeIPv6(a) === ip;
  const ownsLease = (s: Snapshot): boolean =>
    leases.some((l) => l.subnet6 !== undefined && cidrContains6(l.subnet6, ip) && (l.node === s.host || s.addresses.some((a) => same(a.local) || (l.publicIpv6 !== undefined && normalizeIPv6(a.local) === l.publicIpv6))));
  const node =
    snapshots.find((s) => s.addresses.some((a) => same(a.local) && a.dev !== 'lo')) ??
    snapshots.find((s) => s.pods.some((p) => same(p.ip6))) ??
    snapshots.find((s) => pods.some((p) => same(p.ip) && p.node === s.host)) ??
    snapshots.find(ownsLease);
  if (!node) throw new UsageError(`${ip} is not on any node in the cluster directory (no node address, pod or IPv6 pod subnet holds it)`);
  const place = pods.find((p) => same(p.ip) && p.node === node.host);
  return { ip, pod: node.pods.find((p) => same(p.ip6))?.pod ?? (place && `${place.namespace}/${place.name}`), node };
}

/** Source pod -> its node: the pod's neighbour entry on the bridge and the bridge port its MAC was learnt on. */
function sourceHop(node: Snapshot, ip: string, pod: string | undefined): TraceHop | undefined {
  // IPv6 in the snapshot may be spelled otherwise than the RFC 5952 source
  const same = (a: string): boolean => a === ip || (ip.includes(':') && normalizeIPv6(a) === ip);
  if (node.addresses.some((a) => same(a.local))) return undefined; // the node itself is the source
  const neigh = node.neigh.find((n) => same(n.dst) && n.lladdr);
  const port = neigh && node.fdb.find((f) => f.mac === neigh.lladdr && f.master !== undefined && !f.self);
  const bridge = port?.master ?? neigh?.dev ?? 'cni0';
  const who = pod ? `pod ${pod} (${ip})` : `pod ${ip}`;
  const detail = neigh
    ? `${who}, MAC ${neigh.lladdr}, enters ${bridge}${port ? ` via port ${port.dev}` : ''} on ${node.host}`
    : `${who} is in ${node.host}'s pod subnet (no neighbour entry for it on ${node.host} yet: the pod has not talked through the node recently)`;
  return { step: 'source', node: node.host, device: port?.dev ?? bridge, detail, ok: true };
}
