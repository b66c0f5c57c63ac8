// Desired state as people paste it: `kubectl get node(s) -o json`, `-o yaml`, or only the annotation lines
// (`kubectl get node n1 -o yaml | grep flannel`, `kubectl describe node`), which carry the VtepMAC evidence
// (flannel #1795). YAML is read with the `yaml` package, loaded on first use (its import costs ≈45 ms).
import { ParseError } from '../errors.js';
import type { DesiredState, PartialLease } from '../model/lease.js';
import { normalizeIPv6 } from '../model/ipv6.js';
import { isIPv4, normalizeMac } from '../model/net.js';
import { ANNOTATION_PREFIX, parseNodesJson } from './kube.js';

const COMMAND = 'kubectl get nodes';
const SEVERAL_DOCUMENTS = 'Node objects in several YAML documents, not `kubectl get nodes`';
const ANNOTATION = new RegExp(String.raw`^[\s"'-]*(?:Annotations:\s*)?["']?(${ANNOTATION_PREFIX.replaceAll('.', '\\.')}/[\w.-]+)["']?\s*[:=]\s*(.*?)\s*,?\s*$`);
const POD_CIDR = /^[\s"'-]*(?:PodCIDRs?:|"?podCIDRs?"?\s*:)\s*\[?\s*["']?([0-9a-f.:]+\/\d+)/i;

/** Node objects from JSON or YAML text, or from annotation lines; `name` is the node the command line named. */
export async function parseNodesText(text: string, source = 'nodes-file', name?: string): Promise<DesiredState> {
  if (/^\s*[[{]/.test(text)) return parseNodesJson(text, source);
  if (/^\s*(apiVersion|kind|items|metadata):/m.test(text)) {
    const { parseAllDocuments } = await import('yaml');
    const docs: unknown[] = [];
    try {
      for (const d of parseAllDocuments(text)) {
        if (d.errors.length > 0) throw d.errors[0];
        // a `---` before or after one document leaves an empty one
        const value: unknown = d.toJS();
        if (value !== null && value !== undefined) docs.push(value);
      }
    } catch (e) {
      throw new ParseError(COMMAND, `not YAML (${(e as Error).message.split('\n')[0]})`);
    }
    // one Node object (`kubectl get node NAME -o yaml`) is marked incomplete there, as in JSON
    if (docs.length <= 1) return parseNodesJson(JSON.stringify(docs[0] ?? null), source);
    // several documents: outputs of `kubectl get node NAME -o yaml` put together by hand (kubectl itself prints one
    // List for several nodes), so whether every node is there is not in the text
    const items = docs.flatMap((d) => (typeof d === 'object' && d !== null && Array.isArray((d as { items?: unknown }).items) ? (d as { items: unknown[] }).items : [d]));
    return { ...parseNodesJson(JSON.stringify({ kind: 'List', items }), source), incomplete: SEVERAL_DOCUMENTS };
  }
  // grep'd lines leave out what was not grepped (podCIDR, kube-subnet-manager, public-ip): absent, not wrong
  const node = await nodeFromLines(text, name);
  const state = parseNodesJson(JSON.stringify(node), source);
  const problems = [...state.problems.filter((p) => p.code === 'LEASE_BAD_BACKEND_DATA'), ...badPublicIpv6(node)];
  const partial = state.leases.length === 0 ? partialLease(node) : undefined;
  return { ...state, problems, incomplete: 'annotation lines (grep\'d), not the Node objects', ...(partial ? { partial: [partial] } : {}) };
}

/** A public-ipv6 line that is no IPv6 address: said even when the lines hold no podCIDR (the lease is not read then). */
function badPublicIpv6(node: { metadata: { name: string; annotations: Record<string, string> } }): DesiredState['problems'] {
  const name = node.metadata.name;
  for (const key of ['public-ipv6-overwrite', 'public-ipv6']) {
    const value = node.metadata.annotations[`${ANNOTATION_PREFIX}/${key}`];
    // `public-ipv6=fd00::13 <=====`: the address, not the author's marker after it
    if (value !== undefined && normalizeIPv6(value.split(/\s+/)[0]) === undefined) {
      return [{ code: 'LEASE_BAD_PUBLIC_IP', node: name, summary: `${name}: ${key} annotation ${JSON.stringify(value)} is not an IPv6 address`, evidence: `${name}: ${ANNOTATION_PREFIX}/${key}: ${value}` }];
    }
  }
  return [];
}

/** What grep'd annotation lines say of a node's lease when they do not make a whole one. */
function partialLease(node: { metadata: { name: string; annotations: Record<string, string> }; spec: { podCIDR?: string } }): PartialLease | undefined {
  const get = (k: string): string | undefined => node.metadata.annotations[`${ANNOTATION_PREFIX}/${k}`];
  let data: { VNI?: unknown; VtepMAC?: unknown } = {};
  try {
    data = JSON.parse(get('backend-data') ?? '{}') as typeof data;
  } catch {
    // a bad backend-data is reported by parseNodesJson (LEASE_BAD_BACKEND_DATA)
  }
  let mac: string | undefined;
  try {
    mac = typeof data.VtepMAC === 'string' ? normalizeMac(data.VtepMAC) : undefined;
  } catch {
    // not a MAC: left out (LEASE_BAD_BACKEND_DATA says so)
  }
  // `public-ip=10.169.72.93 <=====`: the address, and not the author's marker after it
  const ip = get('public-ip')?.split(/\s+/)[0];
  const p: PartialLease = {
    node: node.metadata.name,
    ...(get('backend-type') ? { backendType: get('backend-type') } : {}),
    ...(node.spec.podCIDR ? { subnet: node.spec.podCIDR } : {}),
    ...(ip && isIPv4(ip) ? { publicIp: ip } : {}),
    ...(typeof data.VNI === 'number' ? { vni: data.VNI } : {}),
    ...(mac ? { vtepMac: mac } : {}),
    missing: [],
  };
  p.missing = (['subnet', 'publicIp', 'vtepMac', 'backendType'] as const).filter((k) => p[k] === undefined).map((k) => ({ subnet: 'podCIDR', publicIp: 'public-ip', vtepMac: 'backend-data VtepMAC', backendType: 'backend-type' })[k]);
  return p.vtepMac || p.publicIp || p.subnet ? p : undefined;
}

/** One Node object from grep'd annotation (and podCIDR) lines. */
async function nodeFromLines(text: string, name?: string): Promise<{ kind: 'Node'; metadata: { name: string; annotations: Record<string, string> }; spec: { podCIDR?: string } }> {
  const { parse } = await import('yaml');
  const annotations: Record<string, string> = {};
  let podCIDR: string | undefined;
  for (const row of text.split(/\r?\n/)) {
    const cidr = POD_CIDR.exec(row);
    if (cidr) podCIDR ??= cidr[1];
    const m = ANNOTATION.exec(row);
    if (!m) continue;
    // a value as YAML or JSON quoted it ('{"VtepMAC":…}' or "{\"VtepMAC\":…}"), or bare
    let value: unknown = m[2];
    try {
      value = parse(`v: ${m[2]}`).v;
    } catch {
      // kept as printed
    }
    annotations[m[1]] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  if (Object.keys(annotations).length === 0) throw new ParseError(COMMAND, `no ${ANNOTATION_PREFIX}/ annotation lines and not JSON or YAML`);
  return { kind: 'Node', metadata: { name: name ?? 'unnamed-node', annotations }, spec: podCIDR ? { podCIDR } : {} };
}
