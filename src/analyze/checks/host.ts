// Host settings flannel depends on (C-sys, C-ipt, C-offload of reference §7): sysctls, iptables, offload.
import type { Finding } from '../../model/finding.js';
import type { IptablesRuleset, IptablesTable } from '../../model/iptables.js';
import { type CheckContext, notApplicableV4 } from './context.js';
import { type Check, finding } from './finding.js';
import { iptablesModeKnown, MODE_PASTE, nftMode } from './nft.js';

function sysctl(ctx: CheckContext, key: string): string | undefined {
  const s = ctx.snapshot.sysctls;
  return s[key] ?? s[key.replaceAll('.', '/')];
}

export const sysctlCheck: Check = {
  name: 'sysctls',
  run(ctx) {
    if (Object.keys(ctx.snapshot.sysctls).length === 0) return { findings: [], unverified: [`the sysctls were not in the data given: paste \`${SYSCTL_PASTE}\``] };
    const out: Finding[] = [];
    const unverified: string[] = [];
    const fwd = sysctl(ctx, 'net.ipv4.ip_forward');
    // an IPv6-only node forwards by net.ipv6.conf.all.forwarding: ip_forward is not flannel's there
    if (fwd === '0' && !ctx.v6Only && !carriesIpv4(ctx)) unverified.push(`net.ipv4.ip_forward = 0 stops an IPv4 flannel node, and nothing given shows this node runs IPv4 flannel: paste \`cat /run/flannel/subnet.env\` or \`ip -d link show\``);
    else if (fwd === '0' && !ctx.v6Only) out.push(finding(ctx, 'IP_FORWARD_OFF', 'net.ipv4.ip_forward = 0: this node does not forward pod traffic', ['sysctl: net.ipv4.ip_forward = 0'], 'sysctl -w net.ipv4.ip_forward=1 (persist in /etc/sysctl.d/)'));
    const nf = sysctl(ctx, 'net.bridge.bridge-nf-call-iptables');
    // flanneld checks for br_netfilter only in iptables mode (main.go: `!config.EnableNFTables`): in nftables mode it is no fault of flannel's
    if (nf === undefined && !iptablesModeKnown(ctx)) unverified.push(`net.bridge.bridge-nf-call-iptables does not exist; flannel needs br_netfilter only in iptables mode, and ${MODE_PASTE}`);
    else if (nf === undefined) out.push(finding(ctx, 'BR_NETFILTER_MISSING', 'net.bridge.bridge-nf-call-iptables does not exist: br_netfilter is not loaded; flanneld ≥ 0.26 exits at start, Service traffic between pods on one node breaks (flannel #2166)', ['sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables'], 'modprobe br_netfilter; sysctl -w net.bridge.bridge-nf-call-iptables=1; persist in /etc/modules-load.d/'));
    else if (nf === '0') out.push(finding(ctx, 'BRIDGE_NF_CALL_IPTABLES_OFF', 'net.bridge.bridge-nf-call-iptables = 0: bridged pod traffic bypasses iptables (kube-proxy Services on the same node)', ['sysctl: net.bridge.bridge-nf-call-iptables = 0'], 'sysctl -w net.bridge.bridge-nf-call-iptables=1'));
    return { findings: out, unverified };
  },
};

/**
 * Whether the data given shows this node runs flannel's IPv4 family: its lease or FLANNEL_SUBNET, an IPv4 flannel
 * device, or cni0 with an IPv4 address or route. A sysctl paste alone does not: a v6-only node leaves ip_forward 0.
 */
function carriesIpv4(ctx: CheckContext): boolean {
  if (ctx.ownSubnet !== undefined || ctx.vxlan !== undefined) return true;
  if (ctx.links.has('flannel.ipip') || ctx.links.has('flannel-wg')) return true;
  if ((ctx.addrsByDev.get('cni0') ?? []).some((a) => a.family === 'inet')) return true;
  return ctx.snapshot.routes.some((r) => r.dev === 'cni0' && !r.dst.includes(':'));
}

const SYSCTL_PASTE = 'sysctl net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables';

const table = (rs: IptablesRuleset, name: string): IptablesTable | undefined => rs.tables.find((t) => t.name === name);
const ruleLine = (chain: string, spec: string): string => `iptables-save: -A ${chain} ${spec}`;

export const iptablesCheck: Check = {
  name: 'iptables',
  run(ctx) {
    const rs = ctx.snapshot.iptables;
    if (!rs) return { findings: [], unverified: ['the iptables rules were not in the data given: paste `iptables-save`'] };
    const out: Finding[] = [];
    const unverified: string[] = [];
    // in nftables mode flannel writes no FLANNEL-* chains: their absence is no finding (the nftables check looks
    // there), and while the mode is open it is none either
    const iptablesMode = iptablesModeKnown(ctx);
    // an IPv6-only node has no IPv4 pod network: FLANNEL-FWD/FLANNEL-POSTRTG are ip6tables' there, not iptables'
    const v4 = !ctx.v6Only;
    const filter = table(rs, 'filter');
    const forward = filter?.chains.find((c) => c.name === 'FORWARD');
    if (v4 && nftMode(ctx) === undefined && filter && forward && (forward.policy === 'DROP' || forward.policy === 'REJECT')) {
      const fwdRules = filter.rules.filter((r) => r.chain === 'FORWARD');
      const jump = fwdRules.findIndex((r) => r.target === 'FLANNEL-FWD');
      const accepts = filter.rules.filter((r) => r.chain === 'FLANNEL-FWD' && r.target === 'ACCEPT');
      const ev = [`iptables-save: :FORWARD ${forward.policy}`, ...fwdRules.slice(0, 8).map((r) => ruleLine('FORWARD', r.spec))];
      if ((jump < 0 || accepts.length === 0) && !iptablesMode) unverified.push(`FORWARD policy is ${forward.policy} and flannel's FLANNEL-FWD rules are not there; ${MODE_PASTE}`);
      else if (jump < 0 || accepts.length === 0) {
        out.push(finding(ctx, 'FORWARD_DROP_NO_FLANNEL_FWD', `FORWARD policy is ${forward.policy} and ${jump < 0 ? 'nothing jumps to FLANNEL-FWD' : 'FLANNEL-FWD accepts nothing'}: forwarded pod traffic is dropped`, [...ev, ...accepts.map((r) => ruleLine('FLANNEL-FWD', r.spec))], 'run flanneld with --iptables-forward-rules=true (default), or: iptables -I FORWARD 1 -m comment --comment "flanneld forward" -j FLANNEL-FWD'));
      } else {
        const blocker = fwdRules.slice(0, jump).find((r) => (r.target === 'DROP' || r.target === 'REJECT') && !r.args.includes('-m'));
        if (blocker) out.push(finding(ctx, 'FORWARD_REJECT_BEFORE_FLANNEL', `FORWARD ${blocker.target}s before the FLANNEL-FWD jump (firewalld?)`, [ruleLine('FORWARD', blocker.spec), ruleLine('FORWARD', fwdRules[jump].spec)], 'move the FLANNEL-FWD jump first: iptables -I FORWARD 1 -m comment --comment "flanneld forward" -j FLANNEL-FWD'));
      }
    }
    // whether flannel masquerades is FLANNEL_IPMASQ's to say, and where is the mode's
    if (v4 && !iptablesMode && nftMode(ctx) === undefined && ctx.subnetEnv?.ipmasq !== false) unverified.push(`flannel's masquerade rules (FLANNEL-POSTRTG): ${MODE_PASTE}`);
    if (v4 && iptablesMode && !ctx.subnetEnv) unverified.push('FLANNEL_IPMASQ was not in the data given: give --subnet-env FILE (`cat /run/flannel/subnet.env`)');
    if (v4 && iptablesMode && ctx.subnetEnv?.ipmasq === true) {
      const nat = table(rs, 'nat');
      const jump = nat?.rules.some((r) => r.chain === 'POSTROUTING' && r.target === 'FLANNEL-POSTRTG');
      const masq = nat?.rules.some((r) => r.chain === 'FLANNEL-POSTRTG' && r.target === 'MASQUERADE');
      if (!jump || !masq) {
        out.push(finding(ctx, 'MASQ_MISSING', `FLANNEL_IPMASQ=true but ${!jump ? 'POSTROUTING does not jump to FLANNEL-POSTRTG' : 'FLANNEL-POSTRTG has no MASQUERADE rule'}: pods cannot reach outside the cluster`, ['subnet.env: FLANNEL_IPMASQ=true', ...(nat?.rules.filter((r) => r.chain === 'POSTROUTING').slice(0, 8).map((r) => ruleLine('POSTROUTING', r.spec)) ?? ['iptables-save: no *nat table'])], 'restart flanneld (it re-creates its masquerade rules within 5 s when they are missing)'));
      }
    }
    const warning = rs.warnings?.find((w) => /legacy tables present/.test(w));
    if (/nf_tables/.test(rs.variant ?? '') && warning) {
      out.push(finding(ctx, 'IPTABLES_LEGACY_AND_NFT', 'iptables rules exist in both the legacy and the nf_tables backend: flannel and kube-proxy may be writing to different ones (flannel #1317)', [`iptables-save: # ${warning}`], 'use one backend everywhere (update-alternatives --set iptables ...), then restart flanneld and kube-proxy'));
    }
    return { findings: out, unverified };
  },
};

/** flannel #1279: VXLAN UDP checksum miscomputed for NATed packets on kernels before the ~5.7 fix. */
export const offloadCheck: Check = {
  name: 'tx checksum offload',
  run(ctx) {
    if (ctx.backend !== 'vxlan') return { skipped: ctx.backend ? `backend is ${ctx.backend}` : 'backend unknown' };
    // flannel #1279 is flannel.1's checksum of IPv4 packets NATed by kube-proxy
    if (ctx.v6Only) return { skipped: notApplicableV4(ctx.v6Only) };
    const features = ctx.snapshot.features[ctx.vxlanName];
    if (!features) return { findings: [], unverified: [`${ctx.vxlanName}'s offload features were not in the data given: paste \`ethtool -k ${ctx.vxlanName}\``] };
    if (features['tx-checksum-ip-generic']?.startsWith('on') !== true) return [];
    const m = /^(\d+)\.(\d+)/.exec(ctx.snapshot.kernel ?? '');
    const fixed = m ? Number(m[1]) > 5 || (Number(m[1]) === 5 && Number(m[2]) >= 7) : false;
    const kernel = ctx.snapshot.kernel ? `kernel ${ctx.snapshot.kernel}` : 'kernel version unknown';
    return [
      finding(ctx, 'TX_CSUM_OFFLOAD_ON', `tx-checksum-ip-generic is on for ${ctx.vxlanName} (${kernel}${fixed ? ', has the kernel fix' : ''}): Service traffic across nodes may stall ~63 s (flannel #1279)`, [`ethtool -k ${ctx.vxlanName}: tx-checksum-ip-generic: ${features['tx-checksum-ip-generic']}`], `ethtool -K ${ctx.vxlanName} tx-checksum-ip-generic off`, fixed ? 'info' : 'warning'),
    ];
  },
};
