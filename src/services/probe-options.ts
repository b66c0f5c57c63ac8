// The probe's options and their checks: light to import (the command loads the service itself only in run()).
import type { ProbeProto } from '../analyze/probe-filter.js';
import { UsageError } from '../errors.js';
import type { DesiredOptions } from '../leases/index.js';
import { isIPv4, isIPv6 } from '../model/net.js';

export interface ProbeOptions {
  destination: string;
  /** the source pod: netns name, pod name or pod IP on this node */
  from: string;
  proto: ProbeProto;
  port?: number;
  count: number;
  timeoutSec: number;
  /** the node is this named network namespace (a lab node); default: the host */
  netns?: string;
  writePcap?: string;
  desired: DesiredOptions;
}

export const PROBE_LIMITS = { count: [1, 20], timeoutSec: [1, 30] } as const;

/** Bad input fails before anything runs. */
export function checkProbeOptions(o: ProbeOptions): void {
  if (isIPv6(o.destination)) throw new UsageError(`IPv6 destinations are not probed yet: ${o.destination}`, 'probe takes an IPv4 pod IP for now');
  if (!isIPv4(o.destination)) throw new UsageError(`not an IPv4 address: ${JSON.stringify(o.destination)}`, 'probe takes a pod IP, e.g. 10.244.3.7');
  const [cmin, cmax] = PROBE_LIMITS.count;
  if (!Number.isInteger(o.count) || o.count < cmin || o.count > cmax) throw new UsageError(`--count must be ${cmin}-${cmax}`);
  const [tmin, tmax] = PROBE_LIMITS.timeoutSec;
  if (!Number.isInteger(o.timeoutSec) || o.timeoutSec < tmin || o.timeoutSec > tmax) throw new UsageError(`--timeout must be ${tmin}-${tmax} seconds`);
  if (o.proto === 'icmp' && o.port !== undefined) throw new UsageError('--port goes with --proto udp or tcp');
  if (o.proto !== 'icmp' && (o.port === undefined || !Number.isInteger(o.port) || o.port < 1 || o.port > 65535)) throw new UsageError(`--proto ${o.proto} needs --port 1-65535`);
}
