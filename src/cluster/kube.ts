// The kubectl transport: for each node, `kubectl exec` into the flannel DaemonSet pod on that node
// (hostNetwork, so it sees the node's routes, neigh and fdb); when there is no such pod or exec fails,
// `kubectl debug node/<name>` with a small image, chrooted into the host. `kubectl get nodes -o json`
// gives the node list and, saved as nodes.json beside the snapshots, the leases (annotations).
import { EnvironmentError, UsageError } from '../errors.js';
import { DEFAULT_CONTAINER, DEFAULT_DEBUG_IMAGE, DEFAULT_SELECTOR } from './flags.js';
import { checkArgs } from './ssh.js';
import { kubectl, kubectlBase, openProgram, runProgram, type ScriptResult, type ScriptSession, type Transport } from './transport.js';

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
  /** label selector of the flannel DaemonSet pods */
  selector?: string;
  container?: string;
  /** image for `kubectl debug node/…` (needs only a shell; the host's own tools run via chroot /host) */
  debugImage?: string;
}


// RFC 1123 subdomain (node and pod names) and label selectors: what may reach kubectl's argv
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SELECTOR = /^[A-Za-z0-9][A-Za-z0-9_./!=,()-]*$/;

interface FlannelPod {
  namespace: string;
  name: string;
  running: boolean;
}

/** Where each pod is: what `trace <pod> <ip> --cluster` needs to start from a pod name (pods.json in the directory). */
export interface PodPlace {
  namespace: string;
  name: string;
  ip: string;
  node: string;
}

export interface KubeCluster {
  nodes: string[];
  /** every pod with an IP, from `kubectl get pods --all-namespaces -o json` (names, IPs and nodes only) */
  podPlaces: PodPlace[];
  /** `kubectl get nodes -o json` as returned: the desired state (leases) */
  nodesJson: string;
  pods: Map<string, FlannelPod>;
}

async function kubectlJson(o: KubeOptions, args: string[], signal: AbortSignal): Promise<{ text: string; json: unknown }> {
  const text = await kubectl(o, args, signal);
  try {
    return { text, json: JSON.parse(text) };
  } catch {
    throw new EnvironmentError(`kubectl ${args.join(' ')} did not print JSON`);
  }
}

/** Node names and the flannel pod on each node. */
export async function discoverKube(o: KubeOptions, signal: AbortSignal = new AbortController().signal): Promise<KubeCluster> {
  const selector = o.selector ?? DEFAULT_SELECTOR;
  if (!SELECTOR.test(selector)) throw new UsageError(`not a label selector: ${JSON.stringify(selector)}`);
  const nodes = await kubectlJson(o, ['get', 'nodes', '-o', 'json'], signal);
  const pods = await kubectlJson(o, ['get', 'pods', '--all-namespaces', '-l', selector, '-o', 'json'], signal);
  const all = await kubectlJson(o, ['get', 'pods', '--all-namespaces', '-o', 'json'], signal);
  return { nodes: nodeNames(nodes.json), nodesJson: nodes.text, pods: podsByNode(pods.json), podPlaces: podPlaces(all.json) };
}

/** Pod name, IP and node from a PodList; hostNetwork pods (IP = the node's) are left out. Pure. */
export function podPlaces(list: unknown): PodPlace[] {
  const out: PodPlace[] = [];
  for (const raw of (list as { items?: unknown[] }).items ?? []) {
    const p = raw as { metadata?: { name?: string; namespace?: string }; spec?: { nodeName?: string; hostNetwork?: boolean }; status?: { podIP?: string } };
    const { name, namespace } = p.metadata ?? {};
    const ip = p.status?.podIP;
    const node = p.spec?.nodeName;
    if (name && namespace && ip && node && !p.spec?.hostNetwork) out.push({ namespace, name, ip, node });
  }
  return out;
}

/** Names from a NodeList; a name kubectl could mistake for a flag is refused. Pure. */
export function nodeNames(list: unknown): string[] {
  const items = (list as { items?: { metadata?: { name?: unknown } }[] }).items;
  if (!Array.isArray(items)) throw new EnvironmentError('kubectl get nodes returned no item list');
  return items.map((i) => {
    const name = i.metadata?.name;
    if (typeof name !== 'string' || !K8S_NAME.test(name)) throw new EnvironmentError(`node with unusable name ${JSON.stringify(name)}`);
    return name;
  });
}

/** The flannel pod scheduled on each node (running ones preferred). Pure. */
export function podsByNode(list: unknown): Map<string, FlannelPod> {
  const out = new Map<string, FlannelPod>();
  const items = (list as { items?: unknown[] }).items ?? [];
  for (const raw of items) {
    const p = raw as { metadata?: { name?: string; namespace?: string }; spec?: { nodeName?: string }; status?: { phase?: string } };
    const node = p.spec?.nodeName;
    const name = p.metadata?.name;
    const namespace = p.metadata?.namespace;
    if (!node || !name || !namespace || !K8S_NAME.test(name) || !K8S_NAME.test(namespace)) continue;
    const running = p.status?.phase === 'Running';
    if (!out.get(node)?.running) out.set(node, { namespace, name, running });
  }
  return out;
}

export function execArgv(o: KubeOptions, pod: FlannelPod, args: string[]): string[] {
  return [...kubectlBase(o), 'exec', '-i', '-n', pod.namespace, pod.name, '-c', o.container ?? DEFAULT_CONTAINER, '--', 'sh', '-s', '--', ...checkArgs(args)];
}

export function debugArgv(o: KubeOptions, node: string, args: string[]): string[] {
  if (!K8S_NAME.test(node)) throw new UsageError(`not a node name: ${JSON.stringify(node)}`);
  const image = o.debugImage ?? DEFAULT_DEBUG_IMAGE;
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(image)) throw new UsageError(`not an image reference: ${JSON.stringify(image)}`);
  return [...kubectlBase(o), 'debug', `node/${node}`, '-i', '--quiet', `--image=${image}`, '--profile=sysadmin', '--', 'chroot', '/host', 'sh', '-s', '--', ...checkArgs(args)];
}

export function kubeTransport(o: KubeOptions, cluster: KubeCluster): Transport {
  return {
    kind: 'kube',
    nodes: async () => cluster.nodes,
    async runScript(node, script, args, signal): Promise<ScriptResult> {
      const pod = cluster.pods.get(node);
      let why = `no flannel pod (-l ${o.selector ?? DEFAULT_SELECTOR}) on ${node}`;
      if (pod?.running) {
        const r = await runProgram(execArgv(o, pod, args), script, signal);
        if (r.exitCode === 0 || r.stdout.includes('@@flanctl-')) return r;
        why = `kubectl exec ${pod.namespace}/${pod.name}: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`}`;
      } else if (pod) {
        why = `flannel pod ${pod.namespace}/${pod.name} is not running`;
      }
      const r = await runProgram(debugArgv(o, node, args), script, signal);
      if (r.exitCode !== 0 && !r.stdout.includes('@@flanctl-')) {
        throw new Error(`${why}; kubectl debug node/${node}: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`}`);
      }
      return r;
    },
    // a session cannot be replayed on the debug pod once its script has started: the flannel pod when it runs, else the debug pod
    openScript(node, script, args, signal): ScriptSession {
      const pod = cluster.pods.get(node);
      return openProgram(pod?.running ? execArgv(o, pod, args) : debugArgv(o, node, args), script, signal);
    },
  };
}
