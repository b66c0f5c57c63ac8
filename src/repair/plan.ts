// The repair plan: a pure diff of flannel's leases against one node's snapshot (the same peer-state the
// doctor reports), per family: flannel.<VNI> here, flannel-v6.<VNI> on a dual-stack node (plan6.ts); each action
// is tagged with its family. Replace verbs only, so a plan is idempotent; each action carries the commands that put
// back what the snapshot shows (its undo), which apply journals before running anything.
// Order (flannel's, vxlan_network.go): device first, then every neigh, every fdb, every route — so each
// peer still gets neigh -> fdb -> route and no route ever exists before its permanent neighbour. Removals
// (--prune) come last, in flannel's removal order neigh -> fdb -> route.
import { buildContext, type CheckContext, deviceWithAddress, subnetAddress } from '../analyze/checks/context.js';
import { isKnownDown } from '../analyze/link-state.js';
import { wireguardCheck } from '../analyze/checks/wireguard.js';
import { type Family, peerStates, staleEntries } from '../analyze/peer-state.js';
import { type DesiredState, hasV4, leaseName } from '../model/lease.js';
import type { Refusal } from '../leases/validate.js';
import type { Snapshot } from '../model/snapshot.js';
import type { SubnetEnv } from '../model/subnet-env.js';
import { cidrContains } from '../model/net.js';
import * as c from '../model/fix.js';
import { UsageError } from '../errors.js';
import { type Add, type PlannedAction, planPeer, prunePeers, type Skip, type Skipped } from './plan-peer.js';
import { planFamily6 } from './plan6.js';

export type { PlannedAction } from './plan-peer.js';

export interface PlanInput {
  snapshot: Snapshot;
  desired: DesiredState;
  nodeName?: string;
  subnetEnv?: SubnetEnv;
  /** also remove entries no lease explains (departed nodes, old VtepMACs, extra overlay addresses) */
  prune?: boolean;
  /** run every command inside this namespace */
  netns?: string;
}

export interface RepairPlan {
  node: string;
  netns?: string;
  actions: PlannedAction[];
  /** `code`: a lease or route repair refused (leases/validate.ts, routeGuard): the run exits 1 */
  skipped: Skipped;
}

const VXLAN_PORT = 8472;
const PHASES = ['link-add', 'addr-replace', 'link-up', 'neigh-replace', 'fdb-replace', 'route-replace', 'neigh-del', 'fdb-del', 'route-del', 'addr-del'];

export function planRepair(input: PlanInput): RepairPlan {
  // a bad namespace name fails the whole plan, not each action
  c.programPrefix('ip', input.netns);
  const ctx = buildContext(input);
  const plan: RepairPlan = { node: ctx.node, actions: [], skipped: [] };
  if (input.netns !== undefined) plan.netns = input.netns;
  const adder = (family: Family): Add => (op, code, target, reason, build, undo, before = []) => {
    try {
      const cmd = build();
      const { argv, command } = c.render(cmd, input.netns);
      plan.actions.push({ op, code, target, argv, command, reason, node: ctx.node, family, program: cmd.program, args: cmd.args, undo: undo(), before });
    } catch (e) {
      if (!(e instanceof c.UnsafeValue)) throw e;
      plan.skipped.push({ target, reason: `not run: ${e.message}` });
    }
  };
  const add = adder('v4');
  const skip = (target: string, reason: string): void => void plan.skipped.push({ target, reason });

  if (!ctx.leases) return plan;
  if (!ctx.backend) skip('backend', 'backend type unknown: no lease for this node and no net-conf');
  // an IPv6-only node has no flannel.<VNI> to recreate: its device is flannel-v6.<VNI> (plan6.ts)
  if (ctx.backend === 'vxlan' && !ctx.v6Only) planDevice(ctx, add, skip);
  if (ctx.backend === 'ipip' && !ctx.links.get('flannel.ipip')) skip('flannel.ipip', 'missing: restart flanneld to recreate it (repair does not create ipip devices)');

  for (const r of refusedLeases(ctx)) plan.skipped.push(r);
  const { peers, unusable, unsupported } = peerStates(ctx);
  for (const lease of unusable) skip(leaseName(lease), 'lease has no VtepMAC: nothing to program');
  for (const { lease, reason } of unsupported) skip(leaseName(lease), `backend ${lease.backendType}: repair programs only vxlan, host-gw and ipip peers (${reason})`);
  for (const p of peers) planPeer({ dev: ctx.vxlanName, link: ctx.vxlan }, p, add, plan.skipped);
  if (ctx.backend === 'wireguard') skipWireguard(ctx, plan.skipped);
  if (input.prune && ctx.desired?.incomplete) refuseIncomplete(ctx.desired.incomplete);
  // an IPv6-only node's prune is planFamily6's, guarded there by its IPv6 peers
  if (input.prune && !ctx.v6Only) refusePrune(ctx, peers.length);
  if (input.prune && ctx.backend === 'vxlan' && ctx.vxlan) planPrune(ctx, add);
  if (ctx.backend === 'vxlan') planFamily6(ctx, adder('v6'), skip, plan.skipped, input.prune === true);
  // stable: keeps the per-peer order inside each phase
  const rank = new Map(PHASES.map((p, i) => [p, i]));
  plan.actions.sort((a, b) => rank.get(a.op)! - rank.get(b.op)!);
  return plan;
}

/**
 * WireGuard: each finding listed with its code, never programmed. flanneld owns flannel-wg's peers (its wireguard
 * backend adds one per lease with the lease's key, endpoint and subnet, and replaces them on lease events); a
 * `wg set` here would race it, and a wrong key can only come from the lease. The finding's fix is the manual step.
 */
function skipWireguard(ctx: CheckContext, skipped: Skipped): void {
  const r = wireguardCheck.run(ctx);
  const findings = Array.isArray(r) ? r : 'findings' in r ? r.findings : [];
  for (const f of findings) {
    skipped.push({ target: `flannel-wg ${f.code}`, code: f.code, reason: `not repaired: ${f.summary}; flanneld programs WireGuard peers from the leases, repair does not (${f.fix ?? 'restart flanneld'})` });
  }
}

/** flannel.<VNI>: recreate it as flanneld would, with the lease's own VtepMAC so every peer's entries stay valid. */
function planDevice(ctx: CheckContext, add: Add, skip: Skip): void {
  const name = ctx.vxlanName;
  const own = ctx.leases?.local;
  const link = ctx.vxlan;
  const overlay = ctx.ownSubnet ? `${subnetAddress(ctx.ownSubnet)}/32` : undefined;
  if (!link) {
    if (!own) return skip(name, 'missing, and no lease for this node to recreate it from (name it with --node)');
    if (!own.vtepMac) return skip(name, "missing, and this node's lease has no VtepMAC: a random MAC would break every peer");
    const local = [own.publicIp, ...(own.addresses ?? [])].find((ip) => ip !== undefined && deviceWithAddress(ctx, ip));
    const under = local ? deviceWithAddress(ctx, local) : undefined;
    if (!local || !under) return skip(name, `missing, and no interface of this node has the lease's public IP ${own.publicIp} (NAT?): restart flanneld`);
    const base = ctx.netConf?.Backend?.MTU ?? under.mtu;
    if (base === undefined) return skip(name, `missing, and the MTU of ${under.name} is unknown`);
    const spec: c.VxlanSpec = { name, mac: own.vtepMac, mtu: base - 50, vni: own.vni ?? ctx.netConf?.Backend?.VNI ?? 1, local, dev: under.name, port: ctx.netConf?.Backend?.Port || VXLAN_PORT };
    add('link-add', 'VXLAN_DEVICE_MISSING', name, `${name} is missing: recreate it with VNI ${spec.vni}, local ${local}, dev ${under.name}, VtepMAC ${own.vtepMac}`, () => c.linkAddVxlan(spec), () => [c.linkDel(name)]);
    if (overlay) add('addr-replace', 'VXLAN_DEVICE_MISSING', `${overlay} dev ${name}`, `overlay address of lease ${ctx.ownSubnet}`, () => c.addrReplace(name, overlay), () => []);
    add('link-up', 'VXLAN_DEVICE_MISSING', name, `bring the new ${name} up`, () => c.linkUp(name), () => []);
    return;
  }
  if (link.kind !== 'vxlan') return skip(name, `is a ${link.kind} device (kind unknown or not vxlan): not touched`);
  // what doctor reports on a live device but repair leaves to flanneld (changing it would cut every peer's traffic)
  const vni = own?.vni ?? ctx.netConf?.Backend?.VNI;
  if (own?.vtepMac && link.mac && link.mac !== own.vtepMac) skip(name, `MAC ${link.mac} is not the lease VtepMAC ${own.vtepMac}: restart flanneld on this node (it re-annotates the lease)`);
  if (vni !== undefined && link.vni !== undefined && link.vni !== vni) skip(name, `VNI ${link.vni} is not ${vni}: restart flanneld (it recreates the device)`);
  if (overlay) {
    const inet = (ctx.addrsByDev.get(name) ?? []).filter((a) => a.family === 'inet');
    // as doctor's address check names it: another overlay address inside the Network is a wrong one, none a missing one
    const wrong = inet.some((a) => !ctx.network || cidrContains(ctx.network, a.local));
    if (!inet.some((a) => `${a.local}/${a.prefixlen}` === overlay)) add('addr-replace', wrong ? 'VXLAN_ADDR_WRONG' : 'VXLAN_ADDR_MISSING', `${overlay} dev ${name}`, `${name} lacks the overlay address of lease ${ctx.ownSubnet}`, () => c.addrReplace(name, overlay), () => [c.addrDel(name, overlay)], ctx.addrsByDev.get(name) ?? []);
  }
  if (isKnownDown(link)) add('link-up', 'VXLAN_DEVICE_DOWN', name, `${name} is down (the kernel dropped its routes and neighbours; they are re-added below)`, () => c.linkUp(name), () => [c.linkDown(name)], [link]);
}

// desired-state problems that left a lease out: the peer is not programmed, so the run is not a clean one
const DROPPED = new Set(['LEASE_NO_SUBNET', 'LEASE_BAD_PUBLIC_IP', 'LEASE_BAD_VALUE', 'LEASE_BAD_KEY', 'LEASE_NOT_A_NODE']);

/** Leases refused (leases/validate.ts) or dropped as invalid by their source, as skipped items with their code. */
function refusedLeases(ctx: CheckContext): Skipped {
  const out: Skipped = [];
  const what = (r: Refusal): string => (r.family === 'v6' && hasV4(r.lease) ? 'IPv6 half not programmed' : 'not programmed');
  for (const r of ctx.desired?.refused ?? []) out.push({ target: leaseName(r.lease), reason: `${what(r)}: ${r.reason}`, code: r.code });
  const seen = new Set(out.map((s) => `${s.code} ${s.target}`));
  for (const p of ctx.desired?.problems ?? []) {
    const target = p.node ?? p.code;
    if (DROPPED.has(p.code) && !seen.has(`${p.code} ${target}`)) out.push({ target, reason: `not programmed: ${p.summary}`, code: p.code });
  }
  for (const r of ctx.leases?.refused ?? []) out.push({ target: leaseName(r.lease), reason: `${what(r)} on ${ctx.node}: ${r.reason}`, code: r.code });
  return out;
}

/**
 * --prune deletes whatever no lease explains: with no lease for this node or no usable peer (an empty, unreadable
 * or wholly refused desired state) that would be every peer's entries, so it is refused, not warned about.
 */
function refusePrune(ctx: CheckContext, usable: number): void {
  const why = !ctx.leases?.local ? 'no lease in the desired state is this node\'s' : usable === 0 ? 'the desired state has no usable peer lease' : undefined;
  if (why) throw new UsageError(`--prune refused: ${why}, so every peer's neigh/fdb/route would be deleted`, 'check the desired state (or name this node with --node), or run without --prune');
}

/** Leases that are not all the cluster's (one Node object, grep'd lines): an entry none holds may be a live node's (doctor: unverified). */
function refuseIncomplete(why: string): never {
  throw new UsageError(`--prune refused: the desired state given is ${why}, so the entries of every node not in it would be deleted`, 'give every node\'s lease (`kubectl get nodes -o json` as --nodes FILE, --kube or --etcd), or run without --prune');
}

/** Entries for departed nodes and old VtepMACs, extra overlay addresses: only with --prune. */
function planPrune(ctx: CheckContext, add: Add): void {
  const dev = ctx.vxlanName;
  prunePeers(dev, staleEntries(ctx), add);
  if (!ctx.ownSubnet) return;
  const want = `${subnetAddress(ctx.ownSubnet)}/32`;
  const addrs = ctx.addrsByDev.get(dev) ?? [];
  // beside the lease's address an extra one; instead of it a wrong one (doctor's VXLAN_ADDR_WRONG removes it too)
  const code = addrs.some((a) => a.family === 'inet' && `${a.local}/${a.prefixlen}` === want) ? 'VXLAN_ADDR_EXTRA' : 'VXLAN_ADDR_WRONG';
  for (const a of addrs) {
    const cidr = `${a.local}/${a.prefixlen}`;
    if (a.family !== 'inet' || cidr === want || (ctx.network && !cidrContains(ctx.network, a.local))) continue;
    add('addr-del', code, `${cidr} dev ${dev}`, `extra overlay address (lease is ${ctx.ownSubnet})`, () => c.addrDel(dev, cidr), () => [c.addrReplace(dev, cidr)], [a]);
  }
}
