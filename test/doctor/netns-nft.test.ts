import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseNft } from '../../src/parse/nft.js';
import { runCli } from '../collect/cli.js';
import { buildFlannelCluster, type LabCluster, nodesJson, subnetEnvText } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { cli, codes } from '../repair/netns-helpers.js';

/**
 * The ruleset flannel's pkg/trafficmngr/nftables writes for one node (Init: both tables; SetupAndEnsureMasqRules:
 * postrtg with addMasqRules; SetupAndEnsureForwardRules: forward), as `nft -f` input. The rule strings are the
 * knftables.Concat arguments of flannel's source, spelled out for Network 10.244.0.0/16 and the node's lease.
 */
function flannelNftRules(lease: string, network = '10.244.0.0/16'): string {
  return `table ip flannel-ipv4 {
	comment "rules for flannel-ipv4"
	chain postrtg {
		comment "chain to manage traffic masquerading by flannel"
		type nat hook postrouting priority srcnat;
		meta mark 0x4000 return
		ip saddr ${lease} ip daddr ${network} return
		ip saddr ${network} ip daddr ${lease} return
		ip saddr != ${lease} ip daddr ${network} return
		ip saddr ${network} ip daddr != 224.0.0.0/4 masquerade fully-random
		ip saddr != ${network} ip daddr ${network} masquerade fully-random
	}
	chain forward {
		comment "chain to accept flannel traffic"
		type filter hook forward priority filter;
		ip saddr ${network} accept
		ip daddr ${network} accept
	}
}
table ip6 flannel-ipv6 {
	comment "rules for flannel-ipv6"
}
`;
}

/** flannel's iptables-mode forward rules (pkg/trafficmngr/iptables, reference §2.7), as iptables-restore --noflush input. */
const IPTABLES_FWD = `*filter
:FLANNEL-FWD - [0:0]
-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD
-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-A FLANNEL-FWD -d 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
COMMIT
`;

// A node of a real namespace flannel cluster running flannel in nftables mode (EnableNFTables: true).
// With CI=true a machine that cannot build namespaces fails this suite instead of skipping it.
describeNetns('doctor in nftables mode (netns node with flannel\'s nft tables)', () => {
  const lab = new Lab('nft');
  const tmp = mkdtempSync(join(tmpdir(), 'flanctl-nft-'));
  let cluster: LabCluster;
  let ns: string;
  let args: string[];

  beforeAll(() => {
    cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 1 });
    const node = cluster.nodes[0];
    ns = node.netns;
    writeFileSync(join(tmp, 'nodes.json'), nodesJson(cluster));
    writeFileSync(join(tmp, 'subnet.env'), subnetEnvText(node));
    writeFileSync(join(tmp, 'flannel.nft'), flannelNftRules(node.subnet));
    lab.exec(ns, ['nft', '-f', join(tmp, 'flannel.nft')]);
    args = ['doctor', '--netns', ns, '--nodes', join(tmp, 'nodes.json'), '--subnet-env', join(tmp, 'subnet.env'), '--json'];
  });
  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('reads the same rules from nft -j as nft prints in text (the JSON printer against nft itself)', () => {
    const text = parseNft(lab.exec(ns, ['nft', 'list', 'ruleset']));
    const json = parseNft(lab.exec(ns, ['nft', '-j', 'list', 'ruleset']));
    expect(json.form).toBe('json');
    expect(json.rules.map((r) => r.text)).toEqual(text.rules.map((r) => r.text));
    expect(json.chains.map(({ handle: _, ...c }) => c)).toEqual(text.chains);
  });

  it('healthy: no masquerade finding of any severity, no nftables finding', () => {
    const r = cli(args);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(codes(r).filter((c: string) => /MASQ|NFT|BACKENDS/.test(c))).toEqual([]);
    expect(r.json.skipped.map((s: { check: string }) => s.check)).not.toContain('nftables');
  });

  it('postrtg flushed: doctor names the missing nft masquerade, not the iptables one', () => {
    lab.exec(ns, ['nft', 'flush', 'chain', 'ip', 'flannel-ipv4', 'postrtg']);
    try {
      const r = cli(args);
      expect(r.status).toBe(1);
      expect(codes(r)).toEqual(['NFT_MASQ_MISSING']);
      const f = r.json.findings[0];
      expect(f.summary).toContain('flannel-ipv4 postrtg');
      expect(f.fix).toContain('flanctl repair does not touch masquerade rules');
    } finally {
      lab.exec(ns, ['nft', '-f', join(tmp, 'flannel.nft')]);
    }
  });

  it('one return rule gone: doctor names it', () => {
    // the rule `ip saddr != <lease> ip daddr <Network> return` has handle 6 in a fresh table (3..8 in postrtg)
    const listed = lab.exec(ns, ['nft', '-a', 'list', 'chain', 'ip', 'flannel-ipv4', 'postrtg']);
    const handle = /ip saddr != \S+ ip daddr \S+ return # handle (\d+)/.exec(listed)?.[1];
    expect(handle).toBeDefined();
    lab.exec(ns, ['nft', 'delete', 'rule', 'ip', 'flannel-ipv4', 'postrtg', 'handle', handle!]);
    try {
      const r = cli(args);
      expect(codes(r)).toEqual(['NFT_MASQ_RULE_MISSING']);
      expect(r.json.findings[0].evidence).toContain(`missing: ip saddr != ${cluster.nodes[0].subnet} ip daddr 10.244.0.0/16 return`);
    } finally {
      lab.exec(ns, ['nft', 'delete', 'table', 'ip', 'flannel-ipv4']);
      lab.exec(ns, ['nft', 'delete', 'table', 'ip6', 'flannel-ipv6']);
      lab.exec(ns, ['nft', '-f', join(tmp, 'flannel.nft')]);
    }
  });

  it('flannel rules in both iptables and nftables: doctor says so', () => {
    const r0 = spawnSync('ip', ['netns', 'exec', ns, 'iptables-restore', '--noflush'], { input: IPTABLES_FWD, encoding: 'utf8' });
    expect(r0.status, r0.stderr).toBe(0);
    const r = cli(args);
    expect(r.status).toBe(1);
    expect(codes(r)).toEqual(['FLANNEL_RULES_BOTH_BACKENDS']);
    expect(r.json.findings[0].evidence.join('\n')).toContain('FLANNEL-FWD');
  });

  it('collect says so when nft is not installed', () => {
    // a PATH holding only ip: every other program of the step list is missing
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    const ip = spawnSync('sh', ['-c', 'command -v ip'], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(ip, join(bin, 'ip'));
    const r = runCli(['collect', '--netns', ns, '--json'], { env: { ...process.env, PATH: bin } });
    expect(r.status, r.stderr).toBe(0);
    const step = JSON.parse(r.stdout).commands.find((c: { name: string }) => c.name === 'nft');
    expect(step).toMatchObject({ ok: false, error: expect.stringContaining('nft not installed') });
  });
});
