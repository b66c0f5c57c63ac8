import { z } from 'zod';
import { Route } from './route.js';

/** A pod's network namespace as seen from inside it (collected with ip netns exec / nsenter, or saved outputs). */
export const PodNetns = z
  .object({
    /** Kubernetes ns/name when known (crictl/kubectl), else undefined */
    pod: z.string().optional(),
    netns: z.string().optional(),
    pid: z.number().int().optional(),
    containerId: z.string().optional(),
    ifname: z.string().default('eth0'),
    ifindex: z.number().int().optional(),
    /** iflink of the pod's eth0: the host-side veth's ifindex */
    iflink: z.number().int().optional(),
    ip: z.string().optional(),
    mac: z.string().optional(),
    mtu: z.number().int().optional(),
    /** the pod's own routes (default via the cni0 address), when they were read */
    routes: z.array(Route).optional(),
  })
  .loose();
export type PodNetns = z.infer<typeof PodNetns>;

/** host-local IPAM: /var/lib/cni/networks/<net>/<ip> holds the container ID. */
export const IpamAllocation = z.object({ network: z.string(), ip: z.string(), containerId: z.string(), ifname: z.string().optional() }).loose();
export type IpamAllocation = z.infer<typeof IpamAllocation>;
