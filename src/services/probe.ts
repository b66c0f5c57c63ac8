// flanctl probe: read the node, trace the destination, listen on every hop the trace names, send a tagged
// probe from the pod's namespace, decode what each capture heard and say where it stopped.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isSea } from 'node:sea';
import { podVeth } from '../analyze/pod-veth.js';
import type { ProbeProto, ProbeTag } from '../analyze/probe-filter.js';
import { leaseVtepMac, type ProbePlan, type ProbeSource, planProbe, planTargetHops } from '../analyze/probe-plan.js';
import { runDoctor } from '../analyze/doctor.js';
import { type HopObservation, type NodeFindings, type ProbeResult, probeVerdict, type SenderReport } from '../analyze/probe-verdict.js';
import { trace } from '../analyze/trace.js';
import { collectLive } from '../collect/index.js';
import { writeOutputFile } from '../collect/output.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { loadDesiredState } from '../leases/index.js';
import type { DesiredState, Snapshot } from '../model/index.js';
import { normalizeIPv6 } from '../model/ipv6.js';
import { isIPv4, isIPv6 } from '../model/net.js';
import { parsePingStats } from '../parse/ping.js';
import { probeSightings } from '../pcap/sightings.js';
import type { Options, ServiceResult } from './options.js';
import { type ProbeOptions, probeOptions } from './probe-options.js';

// ping's interval; also the sender's gap between UDP/TCP probes
const INTERVAL_MS = 200;
// outer Ethernet + IPv4 + UDP + VXLAN + inner Ethernet + IPv4 (+ options) + an ICMP error's quote
const SNAPLEN = 256;

export async function probeService(options: Options, destination: string): Promise<ServiceResult<ProbeResult>> {
  const o = probeOptions(options, destination);
  const runner = await import('../probe/runner.js');
  await runner.checkProbeTools(o.proto === 'icmp' ? ['ping'] : []);
  const { snapshot } = await collectLive({ netns: o.netns });
  const desired = await loadDesiredState(o.desired);
  const source = findSource(snapshot, o.from, isIPv6(o.destination));
  let traced = trace([snapshot], o.destination, { desired });
  // cluster mode: the target node's state over ssh / kubectl, then the trace again across both nodes
  const target = o.target && traced.targetNode && traced.backend !== 'local' ? await (await import('../cluster/probe-target.js')).reachTargetNode(o.target, traced.targetNode, 30) : undefined;
  if (target) traced = trace([snapshot, target.snapshot], o.destination, { desired });
  const { randomInt } = await import('node:crypto');
  const tag: ProbeTag = o.proto === 'icmp' ? { proto: 'icmp', id: randomInt(1, 65536) } : { proto: o.proto, id: randomInt(20000, 30000), port: o.port };
  const plan = planProbe(traced, snapshot, source, tag, leaseVtepMac(desired?.leases ?? [], o.destination));
  const local = plan.hops.length;
  if (target) plan.hops.push(...planTargetHops(traced, target.snapshot, source, tag));
  const limits = { listenMs: 5000, sendMs: o.count * INTERVAL_MS + o.timeoutSec * 1000, settleMs: 300 };
  const maxPackets = o.count * 8 + 16;

  const remote = target ? await import('../cluster/probe-capture.js') : undefined;
  const signal = AbortSignal.timeout(60_000);
  const remoteHops = plan.hops.slice(local);
  // the node's own bound: its captures and their directory go after this long even if we never come back
  const maxSeconds = Math.ceil((limits.listenMs + limits.sendMs + limits.settleMs) / 1000) + 30;
  const session =
    target && remote ? await remote.startRemoteCaptures(target.transport, target.node, remoteHops, { maxSeconds, listenSec: 5, connectSec: 15, snaplen: SNAPLEN, maxPackets }, signal) : undefined;
  // on an error or Ctrl-C the node is told nothing but EOF: it stops and removes its captures without sending them
  const abandon = async (): Promise<void> => (remote && session ? remote.abandonRemoteCaptures(session).catch(() => undefined) : undefined);
  let captures: Capture[];
  let senderOut: { stdout: string; stderr: string };
  try {
    const run = await runner.runProbe(
      plan.hops.slice(0, local).map((h) => ({ netns: o.netns, device: h.device, filter: h.filter, snaplen: SNAPLEN, maxPackets })),
      { netns: source.netns, argv: senderArgv(o, tag, selfArgv()) },
      limits,
      abandon,
    );
    captures = [...run.captures, ...(remote && session ? await remote.stopRemoteCaptures(session) : [])];
    senderOut = run.sender;
  } catch (e) {
    await abandon();
    throw e;
  }
  const observed: HopObservation[] = [];
  for (const [i, c] of captures.entries()) {
    const h = plan.hops[i];
    const vxlanPorts = h.encap.kind === 'vxlan' ? [h.encap.port] : [];
    observed.push(c.ok ? { ran: true, sightings: await probeSightings(c.pcap, { ...tag, src: source.ip, dst: o.destination }, { vxlanPorts, mtu: plan.underlayMtu, knownVnis: [plan.vni ?? 1] }) } : { ran: false, error: c.error });
  }
  if (o.writePcap !== undefined) await writeCaptures(o.writePcap, plan, captures.map((c) => c.pcap));
  const findings = forwardingFindings([snapshot, ...(target ? [target.snapshot] : [])], desired);
  const result = probeVerdict(plan, observed, senderReport(o.proto, senderOut.stdout, senderOut.stderr), traced, findings);
  return { result, exit: result.ok ? 0 : 1 };
}

interface Capture {
  ok: boolean;
  pcap: Buffer;
  error?: string;
}

/** doctor's findings on each node, for the verdict to name a node that does not forward (same codes as doctor). */
function forwardingFindings(snapshots: Snapshot[], desired: DesiredState | undefined): NodeFindings {
  return new Map(snapshots.map((snapshot) => [snapshot.host, runDoctor({ snapshot, desired }).findings.map((f) => ({ code: f.code, summary: f.summary }))]));
}

/**
 * The pod on this node named by netns, pod name or IP (either family); it must have a named namespace to send
 * from, and an address of the destination's family.
 */
function findSource(snapshot: Snapshot, from: string, v6: boolean): ProbeSource {
  const pods = podVeth([snapshot]).pods;
  const ip6Of = (netns: string | undefined): string | undefined => (netns ? snapshot.pods.find((p) => p.netns === netns)?.ip6 : undefined);
  const from6 = isIPv6(from) ? normalizeIPv6(from) : undefined;
  const pod = pods.find((p) => p.netns === from || p.ip === from || p.pod === from || p.pod.split('/').pop() === from || (from6 !== undefined && ip6Of(p.netns) === from6));
  if (!pod) {
    const known = pods.map((p) => p.netns ?? p.pod).join(', ') || 'none found';
    throw new EnvironmentError(`no pod ${JSON.stringify(from)} on node ${snapshot.host}`, `pods here: ${known}`);
  }
  if (!pod.netns) throw new EnvironmentError(`pod ${pod.pod} has no named network namespace to send from`, 'see `ip netns list`');
  const ip = v6 ? ip6Of(pod.netns) : pod.ip;
  if (!ip || !(v6 ? isIPv6(ip) : isIPv4(ip))) throw new EnvironmentError(`pod ${pod.pod} has no ${v6 ? 'global IPv6' : 'IPv4'} address`);
  return { pod: pod.pod, netns: pod.netns, ip, node: snapshot.host, hostVeth: pod.hostVeth, bridge: pod.bridge };
}

/** ping for ICMP; for UDP/TCP this CLI again (hidden `probe-send`), so a single binary needs nothing else. */
function senderArgv(o: ProbeOptions, tag: ProbeTag, self: string[]): string[] {
  const n = String(o.count);
  if (tag.proto === 'icmp') {
    // -e: our ICMP id (the tag); -p: a payload pattern Wireshark users can spot; -c with -W (not -w, which keeps
    // sending until the deadline): exactly `count` requests, then at most `timeout` seconds for the answers
    const pattern = `f1a9${tag.id.toString(16).padStart(4, '0')}`;
    // --size: the whole IP packet (ping -s is the payload after 20 + 8 header bytes, IPv6 40 + 8), DF set (-M do): never fragmented
    const v6 = isIPv6(o.destination);
    const size = o.size !== undefined ? ['-s', String(o.size - (v6 ? 48 : 28)), '-M', 'do'] : [];
    return ['ping', ...(v6 ? ['-6'] : []), '-n', '-q', '-c', n, '-i', String(INTERVAL_MS / 1000), '-W', String(o.timeoutSec), '-e', String(tag.id), '-p', pattern, ...size, o.destination];
  }
  return [...self, 'probe-send', '--proto', tag.proto, '--dst', o.destination, '--port', String(tag.port), '--src-port', String(tag.id), '--count', n, '--timeout', String(o.timeoutSec), '--interval', String(INTERVAL_MS)];
}

/**
 * How to start this CLI again: node and the entry script, or the single binary alone — its argv[1] is only the name
 * it was called by (`flanctl` through PATH, a relative path), not a script.
 */
function selfArgv(): string[] {
  return isSea() ? [process.execPath] : [process.execPath, ...process.execArgv, process.argv[1]];
}

function senderReport(proto: ProbeProto, stdout: string, stderr: string): SenderReport {
  if (proto === 'icmp') {
    const stats = parsePingStats(stdout);
    const error = stderr.split('\n').find((l) => l.trim())?.trim();
    return stats ? { sent: stats.transmitted, received: stats.received, ...(error ? { error } : {}) } : { error: error ?? 'ping printed no statistics' };
  }
  try {
    const r = JSON.parse(stdout) as { sent?: unknown; received?: unknown; error?: unknown };
    if (typeof r.sent === 'number' && typeof r.received === 'number') return { sent: r.sent, received: r.received, ...(typeof r.error === 'string' ? { error: r.error } : {}) };
  } catch {
    // not JSON: the sender failed before reporting; its stderr says why
  }
  return { error: stderr.split('\n').find((l) => l.trim())?.trim() ?? 'the sender reported nothing' };
}

/** --write-pcap DIR: each hop's capture as <node>-<device>.pcap, for Wireshark. */
async function writeCaptures(dir: string, plan: ProbePlan, pcaps: Buffer[]): Promise<void> {
  await mkdir(dir, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot create ${dir}: ${e.code ?? e.message}`);
  });
  // write-then-rename: a full disk or a kill leaves the previous capture of that name whole, never a half file
  for (const [i, h] of plan.hops.entries()) await writeOutputFile(join(dir, `${i + 1}-${h.node}-${h.device}.pcap`.replace(/[^A-Za-z0-9_.-]/g, '_')), pcaps[i]);
}
