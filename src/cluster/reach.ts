// How `repair --cluster --apply` reaches the nodes. A cluster directory may come from someone else, and
// cluster.json records an ssh config (`-F`: ProxyCommand runs anything), an identity, ssh options, a kubeconfig
// (an `exec:` credential plugin runs anything), a context, a selector, a container and a debug image. None of
// those is taken from the directory: the command line gives them again, and a recorded value that the command
// line does not repeat is refused with the flag that would repeat it. Only host names, users and ports (checked
// like a hosts file) come from the directory. Pure.
import { UsageError } from '../errors.js';
import type { Reach } from './collect.js';
import { DEFAULT_CONTAINER, DEFAULT_DEBUG_IMAGE, DEFAULT_SELECTOR } from './flags.js';
import type { KubeOptions } from './kube.js';
import type { SshOptions } from './ssh.js';

/** The connection flags given to this run (defaults included). */
export interface ReachFlags {
  sshConfig?: string;
  sshIdentity?: string;
  sshOptions?: string[];
  kubeconfig?: string;
  context?: string;
  selector?: string;
  container?: string;
  debugImage?: string;
}

function same(recorded: string | undefined, given: string | undefined, flag: string, dir: string): void {
  if (recorded === undefined || recorded === given) return;
  throw new UsageError(
    `${dir}/cluster.json reached the nodes with ${flag} ${recorded}: flanctl does not replay configs, credentials or programs from a directory`,
    `give ${flag} ${recorded} again on this command line if you trust it`,
  );
}

/** The reach to use: the directory's hosts, with every option from the flags; throws when they disagree. */
export function reachFromFlags(recorded: Reach, f: ReachFlags, dir: string): Reach {
  if (recorded.ssh) {
    const o = recorded.ssh.options;
    same(o.configFile, f.sshConfig, '--ssh-config', dir);
    same(o.identity, f.sshIdentity, '--ssh-identity', dir);
    for (const opt of o.options ?? []) if (!(f.sshOptions ?? []).includes(opt)) same(opt, undefined, '--ssh-option', dir);
    const options: SshOptions = { configFile: f.sshConfig, identity: f.sshIdentity, options: f.sshOptions, connectTimeout: o.connectTimeout };
    return { ssh: { targets: recorded.ssh.targets, options } };
  }
  if (recorded.kube) {
    const k = recorded.kube;
    same(k.kubeconfig, f.kubeconfig, '--kubeconfig', dir);
    same(k.context, f.context, '--context', dir);
    same(k.selector, f.selector ?? DEFAULT_SELECTOR, '--flannel-selector', dir);
    same(k.container, f.container ?? DEFAULT_CONTAINER, '--flannel-container', dir);
    same(k.debugImage, f.debugImage ?? DEFAULT_DEBUG_IMAGE, '--debug-image', dir);
    const kube: KubeOptions = { kubeconfig: f.kubeconfig, context: f.context, selector: f.selector, container: f.container, debugImage: f.debugImage };
    return { kube };
  }
  return recorded;
}
