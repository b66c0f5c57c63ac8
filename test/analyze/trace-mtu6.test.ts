// trace's MTU hop for flannel-v6.<VNI> on the dual-stack node (test/repair/dual-fixture.ts). What is right comes from
// the kernel and flannel's source, not from trace: the kernel gives a new vxlan-over-IPv6 device underlay − 70 (1430
// on eth0's 1500) and refuses more (test/netns/flannel-cluster-v6.test.ts), and keeps it when the underlay shrinks
// later (`ip link set eth0 mtu 1400` leaves flannel-v6.1 at 1430, checked on this kernel); flanneld sets no MTU on
// flannel-v6.<VNI> and writes one FLANNEL_MTU (its IPv4 device's, ext − 50 = 1450; WriteSubnetFile has no IPv6 MTU),
// which cni0 gets: cni0 1450 above flannel-v6.1 1430 is flannel's own layout, not a fault.
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { trace, type TraceResult } from '../../src/analyze/trace.js';
import { Snapshot } from '../../src/model/snapshot.js';
import { link, type Raw } from '../doctor/fixture.js';
import { without } from '../doctor/fault-cases.js';
import { dual, dualRaw } from '../repair/dual-fixture.js';

const POD6 = 'fd00:10:244:2::5';
const POD4 = '10.244.2.5';
const mtuHops = (r: TraceResult) => r.hops.filter((h) => h.step === 'mtu');
/** the underlay shrank under both vxlan devices after they were made */
const shrink = (raw: Raw): void => void (link(raw, 'eth0').mtu = 1400);

describe("trace's MTU hop over IPv6 (flannel-v6.1 against eth0 − 70)", () => {
  it('healthy: one mtu hop on flannel-v6.1, ok; cni0 1450 and FLANNEL_MTU 1450 above its 1430 are not a fault', () => {
    const { snapshot, desired } = dual();
    const r = trace([snapshot], POD6, { desired });
    expect(r.family).toBe('v6');
    const hops = mtuHops(r);
    expect(hops).toHaveLength(1);
    expect(hops[0]).toMatchObject({ device: 'flannel-v6.1', ok: true });
    expect(hops[0].detail).toContain('flannel-v6.1 1430');
    expect(hops[0].detail).toContain('eth0 1500');
    expect(r.problems).toEqual([]);
  });

  it('the underlay shrank to 1400 (1430 > 1400 − 70): MTU_MISMATCH at the mtu hop, the code the IPv4 hop gives for the same fault', () => {
    const { snapshot, desired } = dual(shrink);
    const v6 = trace([snapshot], POD6, { desired });
    expect(v6.ok).toBe(false);
    expect(mtuHops(v6)[0]).toMatchObject({ device: 'flannel-v6.1', ok: false, problem: 'MTU_MISMATCH' });
    expect(v6.problems).toEqual(['MTU_MISMATCH']);
    const v4 = trace([snapshot], POD4, { desired });
    expect(mtuHops(v4)[0]).toMatchObject({ device: 'flannel.1', ok: false, problem: 'MTU_MISMATCH' });
  });

  it('doctor names the same fault on flannel-v6.1 with the same code, and the MTU the kernel would give as the fix', () => {
    const { snapshot, desired } = dual(shrink);
    const v6 = runDoctor({ snapshot, desired }).findings.filter((f) => f.code === 'MTU_MISMATCH' && f.summary.includes('flannel-v6.1'));
    expect(v6).toHaveLength(1);
    expect(v6[0].fix).toMatch(/^ip (-n \S+ )?link set dev flannel-v6.1 mtu 1330$/);
    // the healthy node: no MTU finding on either device
    const healthy = dual();
    expect(runDoctor(healthy).findings.filter((f) => f.code === 'MTU_MISMATCH')).toEqual([]);
  });

  it('removal: without the link list the MTUs are unknown: the mtu hop is unverified with what to paste, no code', () => {
    const { raw, desired } = dualRaw();
    shrink(raw);
    const r = trace([Snapshot.parse(without(raw, 'links'))], POD6, { desired });
    expect(r.problems).not.toContain('MTU_MISMATCH');
    const hop = mtuHops(r)[0];
    expect(hop).toMatchObject({ ok: null });
    expect(hop.unverified).toMatch(/`ip -d link show`|`ip link/);
    const d = runDoctor({ snapshot: Snapshot.parse(without(raw, 'links')), desired });
    expect(d.findings.map((f) => f.code)).not.toContain('MTU_MISMATCH');
  });
});
