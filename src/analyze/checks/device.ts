// The flannel device itself (C-dev, C-addr, C-mac-own of reference §7): flannel.<VNI> as flanneld creates
// it, its one overlay address, and flannel.ipip for the ipip backend.
import type { Finding } from '../../model/finding.js';
import { cidrContains } from '../../model/net.js';
import { addrDel, addrReplace, linkMtu, linkUp } from '../../model/fix.js';
import { absenceProves, collected, deviceAddressesShown, PASTE, underlayAddressesShown } from '../collected.js';
import { isKnownDown, VXLAN_OVERHEAD as OVERHEAD } from '../link-state.js';
import { type CheckContext, KNOWN_OTHER, notApplicableV4, subnetAddress } from './context.js';
import { addrLine, leaseLine, linkLine } from './evidence.js';
import { type Check, finding, fixCommands } from './finding.js';

const DEFAULT_VXLAN_PORT = 8472;
const VXLAN_OVERHEAD = OVERHEAD.v4;

export const vxlanDeviceCheck: Check = {
  name: 'vxlan device',
  run(ctx) {
    // no link list and no desired state: nothing tells the backend, or shows its device
    if (ctx.v6Only) return { skipped: notApplicableV4(ctx.v6Only) };
    if (!ctx.backend && !collected(ctx.snapshot, 'links')) return { findings: [], unverified: [`the flannel device was not in the data given (the backend is not known either): paste \`${PASTE.links}\``] };
    if (ctx.backend !== 'vxlan') return { skipped: ctx.backend ? `backend is ${ctx.backend}` : 'no flannel.<VNI> device and no desired state naming the backend' };
    const name = ctx.vxlanName;
    const link = ctx.vxlan;
    const own = ctx.leases?.local;
    const ownEvidence = own ? [leaseLine(own)] : [];
    if (!link) {
      if (!absenceProves(ctx.snapshot)) return { findings: [], unverified: [`${name}: the link list given does not show it: paste \`${PASTE.links} ${name}\``] };
      return [finding(ctx, 'VXLAN_DEVICE_MISSING', `${name} does not exist: no overlay traffic leaves or enters this node`, [`ip link show ${name}: Device "${name}" does not exist.`, ...ownEvidence], 'flanctl repair --apply recreates it from the lease (with the lease\'s VtepMAC), or restart flanneld on this node')];
    }
    const ev = [linkLine(link)];
    if (KNOWN_OTHER.has(link.kind)) return [finding(ctx, 'VXLAN_DEVICE_WRONG_KIND', `${name} is a ${link.kind} device, not vxlan`, ev)];
    const out: Finding[] = [];
    // a paste without -d (ifconfig, `ip link`) shows flags and MAC, not the vxlan attributes
    const details = link.kind === 'vxlan' ? [] : [`${name}'s vxlan attributes (VNI, local, dstport, learning, underlay MTU): paste \`${PASTE.links} ${name}\``];
    if (isKnownDown(link)) out.push(finding(ctx, 'VXLAN_DEVICE_DOWN', `${name} is down: the kernel dropped every route and neighbour on it`, ev, `${fixCommands(ctx, [() => linkUp(name)])}; then flanctl repair --apply to put its routes and neighbours back`));
    if (link.kind !== 'vxlan') {
      if (own?.vtepMac && link.mac && link.mac !== own.vtepMac) out.push(macMismatch(ctx, name, link.mac, own.vtepMac, [...ev, ...ownEvidence]));
      return { findings: out, unverified: details };
    }
    const vni = own?.vni ?? ctx.netConf?.Backend?.VNI;
    if (vni !== undefined && link.vni !== undefined && link.vni !== vni) out.push(finding(ctx, 'VXLAN_VNI_MISMATCH', `${name} has VNI ${link.vni}, the lease says ${vni}`, [...ev, ...ownEvidence], 'restart flanneld (it recreates the device when the VNI differs)'));
    const port = ctx.netConf?.Backend?.Port || DEFAULT_VXLAN_PORT;
    if (link.port !== undefined && link.port !== port) out.push(finding(ctx, 'VXLAN_PORT_MISMATCH', `${name} uses UDP port ${link.port}, flannel's config says ${port}: peers send to ${port}`, ev, 'restart flanneld (it recreates the device when the port differs)'));
    const mine = new Set(ctx.snapshot.addresses.filter((a) => a.family === 'inet').map((a) => a.local));
    const unverified: string[] = [];
    if (link.local !== undefined) {
      if (own?.publicIp !== undefined && mine.has(own.publicIp) && link.local !== own.publicIp) out.push(finding(ctx, 'VXLAN_LOCAL_MISMATCH', `${name} local ${link.local} is not the lease's public IP ${own.publicIp}`, [...ev, ...ownEvidence], 'check --iface / --public-ip of flanneld, then restart it'));
      else if (!mine.has(link.local)) {
        // only the underlay's own addresses can show that `local` is not ours (a paste of `ip a show dev flannel.1` cannot)
        if (underlayAddressesShown(ctx.snapshot, link)) out.push(finding(ctx, 'VXLAN_LOCAL_NOT_OURS', `${name} local ${link.local} is not an address of this node`, ev));
        else unverified.push(`${name} local ${link.local}: the underlay's addresses were not in the data given: paste \`${PASTE.addresses}\``);
      }
    }
    if (link.learning) out.push(finding(ctx, 'VXLAN_LEARNING_ON', `${name} has learning on; flannel creates it with nolearning`, ev, 'restart flanneld, or recreate the device with nolearning'));
    const under = link.dev ? ctx.links.get(link.dev) : undefined;
    const base = ctx.netConf?.Backend?.MTU ?? under?.mtu;
    if (base === undefined && link.dev && link.mtu !== undefined) unverified.push(`${name} mtu ${link.mtu} against its underlay ${link.dev}: paste \`${PASTE.links} ${link.dev}\``);
    if (base !== undefined && link.mtu !== undefined && link.mtu !== base - VXLAN_OVERHEAD) {
      out.push(finding(ctx, 'MTU_MISMATCH', `${name} mtu ${link.mtu} is not ${base - VXLAN_OVERHEAD} (${ctx.netConf?.Backend?.MTU ? 'Backend.MTU' : `${link.dev} mtu ${base}`} − 50)`, [...ev, ...(under ? [linkLine(under)] : [])], fixCommands(ctx, [() => linkMtu(name, base - VXLAN_OVERHEAD)])));
    }
    if (own?.vtepMac && link.mac && link.mac !== own.vtepMac) out.push(macMismatch(ctx, name, link.mac, own.vtepMac, [...ev, ...ownEvidence]));
    return { findings: out, unverified };
  },
};

const macMismatch = (ctx: CheckContext, name: string, mac: string, vtepMac: string, evidence: string[]): Finding =>
  finding(ctx, 'LEASE_MAC_MISMATCH', `${name} MAC ${mac} is not this node's lease VtepMAC ${vtepMac}: every peer sends to the lease MAC and this node drops it (flannel #1795)`, evidence, 'restart flanneld (it re-annotates the lease), or set the device MAC back: ip link set dev flannel.1 address <VtepMAC>');

/** Exactly `<lease>.0/32` inside the Network on the flannel device (flannel #883, #1060). */
export const deviceAddressCheck: Check = {
  name: 'flannel device address',
  run(ctx) {
    if (ctx.v6Only) return { skipped: notApplicableV4(ctx.v6Only) };
    const dev = ctx.backend === 'vxlan' ? ctx.vxlanName : ctx.backend === 'ipip' ? 'flannel.ipip' : undefined;
    if (!dev) return { skipped: ctx.backend ? `backend ${ctx.backend} has no overlay address` : 'backend unknown' };
    // a device shown by its addresses alone is there; one that no table shows is the device check's to name
    if (!ctx.links.has(dev) && !ctx.addrsByDev.has(dev)) return absenceProves(ctx.snapshot) ? { skipped: `${dev} does not exist` } : { findings: [], unverified: [`${dev} and its addresses were not in the data given: paste \`${PASTE.addresses} dev ${dev}\``] };
    if (!ctx.ownSubnet) return { findings: [], unverified: [`the address ${dev} should have (this node's lease .0/32): its lease was not in the data given: give --subnet-env FILE (\`cat /run/flannel/subnet.env\`) or --nodes`] };
    // `ip link` (and a grep'd `ip a`) never prints this device's addresses: no address is not a missing address
    // (a ticket's saved outputs are often grep'd: there only an address shown counts)
    if (!deviceAddressesShown(ctx.snapshot, dev)) return { findings: [], unverified: [`${dev}'s addresses were not in the data given: paste \`${PASTE.addresses} dev ${dev}\``] };
    const want = `${subnetAddress(ctx.ownSubnet)}/32`;
    const inNet = (ctx.addrsByDev.get(dev) ?? []).filter((a) => a.family === 'inet' && (!ctx.network || cidrContains(ctx.network, a.local)));
    const have = inNet.some((a) => `${a.local}/${a.prefixlen}` === want);
    const others = inNet.filter((a) => `${a.local}/${a.prefixlen}` !== want);
    const ev = inNet.length ? inNet.map(addrLine) : [`ip -4 addr show dev ${dev}: no address inside ${ctx.network ?? 'the Network'}`];
    if (!have && !others.length) return [finding(ctx, 'VXLAN_ADDR_MISSING', `${dev} has no overlay address; expected ${want}`, ev, fixCommands(ctx, [() => addrReplace(dev, want)]))];
    if (!have) return [finding(ctx, 'VXLAN_ADDR_WRONG', `${dev} has ${others.map((a) => `${a.local}/${a.prefixlen}`).join(', ')}, expected ${want} (lease changed?)`, ev, fixCommands(ctx, [() => addrReplace(dev, want), ...others.map((a) => () => addrDel(dev, `${a.local}/${a.prefixlen}`))]))];
    if (others.length) return [finding(ctx, 'VXLAN_ADDR_EXTRA', `${dev} has ${inNet.length} overlay addresses; only ${want} belongs to this node's lease (flannel #883)`, ev, fixCommands(ctx, others.map((a) => () => addrDel(dev, `${a.local}/${a.prefixlen}`))))];
    return [];
  },
};

export const ipipDeviceCheck: Check = {
  name: 'ipip device',
  run(ctx) {
    if (ctx.backend !== 'ipip') return { skipped: ctx.backend ? `backend is ${ctx.backend}` : 'backend unknown' };
    const link = ctx.links.get('flannel.ipip');
    if (!link && !absenceProves(ctx.snapshot)) return { findings: [], unverified: [`flannel.ipip: the link list given does not show it: paste \`${PASTE.links} flannel.ipip\``] };
    if (!link) return [finding(ctx, 'IPIP_DEVICE_MISSING', 'flannel.ipip does not exist', ['ip link show flannel.ipip: Device "flannel.ipip" does not exist.'], 'restart flanneld on this node')];
    if (isKnownDown(link)) return [finding(ctx, 'IPIP_DEVICE_DOWN', 'flannel.ipip is down', [linkLine(link)], fixCommands(ctx, [() => linkUp('flannel.ipip')]))];
    // as trace judges it: only the underlay's addresses show that `local` is not this node's
    const local = link.kind === 'ipip' ? link.local : undefined;
    if (!local || ctx.snapshot.addresses.some((a) => a.local === local)) return [];
    if (!underlayAddressesShown(ctx.snapshot, link)) return { findings: [], unverified: [`flannel.ipip local ${local}: the underlay's addresses were not in the data given: paste \`${PASTE.addresses}\``] };
    return [finding(ctx, 'IPIP_CONFIG', `flannel.ipip local ${local} is not an address of this node`, [linkLine(link)], 'restart flanneld on this node')];
  },
};
