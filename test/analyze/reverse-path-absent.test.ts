// REVERSE_PATH_MISMATCH needs the target node's own fdb: node2's entry for node1's VtepMAC sends replies to
// 192.168.56.99, no node's address (the kernel sends a frame for that MAC to the entry's dst). Without node2's fdb
// the reply path is unverified, never that code, and the trace's verdict is not made worse than the same cluster
// without the fault and with the same fdb missing. Snapshots shaped as flanneld programs a node (reference §2).
// The pod veth hop on the target node likewise needs that node's own link list.
import { describe, expect, it } from 'vitest';
import { reversePathTrace as run, targetVethTrace, traceCodes as codes } from './removal-cases.js';

describe('REVERSE_PATH_MISMATCH without the target node\'s fdb', () => {
  it("node2's fdb sends replies for node1 to 192.168.56.99: REVERSE_PATH_MISMATCH on the reply path", () => {
    const r = run('192.168.56.99', true);
    expect(codes(r)).toContain('REVERSE_PATH_MISMATCH');
    expect(r.ok).toBe(false);
  });

  it("node2's fdb not read: no REVERSE_PATH_MISMATCH, the reply's fdb hop unverified, the verdict that of the healthy cluster with the same fdb missing", () => {
    const less = run('192.168.56.99', false);
    const base = run('192.168.56.11', false);
    expect(codes(less)).not.toContain('REVERSE_PATH_MISMATCH');
    expect(codes(less).filter((c) => !codes(base).includes(c))).toEqual([]);
    expect(less.reverse?.hops.some((h) => h.ok === null && h.step === 'fdb' && /bridge fdb show/.test(h.unverified ?? ''))).toBe(true);
    expect(less.ok).toBe(base.ok);
  });
});

describe("the pod veth hop on the target node without the target's link list", () => {
  it("node2's veth0a2b3c4d down: VETH_DOWN at veth on node2; without node2's links that hop is unverified with what to paste", () => {
    const full = targetVethTrace(false, true);
    expect(full.hops.find((h) => h.step === 'veth' && h.node === 'node2')).toMatchObject({ ok: false, problem: 'VETH_DOWN' });
    const less = targetVethTrace(false, false);
    expect(codes(less)).not.toContain('VETH_DOWN');
    expect(less.hops.find((h) => h.step === 'veth' && h.node === 'node2')).toMatchObject({ ok: null, unverified: expect.stringMatching(/`ip -d link show`/) });
    expect(less.ok).toBe(targetVethTrace(true, false).ok);
  });
});
