// The probe's verdict from hand-written observations: which hop saw what, as a person reading four captures
// would tell it. The integration suite (test/integration/probe.test.ts) has the kernel produce them.
import { describe, expect, it } from 'vitest';
import type { ProbePlan } from '../../src/analyze/probe-plan.js';
import { type HopObservation, probeVerdict } from '../../src/analyze/probe-verdict.js';
import type { TraceResult } from '../../src/analyze/trace.js';
import { parsePingStats } from '../../src/parse/ping.js';
import type { Sighting } from '../../src/pcap/sightings.js';

const plan: ProbePlan = {
  source: { pod: 'web-0', netns: 'cni-1', ip: '10.244.1.2', node: 'node1', hostVeth: 'veth1', bridge: 'cni0' },
  destination: '10.244.2.2',
  tag: { proto: 'icmp', id: 77 },
  backend: 'vxlan',
  targetNode: { ip: '192.168.56.12', name: 'node2', subnet: '10.244.2.0/24' },
  leaseVtepMac: '02:00:00:00:00:22',
  hops: (['veth1', 'cni0', 'flannel.1', 'eth0'] as const).map((device, i) => ({
    node: 'node1',
    device,
    role: (['pod-veth', 'bridge', 'overlay', 'underlay'] as const)[i],
    encap: { kind: 'none' as const },
    filter: 'ip',
    side: 'source' as const,
  })),
};

const traceOk = { destination: '10.244.2.2', ok: true, backend: 'vxlan', sourceNode: 'node1', hops: [], problems: [] } as unknown as TraceResult;

const at = (ms: number, kind: Sighting['kind'], extra: Partial<Sighting> = {}): Sighting => ({ ms: 1_000 + ms, kind, ...extra });
const heard = (...s: Sighting[]): HopObservation => ({ ran: true, sightings: { packets: s.length, sightings: s, anomalies: [] } });
const nothing = heard();

describe('probe verdict', () => {
  it('answered: ok, delivered, every hop seen both ways, times from the first sighting', () => {
    const both = (ms: number) => heard(at(ms, 'request'), at(ms + 1, 'reply'));
    const r = probeVerdict(plan, [both(0), both(0.01), both(0.03), both(0.05)], { sent: 1, received: 1 }, traceOk);
    expect(r).toMatchObject({ ok: true, delivered: true, replied: true, lostAfter: null });
    expect(r.hops.map((h) => [h.device, h.seen, h.direction, h.at])).toEqual([
      ['veth1', true, 'both', 0],
      ['cni0', true, 'both', 0.01],
      ['flannel.1', true, 'both', 0.03],
      ['eth0', true, 'both', 0.05],
    ]);
  });

  it('two nodes: `at` counts from each node\'s own first sighting, so a clock 5 s behind changes nothing', () => {
    const target = (['eth0', 'flannel.1'] as const).map((device, i) => ({ ...plan.hops[3 - i], node: 'node2', device, side: 'target' as const }));
    const both = (ms: number) => heard(at(ms, 'request'), at(ms + 1, 'reply'));
    // node2's clock reads 5000 ms less than node1's: its first sighting is at 1000 + 0.2 - 5000 on the wire's time
    const r = probeVerdict({ ...plan, hops: [...plan.hops, ...target] }, [both(0), both(0.01), both(0.03), both(0.05), both(0.2 - 5000), both(0.23 - 5000)], { sent: 1, received: 1 }, traceOk);
    expect(r.atBase).toBe('node');
    expect(r.hops.map((h) => `${h.node}/${h.device}@${h.at}`)).toEqual(['node1/veth1@0', 'node1/cni0@0.01', 'node1/flannel.1@0.03', 'node1/eth0@0.05', 'node2/eth0@0', 'node2/flannel.1@0.03']);
  });

  it('a capture that did not run is not verified and never the place of a loss', () => {
    const r = probeVerdict(plan, [heard(at(0, 'request')), { ran: false, error: 'cni0: No such device exists' }, heard(at(1, 'request')), nothing], { sent: 1, received: 0 }, traceOk);
    expect(r.hops[1]).toMatchObject({ seen: null, unverified: 'capture on cni0 did not run: cni0: No such device exists' });
    expect(r.lostAfter).toEqual({ node: 'node1', device: 'flannel.1', direction: 'request' });
    expect(r).toMatchObject({ delivered: false, code: 'PROBE_NOT_ENCAPSULATED' });
  });

  it('not seen even on the pod veth: the pod itself did not send it', () => {
    const r = probeVerdict(plan, [nothing, nothing, nothing, nothing], { sent: 3, received: 0 }, traceOk);
    expect(r.lostAfter).toEqual({ node: 'node1', device: 'eth0', direction: 'request', pod: 'web-0' });
    expect(r.code).toBe('PROBE_NOT_SENT');
  });

  it('the answer came back on eth0 but not through flannel.1: lost on the way back, delivered', () => {
    const r = probeVerdict(plan, [heard(at(0, 'request')), heard(at(0, 'request')), heard(at(0, 'request')), heard(at(0, 'request'), at(1, 'reply'))], { sent: 1, received: 0 }, traceOk);
    expect(r).toMatchObject({ ok: false, delivered: true, replied: false, lostAfter: { device: 'eth0', direction: 'reply' }, code: 'PROBE_NO_ANSWER' });
  });

  it('left the node toward a MAC that is not the lease\'s VtepMAC: VTEP_MAC_MISMATCH, naming the node and both MACs', () => {
    const outer = { encap: 'vxlan' as const, src: '192.168.56.11', dst: '192.168.56.12', vni: 1, innerDstMac: '02:00:00:00:00:99' };
    const r = probeVerdict(plan, [heard(at(0, 'request')), heard(at(0, 'request')), heard(at(0, 'request')), heard(at(0, 'request', { outer }))], { sent: 1, received: 0 }, traceOk);
    expect(r.code).toBe('VTEP_MAC_MISMATCH');
    expect(r.problem).toMatch(/node2 \(192\.168\.56\.12\) with inner destination MAC 02:00:00:00:00:99, but its lease says VtepMAC 02:00:00:00:00:22/);
    expect(r.delivered).toBeNull();
  });

  it('the kernel\'s frag-needed outranks the trace\'s code; a bad checksum explains only a loss nothing else does', () => {
    const traced = { ...traceOk, ok: false, hops: [{ step: 'route', node: 'node1', device: 'flannel.1', detail: 'x', ok: false, problem: 'ROUTE_MISMATCH' }] } as unknown as TraceResult;
    const error = { from: '10.244.1.1', type: 3, code: 4, mtu: 1300 };
    const frag = { kind: 'icmp-frag-needed', severity: 'error' as const, summary: 'ICMP fragmentation needed (next-hop MTU 1300) from 10.244.1.1', count: 1, firstPacket: 2, lastPacket: 2 };
    const withAnomaly = (a: typeof frag, ...s: Sighting[]): HopObservation => ({ ran: true, sightings: { packets: s.length, sightings: s, anomalies: [a] } });
    const req = at(0, 'request');
    const mtu = probeVerdict(plan, [withAnomaly(frag, req, at(0.1, 'icmp-error', { error })), withAnomaly(frag, req, at(0.1, 'icmp-error', { error })), nothing, nothing], { sent: 1, received: 0 }, traced);
    expect(mtu).toMatchObject({ code: 'PROBE_MTU_EXCEEDED', lostAfter: { device: 'cni0' } });
    expect(mtu.problem).toMatch(/first on veth1 \(node1\): icmp-frag-needed/);
    const bad = { ...frag, kind: 'bad-ip-checksum', summary: 'IPv4 header checksum wrong' };
    const csum = (trace: TraceResult) => probeVerdict(plan, [heard(req), heard(req), withAnomaly(bad, req), nothing], { sent: 1, received: 0 }, trace);
    const fdb = { ...traceOk, ok: false, hops: [{ step: 'fdb', node: 'node1', device: 'flannel.1', detail: 'x', ok: false, problem: 'FDB_MISSING' }] } as unknown as TraceResult;
    expect(csum(fdb).code).toBe('FDB_MISSING');
    expect(csum(traceOk)).toMatchObject({ code: 'PROBE_BAD_CHECKSUM', lostAfter: { device: 'flannel.1' } });
  });

  it('takes the code of the fault from the trace when the trace names it on the segment', () => {
    const traced = { ...traceOk, ok: false, hops: [{ step: 'fdb', node: 'node1', device: 'flannel.1', detail: 'no fdb entry', ok: false, problem: 'FDB_MISSING' }] } as unknown as TraceResult;
    const r = probeVerdict(plan, [heard(at(0, 'request')), heard(at(0, 'request')), heard(at(0, 'request')), nothing], { sent: 1, received: 0 }, traced);
    expect(r).toMatchObject({ code: 'FDB_MISSING', lostAfter: { device: 'flannel.1' } });
  });
});

describe('ping statistics', () => {
  // lines as iputils 20221126 prints them (ping/ping_common.c: finish())
  it('reads transmitted, received and errors; nothing when ping stopped before its statistics', () => {
    expect(parsePingStats('--- 10.244.2.2 ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time 405ms\n')).toEqual({ transmitted: 3, received: 3, errors: 0 });
    expect(parsePingStats('3 packets transmitted, 0 received, +2 errors, 100% packet loss, time 408ms\n')).toEqual({ transmitted: 3, received: 0, errors: 2 });
    expect(parsePingStats('4 packets transmitted, 4 received, +1 duplicates, 0% packet loss, time 3004ms\n')).toEqual({ transmitted: 4, received: 4, errors: 0 });
    expect(parsePingStats('ping: connect: Network is unreachable\n')).toBeUndefined();
  });
});
