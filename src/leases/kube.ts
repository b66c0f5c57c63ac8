// Leases from Kubernetes Node objects (`kubectl get nodes -o json`): flannel's kube subnet manager keeps them
// in annotations (reference §3.1) and the subnet in spec.podCIDR(s).
import { jsonDepth, MAX_JSON_DEPTH } from '../collect/input.js';
import * as z from '../model/zod.js';
import { safeParse } from '../model/fast-parse.js';
import { ParseError } from '../errors.js';
import type { DesiredState, Lease } from '../model/lease.js';
import { NetConf } from '../model/lease-schema.js';
import { normalizeIPv6 } from '../model/ipv6.js';
import { isIPv4 } from '../model/net.js';
import { readV6 } from './lease6.js';
import { backendTypeOf, finishDesired, normalizeSubnet, readBackendData, type Problem } from './lease.js';

export const ANNOTATION_PREFIX = 'flannel.alpha.coreos.com';

const KubeNode = z.looseObject({
  kind: z.optional(z.string()),
  metadata: z.looseObject({ name: z.string(), annotations: z.nullish(z.record(z.string(), z.string())) }),
  spec: z.nullish(z.looseObject({ podCIDR: z.nullish(z.string()), podCIDRs: z.nullish(z.array(z.string())) })),
  status: z.nullish(z.looseObject({ addresses: z.nullish(z.array(z.looseObject({ type: z.string(), address: z.string() }))) })),
});
type KubeNode = z.infer<typeof KubeNode>;

const KubeNodeList = z.looseObject({ items: z.array(z.unknown()) });

const COMMAND = 'kubectl get nodes -o json';
const ONE_NODE = 'one Node object, not `kubectl get nodes`';

/**
 * `kubectl get nodes -o json` (a List, or one Node from `kubectl get node X -o json`: marked incomplete) -> leases.
 * A List is taken as the whole cluster: whether kubectl was given a selector is not in its output. Pure.
 */
export function parseNodesJson(text: string, source = 'nodes-file'): DesiredState {
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw new ParseError(COMMAND, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ParseError(COMMAND, `not JSON (${(e as Error).message})`);
  }
  let rawItems: unknown[];
  const list = KubeNodeList.safeParse(doc);
  if (list.success) rawItems = list.data.items;
  else if (KubeNode.safeParse(doc).success) rawItems = [doc];
  else throw new ParseError(COMMAND, 'expected a List of Node objects (`items`) or one Node');
  // `kubectl get node NAME` prints the Node, not a List: the other nodes' leases are not in it
  const incomplete = list.success ? undefined : ONE_NODE;

  const leases: Lease[] = [];
  const problems: Problem[] = [];
  rawItems.forEach((raw, i) => {
    // fast-parse: zod's answer, without zod's generic walk of 5,000 Node objects (≈ 0.1 s)
    const node = safeParse(KubeNode, raw);
    if (!node.success || (node.data.kind !== undefined && node.data.kind !== 'Node')) {
      problems.push({ code: 'LEASE_NOT_A_NODE', summary: `item ${i} is not a Node object`, evidence: JSON.stringify(raw).slice(0, 200) });
      return;
    }
    const result = nodeLease(node.data, source);
    if (result.problem) problems.push(result.problem);
    if (result.extra) problems.push(result.extra);
    if (result.v6) problems.push(...result.v6);
    if (result.lease) leases.push(result.lease);
  });
  const state = finishDesired(leases, problems);
  return incomplete ? { ...state, incomplete } : state;
}

function nodeLease(node: KubeNode, source: string): { lease?: Lease; problem?: Problem; extra?: Problem; v6?: Problem[] } {
  const name = node.metadata.name;
  const ann = node.metadata.annotations ?? {};
  const get = (key: string): string | undefined => ann[`${ANNOTATION_PREFIX}/${key}`];
  const evidenceOf = (key: string): string => `${name}: ${ANNOTATION_PREFIX}/${key}: ${get(key) ?? '(absent)'}`;

  const backendType = backendTypeOf(get('backend-type'));
  if (!backendType) {
    return { problem: { code: 'LEASE_NOT_FLANNEL', node: name, summary: `${name}: no ${ANNOTATION_PREFIX}/backend-type annotation; not a flannel node, ignored`, evidence: evidenceOf('backend-type') } };
  }
  // flanneld's peers ignore nodes it did not annotate itself (handleAddLeaseEvent)
  if (get('kube-subnet-manager') !== 'true') {
    return { problem: { code: 'LEASE_NOT_KUBE_SUBNET_MANAGER', node: name, summary: `${name}: no ${ANNOTATION_PREFIX}/kube-subnet-manager: "true"; flannel's peers ignore this node`, evidence: evidenceOf('kube-subnet-manager') } };
  }
  const cidrs = [node.spec?.podCIDR, ...(node.spec?.podCIDRs ?? [])].filter((c): c is string => !!c);
  const subnet = cidrs.map(normalizeSubnet).find((s) => s !== undefined);
  const v6Input = { subnet: cidrs.find((c) => c.includes(':')), publicIp: get('public-ipv6-overwrite') ?? get('public-ipv6'), backendData: get('backend-v6-data') };
  const v6 = readV6(v6Input, name, evidenceOf('backend-v6-data'));
  // flanneld with EnableIPv4 false runs on the v6 podCIDR alone (pkg/subnet/kube): a lease with no IPv4 part
  if (!subnet && v6.fields.subnet6) return v6OnlyLease(node, backendType, source, v6, evidenceOf('public-ipv6'));
  if (!subnet) {
    const evidence = `${name}: spec.podCIDR: ${node.spec?.podCIDR ?? '(absent)'} spec.podCIDRs: ${JSON.stringify(node.spec?.podCIDRs ?? [])}`;
    return { problem: { code: 'LEASE_NO_SUBNET', node: name, summary: `${name}: no podCIDR assigned (flanneld fails with "pod cidr not assigned")`, evidence }, v6: v6.problems };
  }
  // flanneld copies public-ip-overwrite into public-ip (NAT); peers program the overwrite once it has
  const overwrite = get('public-ip-overwrite');
  const publicIpText = overwrite ?? get('public-ip');
  if (!publicIpText || !isIPv4(publicIpText)) {
    const key = overwrite ? 'public-ip-overwrite' : 'public-ip';
    return { problem: { code: 'LEASE_BAD_PUBLIC_IP', node: name, summary: `${name}: ${key} annotation ${publicIpText ? `"${publicIpText}" is not an IPv4 address` : 'is missing'}`, evidence: evidenceOf(key) } };
  }
  const bd = readBackendData(get('backend-data'), name, evidenceOf('backend-data'));
  const lease: Lease = { node: name, subnet, publicIp: publicIpText, backendType, source };
  if (bd.vni !== undefined) lease.vni = bd.vni;
  if (bd.vtepMac !== undefined) lease.vtepMac = bd.vtepMac;
  if (bd.publicKey !== undefined) lease.publicKey = bd.publicKey;
  if (bd.wgPort !== undefined) lease.wgPort = bd.wgPort;
  const addresses = (node.status?.addresses ?? []).map((a) => a.address).filter(isIPv4);
  if (addresses.length) lease.addresses = addresses;
  const extra: Problem | undefined =
    overwrite && get('public-ip') && get('public-ip') !== overwrite
      ? { code: 'LEASE_OVERWRITE_PENDING', node: name, summary: `${name}: public-ip-overwrite ${overwrite} not yet copied into public-ip ${get('public-ip')}`, evidence: `${evidenceOf('public-ip')}\n${evidenceOf('public-ip-overwrite')}` }
      : undefined;
  Object.assign(lease, v6.fields);
  return { lease, problem: bd.problem, extra, v6: v6.problems };
}

/** A v6-only node's lease: podCIDRs' v6 entry, public-ipv6 and backend-v6-data; no public-ip is needed then. */
function v6OnlyLease(node: KubeNode, backendType: string, source: string, v6: ReturnType<typeof readV6>, evidence: string): { lease?: Lease; v6: Problem[]; problem?: Problem } {
  const name = node.metadata.name;
  if (!v6.fields.publicIpv6) {
    const bad = v6.problems.find((p) => p.code === 'LEASE_BAD_PUBLIC_IP');
    return { v6: v6.problems.filter((p) => p !== bad), problem: bad ?? { code: 'LEASE_BAD_PUBLIC_IP', node: name, summary: `${name}: IPv6-only node (podCIDR ${v6.fields.subnet6}) without a public-ipv6 annotation`, evidence } };
  }
  const lease: Lease = { node: name, backendType, source, ...v6.fields };
  const addresses = (node.status?.addresses ?? []).map((a) => normalizeIPv6(a.address)).filter((a): a is string => a !== undefined);
  if (addresses.length) lease.addresses = addresses;
  return { lease, v6: v6.problems };
}

const ConfigMapList = z.looseObject({ items: z.array(z.looseObject({ metadata: z.looseObject({ name: z.string(), namespace: z.optional(z.string()) }), data: z.nullish(z.record(z.string(), z.string())) })) });

/**
 * flannel's net-conf.json from `kubectl get configmap -A --field-selector metadata.name=kube-flannel-cfg -o json`
 * (the manifest's ConfigMap, key `net-conf.json`). Pure. A missing or broken one is a problem, never a crash:
 * the leases alone still drive the checks.
 */
export function parseFlannelConfigMaps(text: string): { netConf?: NetConf; problem?: Problem } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { problem: { code: 'LEASE_BAD_CONFIG', summary: 'kubectl get configmap output is not JSON', evidence: text.slice(0, 200) } };
  }
  const list = ConfigMapList.safeParse(doc);
  const cm = list.success ? list.data.items.find((i) => i.data?.['net-conf.json'] !== undefined) : undefined;
  if (!cm) return { problem: { code: 'LEASE_NO_CONFIG', summary: 'no kube-flannel-cfg ConfigMap with net-conf.json: Network, VNI, Port and DirectRouting unknown (defaults assumed)', evidence: 'kubectl get configmap -A --field-selector metadata.name=kube-flannel-cfg: none' } };
  const raw = cm.data!['net-conf.json'];
  const where = `${cm.metadata.namespace ?? '?'}/${cm.metadata.name} net-conf.json`;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    return { problem: { code: 'LEASE_BAD_CONFIG', summary: `${where} is not JSON (${(e as Error).message})`, evidence: `${where}: ${raw}` } };
  }
  const conf = NetConf.safeParse(json);
  if (!conf.success) return { problem: { code: 'LEASE_BAD_CONFIG', summary: `${where} is not a flannel net-conf`, evidence: `${where}: ${raw}` } };
  return { netConf: conf.data };
}
