// trace of an IPv6 destination on a real `ip -6 route` output (fixtures/ip-route/lab-v6-host-gw.txt: a throwaway
// namespace with a host-gw style route `fd00:10:244:3::/64 via fd00:56::13 dev eth0`, a blackhole and a default
// route). The expectations are read from that output and from the leases written here, not from trace.
import { mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '../../src/analyze/trace.js';
import { loadFromDir } from '../../src/collect/from-dir.js';
import type { DesiredState, Snapshot } from '../../src/model/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'fct-trace6-'));
let node: Snapshot;

/** node3's dual-stack host-gw lease; its public-ipv6 as given */
const leases = (publicIpv6: string): DesiredState => ({
  leases: [{ node: 'node3', subnet: '10.244.3.0/24', publicIp: '192.168.56.13', backendType: 'host-gw', subnet6: 'fd00:10:244:3::/64', publicIpv6 }],
  problems: [],
});

describe('trace <IPv6> on a host-gw `ip -6 route`', () => {
  beforeAll(async () => {
    copyFileSync(new URL('../../fixtures/ip-route/lab-v6-host-gw.txt', import.meta.url), join(tmp, 'ip-route6.txt'));
    node = (await loadFromDir(tmp)).snapshot;
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('without leases: the gateway route is host-gw to fd00:56::13 on eth0', () => {
    const r = trace([node], 'fd00:10:244:3::5');
    expect(r).toMatchObject({ family: 'v6', backend: 'host-gw', targetNode: { ip: 'fd00:56::13' } });
    expect(r.hops[0]).toMatchObject({ step: 'route', device: 'eth0', ok: true });
    expect(r.ok).not.toBe(false);
  });

  it('with the lease whose public-ipv6 is that gateway: no problem', () => {
    const r = trace([node], 'fd00:10:244:3::5', { desired: leases('fd00:56::13') });
    expect(r.problems).toEqual([]);
    expect(r.targetNode).toMatchObject({ ip: 'fd00:56::13', name: 'node3', subnet: 'fd00:10:244:3::/64' });
  });

  it('a lease with another public-ipv6: ROUTE_MISMATCH at the route hop', () => {
    const r = trace([node], 'fd00:10:244:3::5', { desired: leases('fd00:56::14') });
    expect(r.ok).toBe(false);
    expect(r.hops[0]).toMatchObject({ step: 'route', ok: false, problem: 'ROUTE_MISMATCH' });
  });

  it('the blackhole fd00:10:244:9::/64 drops: ROUTE_BLACKHOLE', () => {
    expect(trace([node], 'fd00:10:244:9::1').hops[0]).toMatchObject({ step: 'route', ok: false, problem: 'ROUTE_BLACKHOLE' });
  });

  it('an address written long-hand is traced in RFC 5952 form', () => {
    expect(trace([node], 'FD00:0010:0244:0003:0000:0000:0000:0005').destination).toBe('fd00:10:244:3::5');
  });

  it('an IPv4-only paste leaves an IPv6 destination unverified at the route hop (no finding)', async () => {
    const v4 = mkdtempSync(join(tmpdir(), 'fct-trace6-v4-'));
    try {
      copyFileSync(new URL('../../fixtures/ip-route/netns-node.txt', import.meta.url), join(v4, 'ip-route.txt'));
      const r = trace([(await loadFromDir(v4)).snapshot], 'fd00:10:244:3::5');
      expect(r.ok).toBeNull();
      expect(r.hops[0]).toMatchObject({ step: 'route', ok: null });
      expect(r.hops[0].unverified).toContain('ip -6 route show');
    } finally {
      rmSync(v4, { recursive: true, force: true });
    }
  });
});
