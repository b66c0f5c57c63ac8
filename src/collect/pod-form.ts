// How a live node's pods are read (pods.ts), chosen before the launcher starts: the binary starts it while the
// commands load (early.ts), so this module stays apart from the parsers.
import { readFileSync } from 'node:fs';
import { which } from './runner.js';

/** How a pod's addresses are read: `ip -n NS -j addr show`, or `nsenter --net=NETNS_RUN_DIR/NS ip -j addr show`. */
export type PodForm = 'ip-n' | 'nsenter';

// `ip -n` (like `ip netns exec`) runs iproute2's netns_switch: after setns() it also unshares the mount namespace,
// remounts / slave and mounts a fresh sysfs, copying the whole mount tree per pod; nsenter only calls setns(), for
// one exec more. Alone (hyperfine, 300 runs, an empty namespace, N tmpfs mounts added in a private mount namespace),
// CPU per pod `ip -n` vs nsenter: 1.18 vs 1.79 ms at 66 mountinfo lines, 1.72 vs 1.76 at 516, 1.81 vs 1.75 at 566,
// 3.69 vs 1.74 at 2,066. In collect, where slices run side by side, they cross earlier: a whole `collect --netns` of
// 20 pods with nsenter minus with `ip -n` (bench/collect-ab.ts, 30 paired rounds, medians) at 108 lines +1.1 ms wall,
// +7.8 ms CPU; 258: -3.0, +0.4; 308: -3.0, +0.6; 358: -5.9, -2.1; 458: -8.2, -7.6. nsenter above:
export const NSENTER_ABOVE_MOUNTS = 300;

/**
 * The form for this node's pods, by the mounts of this process's mount namespace (a Kubernetes node has several per
 * pod: its netns bind mount in /run/netns, shm, each container's rootfs, its volumes). The launcher's shell runs in the
 * same one, or with --netns in the copy `ip netns exec` makes of it (the same mounts but /sys's submounts: 54 vs 65
 * lines on the test machine), and podAlone (pods.ts) runs from here.
 */
export function podForm(): PodForm {
  let mounts = 0;
  try {
    mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length - 1;
  } catch {
    // no /proc: `ip -n`, as before the count was taken
  }
  return mounts > NSENTER_ABOVE_MOUNTS && which('nsenter') !== undefined ? 'nsenter' : 'ip-n';
}
