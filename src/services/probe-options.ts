// The probe's options from the mapped flags, checked: light to import (the command loads the service itself
// only in run(), so the collector, decoder and machine edge stay out of every other command's start-up).
import type { ProbeProto } from '../analyze/probe-filter.js';
import type { TargetReach } from '../cluster/probe-target.js';
import { UsageError } from '../errors.js';
import type { DesiredOptions } from '../leases/index.js';
import { normalizeIPv6 } from '../model/ipv6.js';
import { isIPv4, isIPv6 } from '../model/net.js';
import type { Options } from './options.js';

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
  /** IP packet size of each ICMP probe, sent with DF (ping -M do) */
  size?: number;
  desired: DesiredOptions;
  /** cluster mode: reach the target node (over ssh, else with --kube through kubectl) and listen there too */
  target?: TargetReach;
}

export const PROBE_LIMITS = { count: [1, 20], timeoutSec: [1, 30], size: [64, 9000] } as const;

/** Bad input fails before anything runs. */
export function probeOptions(o: Options, destination: string): ProbeOptions {
  const p = o.probe;
  // RFC 5952, as the decoder prints addresses: an answer's source is compared with it
  const v6 = isIPv6(destination) ? normalizeIPv6(destination) : undefined;
  if (!isIPv4(destination) && !v6) throw new UsageError(`not an IPv4 or IPv6 address: ${JSON.stringify(destination)}`, 'probe takes a pod IP, e.g. 10.244.3.7 or fd00:10:244:3::7');
  if (v6) destination = v6;
  if (p.from === undefined || p.from === '') throw new UsageError('--from names the pod to send from');
  if (!['icmp', 'udp', 'tcp'].includes(p.proto)) throw new UsageError(`--proto must be icmp, udp or tcp`);
  const [cmin, cmax] = PROBE_LIMITS.count;
  if (!Number.isInteger(p.count) || p.count < cmin || p.count > cmax) throw new UsageError(`--count must be ${cmin}-${cmax}`);
  const [tmin, tmax] = PROBE_LIMITS.timeoutSec;
  if (!Number.isInteger(p.timeoutSec) || p.timeoutSec < tmin || p.timeoutSec > tmax) throw new UsageError(`--timeout must be ${tmin}-${tmax} seconds`);
  if (p.proto === 'icmp' && p.port !== undefined) throw new UsageError('--port goes with --proto udp or tcp');
  const [smin, smax] = PROBE_LIMITS.size;
  // ping alone can set DF for a probe (-M do); a UDP/TCP probe's size would be the kernel's choice
  if (p.size !== undefined && p.proto !== 'icmp') throw new UsageError('--size goes with --proto icmp (sent with DF)');
  if (p.size !== undefined && (!Number.isInteger(p.size) || p.size < smin || p.size > smax)) throw new UsageError(`--size must be ${smin}-${smax} bytes`);
  if (p.proto !== 'icmp' && (p.port === undefined || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535)) throw new UsageError(`--proto ${p.proto} needs --port 1-65535`);
  if (o.snapshot.length || o.fromDir.length || o.cluster !== undefined) throw new UsageError('probe sends real packets: it reads the live node (or --netns), not saved state');
  const c = o.collectAll;
  if (c['ssh-hosts'] === undefined && (c['ssh-identity'] ?? c['ssh-config'] ?? c['ssh-option']) !== undefined) throw new UsageError('--ssh-identity, --ssh-config and --ssh-option go with --ssh-hosts FILE');
  // --ssh-hosts reaches the target over ssh (--kube then gives only the leases); --kube alone reaches it with kubectl too
  const r = o.reach;
  const target: TargetReach | undefined =
    c['ssh-hosts'] !== undefined
      ? { ssh: { hosts: c['ssh-hosts'], identity: c['ssh-identity'], config: c['ssh-config'], options: c['ssh-option'] } }
      : o.desired.kube
        ? { kube: { kubeconfig: r.kubeconfig, context: r.context, selector: r.selector, container: r.container, debugImage: r.debugImage } }
        : undefined;
  return { destination, from: p.from, proto: p.proto as ProbeProto, port: p.port, count: p.count, timeoutSec: p.timeoutSec, netns: o.netns, writePcap: p.writePcap, size: p.size, desired: o.desired, target };
}
