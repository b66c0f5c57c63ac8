import * as z from './zod.js';

/** Every route type iproute2 names (lib/rt_names.c); `unicast` when the output names none. */
export const ROUTE_TYPES = ['unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat'] as const;
export const RouteType = z.enum(ROUTE_TYPES);
export type RouteType = z.infer<typeof RouteType>;

export const Route = z.looseObject({
  /** `main` unless the output said otherwise */
  table: z._default(z.string(), 'main'),
  type: z._default(RouteType, 'unicast'),
  /** always CIDR: `default` becomes 0.0.0.0/0 (or ::/0), a host route a.b.c.d/32 */
  dst: z.string(),
  gateway: z.optional(z.string()),
  dev: z.optional(z.string()),
  onlink: z._default(z.boolean(), false),
  proto: z.optional(z.string()),
  scope: z.optional(z.string()),
  metric: z.optional(z.number().check(z.int())),
  src: z.optional(z.string()),
  /** remaining route flags as printed (`linkdown`, `dead`, …); onlink is lifted out above */
  flags: z._default(z.array(z.string()), []),
});
export type Route = z.infer<typeof Route>;

/** The metric the kernel gives a route written without one: IPv6 1024 (IP6_RT_PRIO_USER), IPv4 0. `ip route
 * replace` replaces the route with the same dst and metric, so this is what decides which route is "the same". */
export const routeMetric = (r: { dst: string; metric?: number }): number => r.metric ?? (r.dst.includes(':') ? 1024 : 0);
