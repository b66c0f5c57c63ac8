// The local leg of a trace: pod bridge (cni0 / docker0) -> neigh for the pod IP -> MAC -> bridge fdb port
// -> host veth -> pod (netns, iflink); and calico-style `/32 dev caliXXXX` routes straight to the veth.
import type { Link, PodNetns, Route } from '../model/index.js';
import { cidrContains6 } from '../model/ipv6.js';
import { cidrContains } from '../model/net.js';
import { formatRoute } from './route-lookup.js';
import { isKnownDown } from './link-state.js';
import { absenceProves, masterOf, needsBridge, podsComplete, podPeerIfindex, type NodeIndex } from './trace-index.js';
import { cacheName, podBridge } from './trace-overlay.js';
import { collected, PASTE, partial } from './collected.js';
import { hop, type Problem, type TraceHop, unverifiedHop, type WalkResult } from './trace-types.js';

export function bridgeWalk(node: NodeIndex, dst: string, route: Route, reason: string): WalkResult {
  const bridge = route.dev!;
  const hops: TraceHop[] = [hop('route', node, bridge, `${formatRoute(route)} (${reason})`)];
  const link = node.links.get(bridge);
  const brProblems: Problem[] = [];
  if (link && isKnownDown(link)) brProblems.push({ code: 'BRIDGE_DOWN', text: `${bridge} is down` });
  const v6 = dst.includes(':');
  const gwAddr = node.snap.addresses.find((a) => a.dev === bridge && (v6 ? a.family === 'inet6' && cidrContains6(`${a.local}/${a.prefixlen}`, dst) : a.family === 'inet' && cidrContains(`${a.local}/${a.prefixlen}`, dst)));
  // FLANNEL_SUBNET is the IPv4 lease: the IPv6 gateway is not compared with it
  const envSubnet = v6 ? undefined : node.snap.subnetEnv?.subnet;
  if (envSubnet && podBridge(node) === bridge && gwAddr && envSubnet !== `${gwAddr.local}/${gwAddr.prefixlen}`) {
    brProblems.push({ code: 'BRIDGE_SUBNET_MISMATCH', text: `${bridge} has ${gwAddr.local}/${gwAddr.prefixlen}, FLANNEL_SUBNET is ${envSubnet}` });
  }
  const brDetail = [`bridge ${bridge}`, gwAddr ? `gateway ${gwAddr.local}/${gwAddr.prefixlen}` : '', link?.mtu ? `mtu ${link.mtu}` : ''].filter(Boolean).join(' ');
  // whether the bridge is up is only in the link list
  const brHop =
    !link && brProblems.length === 0 && !absenceProves(node) ? unverifiedHop('bridge', node, bridge, brDetail, `${bridge} is not in the link list given: paste \`${PASTE.links} ${bridge}\``) : hop('bridge', node, bridge, brDetail, brProblems);
  hops.push(brHop);

  // neigh: pod IP -> pod MAC on the bridge; absent just means no recent traffic
  const pod = node.podsByIp.get(dst);
  const n = node.neigh.get(`${bridge} ${dst}`);
  const neighProblems: Problem[] = [];
  if (n?.state.includes('FAILED')) neighProblems.push({ code: 'NEIGH_FAILED', text: 'the pod did not answer ARP: pod gone, or its veth is not on the bridge' });
  else if (n?.state.includes('INCOMPLETE')) neighProblems.push({ code: 'NEIGH_INCOMPLETE', text: 'ARP for the pod is unanswered' });
  const mac = n?.lladdr ?? pod?.mac;
  // the pod's neighbour is resolved on demand and a learned fdb entry ages out: an absent one is no fault, and
  // without the table there is nothing to judge, so no hop, only a note on the bridge hop (README, trace)
  const note = (text: string): void => void (brHop.detail += `; ${text}`);
  if (n || (collected(node.snap, 'neigh') && !partial(node.snap, 'neigh', bridge))) {
    hops.push(hop('neigh', node, bridge, n ? `${dst} -> ${n.lladdr ?? '?'} ${n.state.join(',')}`.trim() : `${dst} not in the ${cacheName(dst)}${pod?.mac ? `; pod MAC ${pod.mac}` : ''}`, neighProblems));
  } else note(`neighbour ${dst} not checked, not in the data given (\`${PASTE.neigh} dev ${bridge}\` shows it)${pod?.mac ? `; pod MAC ${pod.mac}` : ''}`);

  // fdb: the learned entry says which bridge port the MAC sits behind
  const port = mac ? (node.fdb.get(mac) ?? []).find((f) => !f.self && (f.master === bridge || masterOf(node, f.dev) === bridge) && f.dev !== bridge) : undefined;
  if (port || (collected(node.snap, 'fdb') && !partial(node.snap, 'fdb', bridge))) {
    hops.push(hop('fdb', node, bridge, port ? `${mac} -> port ${port.dev}${port.state ? ` ${port.state}` : ''}` : `${mac ?? '?'} not in ${bridge}'s fdb (learned entries age out after 300 s)`));
  } else note(`${bridge}'s fdb not in the data given (\`${PASTE.fdb} br ${bridge}\` shows the port behind ${mac ?? 'the pod\'s MAC'})`);

  // veth: from the fdb port, else from the pod's eth0 iflink
  const peer = pod ? podPeerIfindex(pod) : undefined;
  const veth = port ? node.links.get(port.dev) : peer !== undefined ? node.linksByIfindex.get(peer) : undefined;
  hops.push(vethHop(node, veth, bridge, pod, n !== undefined && neighProblems.length > 0));
  if (veth || pod) hops.push(podHop(node, veth, pod));
  return { backend: 'local', podTraffic: true, via: bridge, hops, hostVeth: veth?.name ?? port?.dev };
}

function vethHop(node: NodeIndex, veth: Link | undefined, bridge: string, pod: PodNetns | undefined, arpFailed: boolean): TraceHop {
  if (!veth) {
    // a veth that lost its master is the usual reason a pod vanishes from the bridge
    const orphans = node.snap.links.filter((l) => l.kind === 'veth' && !masterOf(node, l.name) && needsBridge(node, l.name));
    if (orphans.length) return hop('veth', node, orphans.map((l) => l.name).join(','), '', [{ code: 'VETH_NO_MASTER', text: `${orphans.map((l) => l.name).join(', ')} ${orphans.length > 1 ? 'have' : 'has'} no master: not on ${bridge} (\`ip link set <veth> master ${bridge}\`)` }]);
    // a pod whose host veth is not in a link list that cannot prove absence (not read, or a ticket's paste)
    const peer = pod ? podPeerIfindex(pod) : undefined;
    if (pod && peer !== undefined && !arpFailed && !absenceProves(node)) return unverifiedHop('veth', node, '?', `pod eth0 iflink ${peer}`, `the host veth (ifindex ${peer}) is not in the link list given: paste \`${PASTE.links}\``);
    // only a pod list read from the pods' namespaces is complete enough to say the pod is not there
    if (pod || arpFailed || podsComplete(node)) return hop('veth', node, '?', '', [{ code: 'POD_NOT_FOUND', text: `no host veth on ${bridge} leads to this IP` }]);
    return unverifiedHop('veth', node, '?', '', `no fdb entry or pod data maps the pod's MAC to a bridge port: paste \`${PASTE.fdb} br ${bridge}\` and \`${PASTE.links}\``);
  }
  const problems: Problem[] = [];
  const master = masterOf(node, veth.name);
  if (!master) problems.push({ code: 'VETH_NO_MASTER', text: `${veth.name} has no master: not on ${bridge} (\`ip link set ${veth.name} master ${bridge}\`)` });
  else if (master !== bridge) problems.push({ code: 'VETH_WRONG_MASTER', text: `${veth.name} is on ${master}, not ${bridge}` });
  if (isKnownDown(veth)) problems.push({ code: 'VETH_DOWN', text: `${veth.name} is down` });
  const br = node.links.get(bridge);
  if (veth.mtu && br?.mtu && veth.mtu !== br.mtu) problems.push({ code: 'MTU_MISMATCH', text: `${veth.name} mtu ${veth.mtu} ≠ ${bridge} mtu ${br.mtu}` });
  return hop('veth', node, veth.name, `ifindex ${veth.ifindex}${master ? ` master ${master}` : ''}${veth.mtu ? ` mtu ${veth.mtu}` : ''}`, problems);
}

function podHop(node: NodeIndex, veth: Link | undefined, pod: PodNetns | undefined): TraceHop {
  const problems: Problem[] = [];
  const peer = pod ? podPeerIfindex(pod) : undefined;
  const envMtu = node.snap.subnetEnv?.mtu;
  if (pod?.mtu && envMtu && pod.mtu > envMtu) problems.push({ code: 'MTU_MISMATCH', text: `the pod's eth0 mtu ${pod.mtu} > FLANNEL_MTU ${envMtu}: recreate the pod after an MTU change` });
  if (veth && peer !== undefined && peer !== veth.ifindex) problems.push({ code: 'POD_IFLINK_MISMATCH', text: `the pod's eth0 iflink is ${peer}, ${veth.name} is ifindex ${veth.ifindex}` });
  const netns = pod?.netns ?? veth?.linkNetns;
  const parts = [pod?.pod ? `pod ${pod.pod}` : '', netns ? `netns ${netns}` : veth?.linkNetnsid !== undefined ? `link-netnsid ${veth.linkNetnsid}` : '', peer !== undefined ? `eth0 iflink ${peer}` : veth?.linkIndex !== undefined ? `peer ifindex ${veth.linkIndex}` : '', pod?.mtu ? `mtu ${pod.mtu}` : ''];
  const detail = parts.filter(Boolean).join(' ') || 'pod not identified';
  // the iflink is checked against the host veth: without it, unverified
  if (!veth && peer !== undefined && problems.length === 0) return unverifiedHop('pod', node, pod?.ifname ?? 'eth0', detail, `whether eth0's iflink ${peer} is its host veth: the link list given does not show it: paste \`${PASTE.links}\``);
  return hop('pod', node, pod?.ifname ?? 'eth0', detail, problems);
}

/** calico-style `10.244.169.65 dev calid5e76ad523e scope link`: the route names the host veth itself. */
export function vethRouteWalk(node: NodeIndex, dst: string, route: Route, reason: string): WalkResult {
  const dev = route.dev!;
  const hops = [hop('route', node, dev, `${formatRoute(route)} (${reason})`)];
  const veth = node.links.get(dev);
  const pod = node.podsByIp.get(dst) ?? (veth ? node.podsByHostIfindex.get(veth.ifindex) : undefined);
  const problems: Problem[] = [];
  if (!veth && absenceProves(node)) problems.push({ code: 'VETH_MISSING', text: `${dev} does not exist: the pod is gone, the route is stale` });
  if (veth && isKnownDown(veth)) problems.push({ code: 'VETH_DOWN', text: `${dev} is down` });
  if (veth || problems.length) hops.push(hop('veth', node, dev, veth ? `ifindex ${veth.ifindex}${veth.mtu ? ` mtu ${veth.mtu}` : ''}` : '', problems));
  else hops.push(unverifiedHop('veth', node, dev, '', `${dev} is not in the link list given: paste \`${PASTE.links} ${dev}\``));
  if (veth || pod) hops.push(podHop(node, veth, pod));
  return { backend: 'local', podTraffic: true, via: dev, hops, hostVeth: dev };
}
