// The probe's answer from what each capture saw: per hop seen / not seen / not verified (the capture did not
// run), where it was lost, and why — read against the static trace's problems on the segment where it
// stopped and the decoder's anomalies (ICMP errors, bad checksums, frag-needed). Pure: no clock, no I/O.
import type { Anomaly } from '../pcap/anomalies.js';
import type { CaptureSightings, Sighting } from '../pcap/sightings.js';
import type { TraceResult } from './trace.js';
import type { HopRole, PlannedHop, ProbePlan } from './probe-plan.js';
import type { Code } from '../model/codes.js';

export interface HopObservation {
  /** the capture ran (tcpdump listened the whole time) */
  ran: boolean;
  /** why it did not run */
  error?: string;
  sightings?: CaptureSightings;
}

/** What the sender itself reported (ping's statistics, probe-send's counts); absent fields were not reported. */
export interface SenderReport {
  sent?: number;
  received?: number;
  error?: string;
}

export interface ProbeHop {
  node: string;
  device: string;
  role: HopRole;
  side: PlannedHop['side'];
  /** the request was seen; null = not verified (the capture did not run) */
  seen: boolean | null;
  /** which of the probe's packets this hop saw */
  direction?: 'request' | 'reply' | 'both';
  /** ms after the probe was first seen on this hop's node (each node's own clock: see ProbeResult.atBase) */
  at?: number;
  requests: number;
  replies: number;
  /** ICMP errors about the probe seen here (net unreachable, frag-needed, …) */
  errors?: NonNullable<Sighting['error']>[];
  /** the tunnel header of the first request seen here (underlay) */
  outer?: Sighting['outer'];
  /** Ethernet destination of the first request seen here (a plain frame) */
  ethDst?: string;
  anomalies?: Pick<Anomaly, 'kind' | 'severity' | 'summary' | 'count'>[];
  /** why this hop is not verified */
  unverified?: string;
}

export interface ProbeResult {
  destination: string;
  source: { pod: string; netns: string; ip: string; node: string };
  proto: ProbePlan['tag']['proto'];
  /** the tag the captures matched: ICMP id or source port */
  tag: { id: number; port?: number };
  /** delivered and answered */
  ok: boolean;
  /** true: answered, or seen at the destination pod's veth; false: it never left this node; null: not known */
  delivered: boolean | null;
  replied: boolean;
  sent?: number;
  received?: number;
  hops: ProbeHop[];
  /** what `at` counts from: the probe's first sighting on the same node, so two hosts' clocks are never mixed */
  atBase: 'node';
  lostAfter: { node: string; device: string; direction: 'request' | 'reply'; pod?: string } | null;
  /** what the sender itself said went wrong (ping's or probe-send's error line) */
  senderError?: string;
  /** a stable code: the trace's own code for the fault when it names one, else a PROBE_* code */
  code?: string;
  problem?: string;
  summary: string;
}

const ROUND = (ms: number): number => Math.round(ms * 1000) / 1000;

function isAnswer(s: Sighting, destination: string): boolean {
  return s.kind === 'reply' || (s.kind === 'icmp-error' && s.error?.from === destination);
}

function hopResult(h: PlannedHop, o: HopObservation, destination: string): ProbeHop {
  const base = { node: h.node, device: h.device, role: h.role, side: h.side };
  if (!o.ran || !o.sightings) return { ...base, seen: null, requests: 0, replies: 0, unverified: `capture on ${h.device} did not run: ${o.error ?? 'unknown reason'}` };
  const s = o.sightings.sightings;
  const requests = s.filter((x) => x.kind === 'request');
  const replies = s.filter((x) => isAnswer(x, destination));
  const errors = s.filter((x) => x.kind === 'icmp-error' && x.error).map((x) => x.error!);
  const hop: ProbeHop = { ...base, seen: requests.length > 0, requests: requests.length, replies: replies.length };
  if (requests.length || replies.length) hop.direction = requests.length && replies.length ? 'both' : requests.length ? 'request' : 'reply';
  if (errors.length) hop.errors = dedupe(errors);
  const outer = requests.find((x) => x.outer)?.outer;
  if (outer) hop.outer = outer;
  const ethDst = requests.find((x) => x.ethDst)?.ethDst;
  if (ethDst) hop.ethDst = ethDst;
  if (o.sightings.anomalies.length) hop.anomalies = o.sightings.anomalies.map(({ kind, severity, summary, count }) => ({ kind, severity, summary, count }));
  return hop;
}

function dedupe<T>(xs: T[]): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = JSON.stringify(x);
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

/** Trace steps that can explain a loss after a hop of this role (what lies between it and the next hop). */
const SEGMENT_STEPS: Record<HopRole | 'pod', string[]> = {
  pod: ['pod'],
  'pod-veth': ['veth', 'bridge'],
  bridge: ['route', 'vxlan-device', 'ipip-device', 'bridge', 'neigh', 'fdb', 'veth'],
  overlay: ['neigh', 'fdb', 'node', 'underlay', 'mtu'],
  underlay: ['node', 'neigh', 'fdb', 'arrive', 'route', 'bridge', 'veth', 'pod'],
};
/** On the target node the probe meets the hops the other way round: underlay, overlay, bridge, pod veth. */
const TARGET_SEGMENT_STEPS: Record<HopRole, string[]> = {
  underlay: ['arrive', 'vxlan-device', 'ipip-device'],
  overlay: ['route', 'bridge'],
  bridge: ['neigh', 'fdb', 'veth'],
  'pod-veth': ['pod'],
};

interface Generic {
  code: Code;
  why: string;
}

const GENERIC: Record<HopRole | 'pod', Generic> = {
  pod: { code: 'PROBE_NOT_SENT', why: 'the pod did not send it: check its own route and ARP (ip netns exec <pod> ip route)' },
  'pod-veth': { code: 'PROBE_LOST_AT_BRIDGE', why: 'the host veth did not hand it to the bridge: is the veth enslaved (master) and up?' },
  bridge: { code: 'PROBE_NOT_FORWARDED', why: 'the node did not forward it: the route to the destination, net.ipv4.ip_forward, or an iptables FORWARD policy/rule' },
  overlay: { code: 'PROBE_NOT_ENCAPSULATED', why: 'the overlay device did not send it out: the neigh (VtepMAC) or the fdb entry (VtepMAC → node IP)' },
  underlay: { code: 'PROBE_NO_ANSWER', why: 'it left the node and no answer came back: on the remote node a wrong VtepMAC, FORWARD policy, rp_filter, or the remote pod is down' },
};

function genericFor(role: HopRole | 'pod', side: 'source' | 'target', hasTarget: boolean): Generic {
  if (side === 'source') {
    if (role === 'underlay' && hasTarget) return { code: 'PROBE_LOST_ON_UNDERLAY', why: 'it left this node but never reached the target node\'s interface: the underlay between them (a firewall on the VXLAN port, routing, MTU)' };
    return GENERIC[role];
  }
  switch (role) {
    case 'underlay':
      return { code: 'PROBE_NOT_DECAPSULATED', why: 'the target node received it but its overlay device did not take it: the inner destination MAC is not its flannel.1 MAC, or the VNI / VXLAN port differ' };
    case 'overlay':
      return { code: 'PROBE_NOT_FORWARDED', why: 'the target node decapsulated it but did not forward it to the pod bridge: its iptables FORWARD policy/rules, net.ipv4.ip_forward, rp_filter, or its route to the pod subnet' };
    case 'bridge':
      return { code: 'PROBE_LOST_AT_BRIDGE', why: 'the target\'s bridge did not hand it to the pod\'s veth: the pod\'s MAC on the bridge, the veth\'s master' };
    default:
      return { code: 'PROBE_NO_ANSWER', why: 'delivered to the pod\'s veth, and the pod did not answer: is it running, does its firewall or its route back drop it?' };
  }
}

/** Node findings (doctor's codes) that explain a packet the node did not forward, by node. */
export type NodeFindings = Map<string, { code: string; summary: string }[]>;
const FORWARDING = new Set(['IP_FORWARD_OFF', 'FORWARD_DROP_NO_FLANNEL_FWD', 'FORWARD_REJECT_BEFORE_FLANNEL', 'NFT_FORWARD_DROP', 'NFT_FORWARD_RULE_MISSING']);

function traceProblems(trace: TraceResult, steps: string[], node?: string): { code: string; detail: string }[] {
  const hops = [...trace.hops, ...(trace.reverse?.hops ?? [])];
  return hops
    .filter((h) => h.ok === false && steps.includes(h.step) && (node === undefined || h.node === node))
    .flatMap((h) => (h.problems ?? (h.problem ? [h.problem] : [])).map((code) => ({ code, detail: `${h.step} ${h.device} on ${h.node}: ${h.detail}` })));
}

export function probeVerdict(plan: ProbePlan, observed: HopObservation[], sender: SenderReport, trace: TraceResult, findings: NodeFindings = new Map()): ProbeResult {
  const all = plan.hops.map((h, i) => hopResult(h, observed[i] ?? { ran: false, error: 'no capture' }, plan.destination));
  placeInTime(all, observed, plan);
  const hops = oneCandidate(all, plan);
  const first = hops[0];
  const replied = sender.received !== undefined ? sender.received > 0 : first?.seen !== null && (first?.replies ?? 0) > 0;
  const src = plan.source;
  const result: ProbeResult = {
    destination: plan.destination,
    source: { pod: src.pod, netns: src.netns, ip: src.ip, node: src.node },
    proto: plan.tag.proto,
    tag: { id: plan.tag.id, ...(plan.tag.port ? { port: plan.tag.port } : {}) },
    ok: false,
    delivered: null,
    replied,
    ...(sender.sent !== undefined ? { sent: sender.sent } : {}),
    ...(sender.received !== undefined ? { received: sender.received } : {}),
    ...(sender.error ? { senderError: sender.error } : {}),
    hops,
    atBase: 'node',
    lostAfter: null,
    summary: '',
  };
  const atTarget = hops.some((h) => h.side === 'target' && h.role === 'pod-veth' && h.seen === true);
  if (replied) {
    result.ok = true;
    result.delivered = true;
    result.summary = `${plan.destination} answered ${sender.received ?? first.replies} of ${sender.sent ?? first.requests} probes from ${src.pod}: ${seenList(hops)}`;
    return result;
  }
  locateLoss(result, plan, trace, atTarget, findings);
  return result;
}

/** Of the target bridge's veths listened on as candidates, the one that heard the probe stands for the pod's veth. */
function oneCandidate(hops: ProbeHop[], plan: ProbePlan): ProbeHop[] {
  const isCandidate = (i: number): boolean => plan.hops[i]?.candidate === true;
  const candidates = hops.filter((_, i) => isCandidate(i));
  if (candidates.length <= 1) return hops;
  const heard = candidates.find((h) => h.seen === true || h.replies > 0);
  const none = candidates.every((h) => h.seen === false);
  const stand: ProbeHop = heard ?? {
    ...candidates[0],
    device: `veth of ${plan.destination}`,
    seen: none ? false : null,
    ...(none ? {} : { unverified: `not every veth on the bridge could be listened on (${candidates.filter((h) => h.seen === null).map((h) => h.device).join(', ')})` }),
  };
  const first = hops.findIndex((_, i) => isCandidate(i));
  const out: ProbeHop[] = [];
  hops.forEach((h, i) => {
    if (!isCandidate(i)) out.push(h);
    else if (i === first) out.push(stand);
  });
  return out;
}

/**
 * `at`: ms after the probe's first sighting on the same node. Captures on one host share its clock; across nodes
 * the clocks differ by an unknown offset, so each node's hops are placed against that node's own first sighting.
 */
function placeInTime(hops: ProbeHop[], observed: HopObservation[], plan: ProbePlan): void {
  const firstOf = (o: HopObservation | undefined): number | undefined => {
    const s = o?.sightings?.sightings.find((x) => x.kind === 'request') ?? o?.sightings?.sightings[0];
    return s?.ms;
  };
  const times = observed.map(firstOf);
  const t0 = new Map<string, number>();
  plan.hops.forEach((h, i) => {
    const t = times[i];
    const first = t0.get(h.node);
    if (t !== undefined && (first === undefined || t < first)) t0.set(h.node, t);
  });
  hops.forEach((h, i) => {
    const base = t0.get(plan.hops[i]?.node ?? h.node);
    if (times[i] !== undefined && base !== undefined) h.at = ROUND(times[i]! - base);
  });
}

function locateLoss(r: ProbeResult, plan: ProbePlan, trace: TraceResult, atTarget: boolean, findings: NodeFindings): void {
  const hops = r.hops;
  const missing = hops.findIndex((h) => h.seen === false);
  let lastSeen = -1;
  for (let i = 0; i < (missing < 0 ? hops.length : missing); i++) if (hops[i].seen === true) lastSeen = i;
  const errors = dedupe(hops.flatMap((h) => h.errors ?? []));
  const errorText = errors.map((e) => `ICMP ${icmpName(e)} from ${e.from}`).join('; ');
  let role: HopRole | 'pod';
  let direction: 'request' | 'reply' = 'request';
  let what: string;
  if (missing >= 0) {
    // the request stopped between the last hop that saw it and the first verified one that did not
    role = lastSeen < 0 ? 'pod' : hops[lastSeen].role;
    const gap = hops.slice(lastSeen + 1, missing).filter((h) => h.seen === null).map((h) => h.device);
    what = lastSeen < 0 ? `not seen on ${hops[missing].device}` : `seen on ${hops[lastSeen].device}, not on ${hops[missing].device}${gap.length ? ` (not verified in between: ${gap.join(', ')})` : ''}`;
    r.delivered = hops[missing].side === 'source' && plan.backend !== 'local' ? false : null;
  } else {
    const answeredAt = hops.findIndex((h) => h.replies > 0);
    lastSeen = hops.map((h) => h.seen).lastIndexOf(true);
    if (answeredAt >= 0) {
      // answered, but the answer did not reach the pod: it was last seen on its way back at answeredAt
      direction = 'reply';
      lastSeen = answeredAt;
      role = hops[answeredAt].role;
      what = `the answer was seen on ${hops[answeredAt].device} but never reached the pod`;
      r.delivered = true;
    } else {
      role = lastSeen < 0 ? 'pod' : hops[lastSeen].role;
      what = lastSeen < 0 ? 'not seen anywhere (no capture could verify it)' : `left ${hops[lastSeen].device}${outerText(hops[lastSeen])}; no answer came back`;
      r.delivered = atTarget ? true : null;
    }
  }
  const at = lastSeen >= 0 ? hops[lastSeen] : undefined;
  r.lostAfter = at ? { node: at.node, device: at.device, direction } : { node: plan.source.node, device: 'eth0', direction, pod: plan.source.pod };
  const side = at?.side ?? 'source';
  const hasTarget = hops.some((h) => h.side === 'target');
  const found =
    direction === 'reply'
      ? traceProblems(trace, ['route', 'neigh', 'fdb', 'underlay', 'node'])
      : side === 'target'
        ? traceProblems(trace, TARGET_SEGMENT_STEPS[role as HopRole], at!.node)
        : traceProblems(trace, SEGMENT_STEPS[role]);
  // a node that does not forward: doctor's own finding on that node names it (the same code as doctor's)
  const forwarding = (side === 'source' && role === 'bridge') || (side === 'target' && role === 'overlay') ? (findings.get(at?.node ?? plan.source.node) ?? []).filter((f) => FORWARDING.has(f.code)) : [];
  const vtep =
    direction !== 'request' ? undefined : role === 'underlay' && (side === 'target' || !hasTarget) ? staleVtep(at, plan) : side === 'target' && role === 'overlay' ? notItsMac(at!, plan) : undefined;
  const generic = direction === 'reply' ? GENERIC.underlay : genericFor(role, side, hasTarget);
  const mtu = decoderSaw(hops, MTU_KINDS, 'PROBE_MTU_EXCEEDED', 'the probe is larger than the path MTU there (an underlay MTU below flannel.1\'s + 50, a route mtu, a pod MTU above flannel\'s)');
  const checksum = decoderSaw(hops, CHECKSUM_KINDS, 'PROBE_BAD_CHECKSUM', 'a receiver drops it (a checksum offload bug or a device that mangles packets before that hop)');
  // the kernel's own ICMP error and the wire itself outrank what the state suggests; a bad checksum only explains a loss nothing else does
  r.code = vtep?.code ?? mtu?.code ?? found[0]?.code ?? forwarding[0]?.code ?? checksum?.code ?? generic.code;
  const traced = found.length ? `trace: ${found.map((f) => `${f.code} (${f.detail})`).join('; ')}` : '';
  const doctor = forwarding.length ? `doctor on ${at?.node ?? plan.source.node}: ${forwarding.map((f) => `${f.code} (${f.summary})`).join('; ')}` : '';
  const why = [vtep?.text, mtu?.text, traced, doctor, checksum?.text].filter(Boolean).join(' — ') || generic.why;
  const senderText = r.senderError && role === 'pod' ? `the sender said: ${r.senderError}` : '';
  r.problem = [what, errorText, senderText, why].filter(Boolean).join(' — ');
  const where = at ? `after ${at.device} on ${at.node}` : `in pod ${plan.source.pod}`;
  r.summary = `LOST ${where}${direction === 'reply' ? ' (the answer, on its way back)' : ''}: ${r.code}: ${r.problem}`;
}

const MTU_KINDS = ['icmp-frag-needed', 'inner-exceeds-mtu'];
const CHECKSUM_KINDS = ['bad-ip-checksum', 'bad-outer-udp-checksum'];

/** The first hop, in path order, where the decoder saw an anomaly of these kinds on the probe's packets. */
function decoderSaw(hops: ProbeHop[], kinds: string[], code: Code, why: string): { code: Code; text: string } | undefined {
  for (const h of hops) {
    const a = h.anomalies?.find((x) => kinds.includes(x.kind));
    if (a) return { code, text: `the decoder, first on ${h.device} (${h.node}): ${a.kind}: ${a.summary} — ${why}` };
  }
  return undefined;
}

/** Left the underlay with an inner destination MAC that is not the target node's VtepMAC (from its lease). */
function staleVtep(hop: ProbeHop | undefined, plan: ProbePlan): { code: string; text: string } | undefined {
  const seenMac = hop?.outer?.innerDstMac;
  const want = plan.leaseVtepMac;
  const t = plan.targetNode;
  if (!seenMac || !want || seenMac === want) return undefined;
  const node = t?.name ? `${t.name} (${t.ip})` : (t?.ip ?? hop!.outer!.dst);
  return { code: 'VTEP_MAC_MISMATCH', text: `the packets went to node ${node} with inner destination MAC ${seenMac}, but its lease says VtepMAC ${want}: the remote VXLAN device drops frames not addressed to it (stale neigh/fdb after it was recreated)` };
}

/** The target's overlay device saw the frames, addressed to a MAC that is not its own: it does not take them up. */
function notItsMac(hop: ProbeHop, plan: ProbePlan): { code: string; text: string } | undefined {
  const own = plan.hops.find((h) => h.node === hop.node && h.device === hop.device)?.mac;
  if (!hop.ethDst || !own || hop.ethDst === own) return undefined;
  return { code: 'VTEP_MAC_MISMATCH', text: `${hop.device} on ${hop.node} received the frames for MAC ${hop.ethDst}, but its own MAC is ${own}: it drops them (the sender's neigh/fdb hold a stale VtepMAC)` };
}

function outerText(h: ProbeHop): string {
  const o = h.outer;
  if (!o) return '';
  return ` (${o.encap}${o.vni !== undefined ? ` vni ${o.vni}` : ''} ${o.src} → ${o.dst}${o.innerDstMac ? `, inner dst MAC ${o.innerDstMac}` : ''})`;
}

const UNREACH: Record<number, string> = { 0: 'net unreachable', 1: 'host unreachable', 2: 'protocol unreachable', 3: 'port unreachable', 4: 'fragmentation needed', 9: 'net prohibited', 10: 'host prohibited', 13: 'administratively prohibited' };

const UNREACH6: Record<number, string> = { 0: 'no route', 1: 'administratively prohibited', 3: 'address unreachable', 4: 'port unreachable' };

function icmpName(e: NonNullable<Sighting['error']>): string {
  if (e.from.includes(':')) {
    if (e.type === 2) return `packet too big (MTU ${e.mtu ?? '?'})`;
    if (e.type === 3) return 'time exceeded';
    return UNREACH6[e.code] ?? `unreachable code ${e.code}`;
  }
  if (e.type === 11) return 'time exceeded';
  const name = UNREACH[e.code] ?? `unreachable code ${e.code}`;
  return e.code === 4 && e.mtu ? `${name} (next-hop MTU ${e.mtu})` : name;
}

function seenList(hops: ProbeHop[]): string {
  const seen = hops.filter((h) => h.seen === true).map((h) => h.device);
  const unverified = hops.filter((h) => h.seen === null).map((h) => h.device);
  return `seen on ${seen.join(', ') || 'no capture'}${unverified.length ? `; not verified on ${unverified.join(', ')}` : ''}`;
}
