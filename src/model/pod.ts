import * as z from './zod.js';
import { Route } from './route.js';

/** A pod's network namespace as seen from inside it (collected with ip netns exec / nsenter, or saved outputs). */
export const PodNetns = z.looseObject({
  /** Kubernetes ns/name when known (crictl/kubectl), else undefined */
  pod: z.optional(z.string()),
  netns: z.optional(z.string()),
  pid: z.optional(z.number().check(z.int())),
  containerId: z.optional(z.string()),
  ifname: z._default(z.string(), 'eth0'),
  ifindex: z.optional(z.number().check(z.int())),
  /** iflink of the pod's eth0: the host-side veth's ifindex */
  iflink: z.optional(z.number().check(z.int())),
  ip: z.optional(z.string()),
  /** the pod's global IPv6 address (dual stack, IPv6 only), RFC 5952 */
  ip6: z.optional(z.string()),
  mac: z.optional(z.string()),
  mtu: z.optional(z.number().check(z.int())),
  /** the pod's own routes (default via the cni0 address), when they were read */
  routes: z.optional(z.array(Route)),
});
export type PodNetns = z.infer<typeof PodNetns>;

/** host-local IPAM: /var/lib/cni/networks/<net>/<ip> holds the container ID. */
export const IpamAllocation = z.looseObject({ network: z.string(), ip: z.string(), containerId: z.string(), ifname: z.optional(z.string()) });
export type IpamAllocation = z.infer<typeof IpamAllocation>;
