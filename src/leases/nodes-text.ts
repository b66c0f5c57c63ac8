// Desired state as people paste it: `kubectl get node(s) -o json`, `-o yaml`, or only the annotation lines
// (`kubectl get node n1 -o yaml | grep flannel`, `kubectl describe node`), which carry the VtepMAC evidence
// (flannel #1795). YAML is read with the `yaml` package, loaded on first use (its import costs ≈45 ms).
import { ParseError } from '../errors.js';
import type { DesiredState } from '../model/lease.js';
import { ANNOTATION_PREFIX, parseNodesJson } from './kube.js';

const COMMAND = 'kubectl get nodes';
const ANNOTATION = new RegExp(String.raw`^[\s"'-]*(?:Annotations:\s*)?["']?(${ANNOTATION_PREFIX.replaceAll('.', '\\.')}/[\w.-]+)["']?\s*[:=]\s*(.*?)\s*,?\s*$`);
const POD_CIDR = /^[\s"'-]*(?:PodCIDRs?:|"?podCIDRs?"?\s*:)\s*\[?\s*["']?([0-9a-f.:]+\/\d+)/i;

/** Node objects from JSON or YAML text, or from annotation lines; `name` is the node the command line named. */
export async function parseNodesText(text: string, source = 'nodes-file', name?: string): Promise<DesiredState> {
  if (/^\s*[[{]/.test(text)) return parseNodesJson(text, source);
  if (/^\s*(apiVersion|kind|items|metadata):/m.test(text)) {
    const { parse } = await import('yaml');
    let doc: unknown;
    try {
      doc = parse(text);
    } catch (e) {
      throw new ParseError(COMMAND, `not YAML (${(e as Error).message.split('\n')[0]})`);
    }
    return parseNodesJson(JSON.stringify(doc), source);
  }
  // grep'd lines leave out what was not grepped (podCIDR, kube-subnet-manager, public-ip): absent, not wrong
  const state = parseNodesJson(JSON.stringify(await nodeFromLines(text, name)), source);
  return { ...state, problems: state.problems.filter((p) => p.code === 'LEASE_BAD_BACKEND_DATA') };
}

/** One Node object from grep'd annotation (and podCIDR) lines. */
async function nodeFromLines(text: string, name?: string): Promise<Record<string, unknown>> {
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
