// Every parser, and a registry from the saved-output name (fixtures/<name>/, collect step names) to its parser.
// All are pure: text in, model out; all throw ParseError on input that is not what the command prints.
export { parseArp } from './arp.js';
export { parseBrctlShow } from './brctl-show.js';
export { parseBridgeFdb } from './bridge-fdb.js';
export { parseBridgeLink } from './bridge-link.js';
export { parseCniConflist } from './cni-conflist.js';
export { parseEthtoolFeatures } from './ethtool-features.js';
export { parseEthtoolStats } from './ethtool-stats.js';
export { parseIfconfig } from './ifconfig.js';
export { parseIflink } from './iflink.js';
export { parseIpAddr } from './ip-addr.js';
export { parseIpLink } from './ip-link.js';
export { parseIpNeigh } from './ip-neigh.js';
export { parseIpRoute } from './ip-route.js';
export { parseIptablesSave, shellSplit } from './iptables-save.js';
export { parseNft } from './nft.js';
export { parseRouteN } from './route-n.js';
export { parseRouteN6 } from './route-n6.js';
export { parseSubnetEnv } from './subnet-env.js';
export { parseSysctl } from './sysctl.js';
export { parseWgDump, redactWgDump } from './wg-dump.js';

import { parseArp } from './arp.js';
import { recogniseName } from './detect.js';
import { parseBrctlShow } from './brctl-show.js';
import { parseBridgeFdb } from './bridge-fdb.js';
import { parseBridgeLink } from './bridge-link.js';
import { parseCniConflist } from './cni-conflist.js';
import { parseEthtoolFeatures } from './ethtool-features.js';
import { parseEthtoolStats } from './ethtool-stats.js';
import { parseIfconfig } from './ifconfig.js';
import { parseIflink } from './iflink.js';
import { parseIpAddr } from './ip-addr.js';
import { parseIpLink } from './ip-link.js';
import { parseIpNeigh } from './ip-neigh.js';
import { parseIpRoute } from './ip-route.js';
import { parseIptablesSave } from './iptables-save.js';
import { parseNft } from './nft.js';
import { parseRouteN } from './route-n.js';
import { parseRouteN6 } from './route-n6.js';
import { parseSubnetEnv } from './subnet-env.js';
import { parseSysctl } from './sysctl.js';
import { parseWgDump } from './wg-dump.js';

/**
 * A parser by output name. `arg` is the optional second argument: the device for `ip neigh show dev X` /
 * `bridge fdb show dev X` / `ethtool -S X`, the interface name for a bare iflink number.
 */
export type AnyParser = (text: string, arg?: string) => unknown;

export const PARSERS = {
  'route-n': (t) => parseRouteN(t),
  'route-n6': (t) => parseRouteN6(t),
  'ip-route': (t) => parseIpRoute(t),
  'ip-link': (t) => parseIpLink(t),
  'ip-addr': (t) => parseIpAddr(t),
  ifconfig: (t) => parseIfconfig(t),
  'ip-neigh': (t, dev) => parseIpNeigh(t, dev),
  arp: (t) => parseArp(t),
  'bridge-fdb': (t, dev) => parseBridgeFdb(t, dev),
  'brctl-show': (t) => parseBrctlShow(t),
  'bridge-link': (t) => parseBridgeLink(t),
  'iptables-save': (t) => parseIptablesSave(t),
  nft: (t) => parseNft(t),
  iflink: (t, name) => parseIflink(t, name),
  'subnet-env': (t) => parseSubnetEnv(t),
  'ethtool-stats': (t, dev) => parseEthtoolStats(t, dev),
  'ethtool-features': (t) => parseEthtoolFeatures(t),
  sysctl: (t) => parseSysctl(t),
  'cni-conflist': (t) => parseCniConflist(t),
  'wg-dump': (t, dev) => parseWgDump(t, dev),
} satisfies Record<string, AnyParser>;

export type ParserName = keyof typeof PARSERS;

export function parserFor(name: string): AnyParser {
  const p = (PARSERS as Record<string, AnyParser>)[name];
  if (!p) throw new Error(`no parser named ${name}`);
  return p;
}

/**
 * The parser for a conventionally named file of a --from-dir directory (detect.ts FILE_NAMES): `route-n.txt` ->
 * route-n, `ethtool-S-eth0.txt` -> ethtool-stats with arg `eth0`, `ip-neigh@flannel.1.txt` -> ip-neigh with arg
 * `flannel.1`. Undefined for names that are not a parser's (hostname.txt, kernel.txt, nodes.json) or unknown.
 */
export function dirFileParser(file: string): { parser: ParserName; arg?: string } | undefined {
  const r = recogniseName(file);
  if (r === undefined || !(r.kind in PARSERS)) return undefined;
  return { parser: r.kind as ParserName, ...(r.dev === undefined ? {} : { arg: r.dev }) };
}
