// The nftables check on the healthy doctor fixture (node1: lease 10.244.1.0/24, Network 10.244.0.0/16) given the
// ruleset flannel writes for that node (fixtures/nft/netns-flannel-ipv4.json, nft -j of a namespace holding
// flannel's rules), with one thing changed at a time. Expected codes come from flannel's source: the order and
// hooks of pkg/trafficmngr/nftables, and nftables' rule that a drop verdict in any base chain is final.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import type { DesiredState } from '../../src/model/lease.js';
import { parseNft } from '../../src/parse/index.js';
import { broken, type Raw } from './fixture.js';

const RULESET = readFileSync(new URL('../../fixtures/nft/netns-flannel-ipv4.json', import.meta.url), 'utf8');

function doctor(change: (nft: Raw, raw: Raw, desired: DesiredState) => void = () => undefined) {
  const { snapshot, desired } = broken((raw, d) => {
    raw.nft = parseNft(RULESET);
    // nftables mode: flanneld deleted its iptables chains (the fixture's own FLANNEL-* rules)
    for (const t of raw.iptables?.tables ?? []) {
      t.chains = t.chains.filter((c: Raw) => !c.name.startsWith('FLANNEL-'));
      t.rules = t.rules.filter((r: Raw) => !r.chain.startsWith('FLANNEL-') && !r.target?.startsWith('FLANNEL-'));
    }
    change(raw.nft, raw, d);
  });
  return runDoctor({ snapshot, desired });
}
const nftCodes = (r: ReturnType<typeof runDoctor>): string[] => r.findings.map((f) => f.code).filter((c) => /NFT|MASQ|BACKENDS|FORWARD/.test(c));

describe('doctor in nftables mode (fixture)', () => {
  it("flannel's ruleset: no finding, the iptables masquerade check stays silent", () => {
    expect(nftCodes(doctor())).toEqual([]);
  });

  it('a masquerade before the returns: NFT_MASQ_ORDER', () => {
    const r = doctor((nft) => {
      const post = nft.rules.filter((x: Raw) => x.chain === 'postrtg');
      const masq = post.pop();
      nft.rules.splice(nft.rules.indexOf(post[0]), 0, masq);
      nft.rules.splice(nft.rules.lastIndexOf(masq), 1);
    });
    expect(nftCodes(r)).toEqual(['NFT_MASQ_ORDER']);
  });

  it('postrtg not hooked at srcnat: NFT_CHAIN_HOOK', () => {
    expect(nftCodes(doctor((nft) => (nft.chains.find((c: Raw) => c.name === 'postrtg').prio = 0)))).toEqual(['NFT_CHAIN_HOOK']);
  });

  it("a drop policy on another table's forward hook (Docker via iptables-nft): NFT_FORWARD_DROP", () => {
    const r = doctor((nft) => nft.chains.push({ family: 'ip', table: 'filter', name: 'FORWARD', type: 'filter', hook: 'forward', prio: 0, policy: 'drop' }));
    expect(nftCodes(r)).toEqual(['NFT_FORWARD_DROP']);
  });

  it('br_netfilter not loaded: no BR_NETFILTER_MISSING in nftables mode (flanneld main.go checks it only when !EnableNFTables), found in iptables mode', () => {
    const nft = doctor((_nft, raw) => delete raw.sysctls['net.bridge.bridge-nf-call-iptables']);
    expect(nft.findings.map((f) => f.code)).not.toContain('BR_NETFILTER_MISSING');
    const ipt = doctor((_nft, raw, d) => {
      delete raw.sysctls['net.bridge.bridge-nf-call-iptables'];
      d.netConf = { ...(d.netConf ?? {}), EnableNFTables: false };
    });
    expect(ipt.findings.map((f) => f.code)).toContain('BR_NETFILTER_MISSING');
  });

  it("forward lacks an accept: NFT_FORWARD_RULE_MISSING", () => {
    const r = doctor((nft) => (nft.rules = nft.rules.filter((x: Raw) => x.text !== 'ip daddr 10.244.0.0/16 accept')));
    expect(nftCodes(r)).toEqual(['NFT_FORWARD_RULE_MISSING']);
  });

  it('EnableNFTables: true without nft output: unverified, not a finding', () => {
    const r = doctor((_nft, raw, d) => {
      delete raw.nft;
      d.netConf = { ...(d.netConf ?? {}), EnableNFTables: true };
    });
    expect(nftCodes(r)).toEqual([]);
    expect(r.unverified.find((s) => s.check === 'nftables')?.missing).toMatch(/nftables mode .* no nft list ruleset output.*`nft -j list ruleset`/);
  });

  it("EnableNFTables: false: iptables mode, so the fixture's FORWARD DROP without FLANNEL-FWD and the missing FLANNEL-POSTRTG are found", () => {
    const r = doctor((_nft, _raw, d) => void (d.netConf = { ...(d.netConf ?? {}), EnableNFTables: false }));
    expect(nftCodes(r)).toEqual(['FORWARD_DROP_NO_FLANNEL_FWD', 'MASQ_MISSING']);
  });

  it('dual stack: an ip6 flannel-ipv6 table without postrtg while FLANNEL_IPMASQ=true: NFT_MASQ_MISSING for ip6', () => {
    const r = doctor((_nft, raw) => Object.assign(raw.subnetEnv, { ipv6Network: 'fd00:10:244::/56', ipv6Subnet: 'fd00:10:244:1::1/64' }));
    expect(nftCodes(r)).toEqual(['NFT_MASQ_MISSING']);
    expect(r.findings.find((f) => f.code === 'NFT_MASQ_MISSING')?.summary).toContain('ip6 flannel-ipv6 postrtg');
  });
});
