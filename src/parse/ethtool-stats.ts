// `ethtool -S DEV` (driver statistics): a header and `name: value` counters,
//   NIC statistics:
//        peer_ifindex: 7
//        rx_queue_0_xdp_packets: 0
// For a veth, peer_ifindex is the ifindex of the other end (in its own namespace) -> `peerIfindex`.
// Result: EthtoolStats (src/model/iflink.ts).
import { EthtoolStats } from '../model/iflink.js';
import { fail, lines, validate } from './common.js';

const CMD = 'ethtool -S';
const COUNTER = /^\s*([^:\s][^:]*?):\s+(-?\d+)\s*$/;

export function parseEthtoolStats(text: string, dev?: string): EthtoolStats {
  const stats: Record<string, number> = {};
  for (const line of lines(text)) {
    if (/^\s*NIC\s+statistics:\s*$/.test(line.text)) continue;
    const m = COUNTER.exec(line.text);
    if (!m) fail(CMD, 'expected `name: number`', line);
    const n = Number(m[2]);
    if (!Number.isSafeInteger(n)) fail(CMD, `counter out of range: ${m[2]}`, line);
    stats[m[1]] = n;
  }
  const result: Record<string, unknown> = { stats };
  if (dev !== undefined) result.dev = dev;
  if (stats.peer_ifindex !== undefined) result.peerIfindex = stats.peer_ifindex;
  return validate(CMD, EthtoolStats, result);
}
