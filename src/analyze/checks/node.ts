// This node's own pieces (C-cni0, C-env of reference §7): the pod bridge, its veths and pods, subnet.env,
// and the desired state's own problems.
import { normalizeSubnet } from '../../leases/lease.js';
import type { Finding } from '../../model/finding.js';
import type { Address } from '../../model/address.js';
import { cidrContains6, normalizeIPv6, normalizeSubnet6 } from '../../model/ipv6.js';
import { hasV4, leaseName } from '../../model/lease.js';
import type { Link } from '../../model/link.js';
import { absenceProves, collected, nodeAddressesShown, PASTE } from '../collected.js';
import { type CheckContext, envSubnet, notApplicableV4 } from './context.js';
import { v6DeviceName } from '../peer-state.js';
import { addrLine, leaseLine, linkLine } from './evidence.js';
import { type Check, finding } from './finding.js';

/** The pod bridge: cni0, else a bridge carrying FLANNEL_SUBNET's gateway (docker0 in older setups, seed 003). */
export function podBridge(ctx: CheckContext): Link | undefined {
  const cni0 = ctx.links.get('cni0');
  if (cni0) return cni0;
  const gw = ctx.subnetEnv?.subnet?.split('/')[0];
  for (const l of ctx.links.values()) if (l.kind === 'bridge' && (ctx.addrsByDev.get(l.name) ?? []).some((a) => a.local === gw)) return l;
  return undefined;
}

const ENV_MISSING = 'subnet.env was not in the data given: give --subnet-env FILE (`cat /run/flannel/subnet.env`)';

export const bridgeAddressCheck: Check = {
  name: 'pod bridge address',
  run(ctx) {
    if (ctx.v6Only) return { skipped: notApplicableV4(ctx.v6Only) };
    const env = ctx.subnetEnv?.subnet;
    if (!env) return { findings: [], unverified: [ENV_MISSING] };
    // an invalid FLANNEL_SUBNET is SUBNET_ENV_INVALID; the bridge cannot be compared with it
    if (!envSubnet(ctx.subnetEnv)) return { skipped: 'FLANNEL_SUBNET is not a CIDR' };
    const br = podBridge(ctx);
    // no bridge yet is healthy (the bridge plugin creates it with the first pod), when the tables could show one
    if (!br) return collected(ctx.snapshot, 'links') && collected(ctx.snapshot, 'addresses') ? [] : { findings: [], unverified: [`the pod bridge (cni0) was not in the data given: paste \`${PASTE.addresses} dev cni0\``] };
    const v4 = (ctx.addrsByDev.get(br.name) ?? []).filter((a) => a.family === 'inet');
    if (v4.length === 0 && !collected(ctx.snapshot, 'addresses')) return { findings: [], unverified: [`${br.name}'s address was not in the data given: paste \`${PASTE.addresses} dev ${br.name}\``] };
    if (v4.length === 0 || v4.some((a) => `${a.local}/${a.prefixlen}` === env)) return [];
    return [
      finding(ctx, 'BRIDGE_SUBNET_MISMATCH', `${br.name} has ${v4.map((a) => `${a.local}/${a.prefixlen}`).join(', ')}, FLANNEL_SUBNET is ${env}: new pods fail with "${br.name}" already has an IP address different from ${env} (flannel #1850)`, [...v4.map(addrLine), `subnet.env: FLANNEL_SUBNET=${env}`], `drain the node, then: ip link set ${br.name} down && ip link del ${br.name} (the bridge plugin recreates it; existing pods lose network)`),
    ];
  },
};

/**
 * cni0's IPv6 gateway against FLANNEL_IPV6_SUBNET, as the bridge plugin's ensureAddr judges it: an IPv6 bridge may
 * hold several addresses, and only one whose prefix overlaps the wanted one (and is not it) fails every new pod.
 */
export const bridgeAddress6Check: Check = {
  name: 'pod bridge IPv6 address',
  run(ctx) {
    const env = ctx.subnetEnv?.ipv6Subnet;
    // a v4-only node: nothing to check; a dual-stack lease without subnet.env: the wanted address is not known
    if (!env) return ctx.leases?.local?.subnet6 ? { findings: [], unverified: [ctx.subnetEnv ? 'FLANNEL_IPV6_SUBNET was not in the subnet.env given: paste `cat /run/flannel/subnet.env`' : ENV_MISSING] } : [];
    const [ip, len] = env.split('/');
    const gw = normalizeIPv6(ip ?? '');
    const net = normalizeSubnet6(env);
    if (!gw || !net) return { skipped: 'FLANNEL_IPV6_SUBNET is not an IPv6 prefix' };
    const want = `${gw}/${len}`;
    const br = podBridge(ctx);
    if (!br) return collected(ctx.snapshot, 'links') && collected(ctx.snapshot, 'addresses') ? [] : { findings: [], unverified: [`the pod bridge (cni0) was not in the data given: paste \`${PASTE.addresses} dev cni0\``] };
    const v6 = (ctx.addrsByDev.get(br.name) ?? []).filter((a) => a.family === 'inet6' && !a.local.toLowerCase().startsWith('fe80:'));
    if (v6.length === 0 && !collected(ctx.snapshot, 'addresses')) return { findings: [], unverified: [`${br.name}'s IPv6 address was not in the data given: paste \`${PASTE.addresses} dev ${br.name}\``] };
    const text = (a: Address): string => `${normalizeIPv6(a.local) ?? a.local}/${a.prefixlen}`;
    if (v6.some((a) => text(a) === want)) return [];
    const clash = v6.filter((a) => cidrContains6(`${a.local}/${a.prefixlen}`, gw) || cidrContains6(net, a.local));
    if (!clash.length) return [];
    return [
      finding(ctx, 'BRIDGE_SUBNET_MISMATCH', `${br.name} has ${clash.map(text).join(', ')}, FLANNEL_IPV6_SUBNET is ${want}: new pods fail with "${br.name}" already has an IP address different from ${want}`, [...clash.map(addrLine), `subnet.env: FLANNEL_IPV6_SUBNET=${env}`], `drain the node, then: ip link set ${br.name} down && ip link del ${br.name} (the bridge plugin recreates it; existing pods lose network)`),
    ];
  },
};

export const vethCheck: Check = {
  name: 'pod veths',
  run(ctx) {
    const pods = ctx.snapshot.pods;
    const br = podBridge(ctx);
    if (pods.length === 0) {
      // veths on the bridge are pods' host ends: the pods themselves were not read
      const ports = br ? [...ctx.links.values()].filter((l) => l.kind === 'veth' && l.master === br.name) : [];
      if (ports.length === 0) return { skipped: 'no pod namespaces in the snapshot' };
      return { findings: [], unverified: [`the pods behind ${ports.map((l) => l.name).join(', ')} were not in the data given: paste \`ip -n <pod netns> link show eth0\` for each`] };
    }
    const out: Finding[] = [];
    const unverified = new Set<string>();
    const podByIflink = new Map<number, string>();
    for (const p of pods) if (p.iflink !== undefined) podByIflink.set(p.iflink, p.pod ?? p.netns ?? '?');
    if (br) {
      for (const l of ctx.links.values()) {
        if (l.kind !== 'veth' || l.master !== br.name || podByIflink.has(l.ifindex)) continue;
        out.push(finding(ctx, 'VETH_NO_POD', `${l.name} is on ${br.name} but no pod's eth0 is its peer (leaked by a CNI DEL that never ran?)`, [linkLine(l)], `check it is unused, then: ip link del ${l.name}`));
      }
    }
    for (const p of pods) {
      if (p.iflink === undefined) continue;
      const veth = ctx.linksByIndex.get(p.iflink);
      const who = p.pod ?? p.netns ?? '?';
      // a link list that cannot prove absence (not read, or a ticket's paste) leaves the pod's veth unverified
      if (!veth && !absenceProves(ctx.snapshot)) unverified.add(`the host veths of the pods were not in the data given: paste \`${PASTE.links}\``);
      else if (!veth) out.push(finding(ctx, 'POD_VETH_MISSING', `pod ${who}: its eth0 peer (ifindex ${p.iflink}) does not exist on the host`, [`pod ${who}: eth0 iflink ${p.iflink}`]));
      else if (!veth.master) out.push(finding(ctx, 'VETH_NO_MASTER', `pod ${who}: host veth ${veth.name} has no master: not on ${br?.name ?? 'the pod bridge'}`, [`pod ${who}: eth0 iflink ${p.iflink}`, linkLine(veth)], br ? `ip link set ${veth.name} master ${br.name}` : undefined));
    }
    return { findings: out, unverified: [...unverified] };
  },
};

export const subnetEnvCheck: Check = {
  name: 'subnet.env',
  run(ctx) {
    const env = ctx.subnetEnv;
    const kind = ctx.snapshot.source.kind;
    if (!env) {
      // a namespace or a ticket's directory has no /run/flannel of its own
      if (kind === 'netns' || kind === 'dir') return { findings: [], unverified: [ENV_MISSING] };
      return [finding(ctx, 'SUBNET_ENV_MISSING', 'subnet.env is missing: flanneld never got that far, and the flannel CNI plugin fails every new pod (loadFlannelSubnetEnv failed)', ['cat /run/flannel/subnet.env: No such file or directory'], 'fix flanneld (see its logs); do not write subnet.env by hand')];
    }
    const out: Finding[] = [];
    const line = (k: string): string => `subnet.env: ${k}=${env.vars[k] ?? '(absent)'}`;
    const sub = envSubnet(env);
    const own = ctx.leases?.local;
    // an IPv6-only node's subnet.env has no FLANNEL_SUBNET (flanneld writes it only with EnableIPv4)
    if (ctx.v6Only) {
      const sub6 = env.ipv6Subnet ? normalizeSubnet6(env.ipv6Subnet) : undefined;
      if (!sub6) out.push(finding(ctx, 'SUBNET_ENV_INVALID', 'FLANNEL_IPV6_SUBNET is missing or not a CIDR on an IPv6-only node', [line('FLANNEL_IPV6_SUBNET')]));
      else if (own?.subnet6 && own.subnet6 !== sub6) out.push(finding(ctx, 'SUBNET_ENV_LEASE_MISMATCH', `FLANNEL_IPV6_SUBNET ${env.ipv6Subnet} is not in this node's lease ${own.subnet6}: new pods get addresses no peer routes here`, [line('FLANNEL_IPV6_SUBNET'), leaseLine(own)], 'restart flanneld (it rewrites subnet.env), then recreate pods on this node'));
    } else if (!sub) out.push(finding(ctx, 'SUBNET_ENV_INVALID', 'FLANNEL_SUBNET is missing or not a CIDR', [line('FLANNEL_SUBNET')]));
    else if (own?.subnet !== undefined && own.subnet !== sub) out.push(finding(ctx, 'SUBNET_ENV_LEASE_MISMATCH', `FLANNEL_SUBNET ${env.subnet} is not in this node's lease ${own.subnet}: new pods get addresses no peer routes here`, [line('FLANNEL_SUBNET'), leaseLine(own)], 'restart flanneld (it rewrites subnet.env), then recreate pods on this node'));
    const confNet = ctx.netConf?.Network ? normalizeSubnet(ctx.netConf.Network) : undefined;
    if (confNet && env.network && normalizeSubnet(env.network) !== confNet) out.push(finding(ctx, 'SUBNET_ENV_NETWORK_MISMATCH', `FLANNEL_NETWORK ${env.network} is not the configured Network ${confNet}`, [line('FLANNEL_NETWORK')], 'restart flanneld'));
    const dev = ctx.v6Only ? ctx.links.get(v6DeviceName(ctx)) : ctx.vxlan;
    if (ctx.backend === 'vxlan' && dev?.mtu !== undefined && env.mtu !== undefined && env.mtu !== dev.mtu) {
      out.push(finding(ctx, 'SUBNET_ENV_MTU_MISMATCH', `FLANNEL_MTU ${env.mtu} ≠ ${dev.name} mtu ${dev.mtu}: pods get the wrong MTU (large transfers hang)`, [line('FLANNEL_MTU'), linkLine(dev)], 'restart flanneld, then recreate pods'));
    }
    return out;
  },
};

export const leaseProblemsCheck: Check = {
  name: 'desired state',
  run(ctx) {
    if (!ctx.desired || !ctx.leases) return { skipped: 'no desired state (give --nodes, --kube or --etcd)' };
    const out: Finding[] = ctx.desired.problems.map((p) => {
      const f = finding(ctx, p.code, p.summary, p.evidence.split('\n'));
      if (p.node) f.node = p.node;
      return f;
    });
    for (const r of ctx.leases.refused) {
      // a refused lease is not programmed: an error, like a missing peer
      const what = r.family === 'v6' && hasV4(r.lease) ? 'IPv6 half of the lease' : 'lease';
      const evidence = r.family === 'v6' ? `subnet6 ${r.lease.subnet6} public-ipv6 ${r.lease.publicIpv6 ?? '?'}` : `subnet ${r.lease.subnet} public-ip ${r.lease.publicIp}`;
      const f = finding(ctx, r.code, `${what} of ${leaseName(r.lease)} refused on this node: ${r.reason}`, [`${r.lease.node ?? '?'} ${evidence}`], undefined, 'error');
      if (r.lease.node) f.node = r.lease.node;
      out.push(f);
    }
    if (ctx.leases.local) return out;
    if (ctx.desired.incomplete) return { findings: out, unverified: [`which lease is this node's own: the desired state given is ${ctx.desired.incomplete}`] };
    // without the node's addresses no lease is shown not to be its own
    if (!nodeAddressesShown(ctx.snapshot)) return { findings: out, unverified: [`which lease is this node's own: its addresses were not in the data given: paste \`${PASTE.addresses}\` (or name the node with --node)`] };
    out.push(finding(ctx, 'LOCAL_LEASE_NOT_FOUND', `no lease belongs to this node (${ctx.leases.how}); every lease is treated as a peer — name it with --node`, [`addresses: ${ctx.snapshot.addresses.filter((a) => a.family === 'inet').map((a) => a.local).join(' ') || 'none'}`]));
    return out;
  },
};
