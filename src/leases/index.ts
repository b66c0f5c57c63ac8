// Desired state: flannel's leases from the source the flags name (DESIGN.md "desired state").
import { readInputFile } from '../collect/input.js';
import { EnvironmentError, UsageError } from '../errors.js';
import type { DesiredState } from '../model/lease.js';

export interface DesiredOptions {
  nodes?: string;
  kube?: boolean;
  kubeconfig?: string;
  context?: string;
  etcd?: string;
  etcdPrefix?: string;
  etcdCafile?: string;
  etcdCertfile?: string;
  etcdKeyfile?: string;
}

/**
 * The leases from --nodes, --kube or --etcd (first one given, in that order); undefined when no source was named.
 * Each source's reader is imported when its flag is given: a trace of pasted files or a snapshot evaluates none.
 */
export async function loadDesiredState(opts: DesiredOptions): Promise<DesiredState | undefined> {
  const named = [opts.nodes !== undefined, !!opts.kube, opts.etcd !== undefined].filter(Boolean).length;
  if (named > 1) throw new UsageError('give one desired-state source: --nodes, --kube or --etcd');
  if (opts.nodes !== undefined) {
    const { parseNodesText } = await import('./nodes-text.js');
    return parseNodesText(await readText(opts.nodes, '--nodes'), 'nodes-file');
  }
  if (opts.kube) {
    const { parseFlannelConfigMaps, parseNodesJson } = await import('./kube.js');
    const state = parseNodesJson(await kubectl(opts, ['get', 'nodes', '-o', 'json']), 'kube');
    const cm = parseFlannelConfigMaps(await kubectl(opts, ['get', 'configmap', '--all-namespaces', '--field-selector', 'metadata.name=kube-flannel-cfg', '-o', 'json']));
    if (cm.netConf) state.netConf = cm.netConf;
    if (cm.problem) state.problems.push(cm.problem);
    return state;
  }
  if (opts.etcd !== undefined) {
    const { loadEtcd } = await import('./etcd.js');
    return loadEtcd({
      endpoints: opts.etcd,
      prefix: opts.etcdPrefix,
      cafile: opts.etcdCafile,
      certfile: opts.etcdCertfile,
      keyfile: opts.etcdKeyfile,
    });
  }
  return undefined;
}

const readText = (file: string, flag: string): Promise<string> => readInputFile(file, flag);

/** kubectl through the one wrapper (cluster/transport), loaded only for --kube: execa is ~100 modules for every other source. */
async function kubectl(opts: DesiredOptions, args: string[]): Promise<string> {
  const { kubectl: run } = await import('../cluster/transport.js');
  const signal = AbortSignal.timeout(30_000);
  try {
    return await run(opts, args, signal);
  } catch (e) {
    if (!(e instanceof EnvironmentError) && !signal.aborted) throw e;
    const why = signal.aborted ? 'timed out after 30 s' : (e as Error).message;
    throw new EnvironmentError(`cannot ${args.slice(0, 2).join(' ')} with kubectl: ${why}`, 'or save `kubectl get nodes -o json` to a file and pass --nodes FILE');
  }
}
