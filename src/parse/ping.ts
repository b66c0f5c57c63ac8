// iputils `ping` statistics line, the only part of its output the probe reads:
//   3 packets transmitted, 3 received, 0% packet loss, time 405ms
//   3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2041ms
// Result: { transmitted, received, errors }, or undefined when ping stopped before printing it
// (`ping: connect: Network is unreachable`): the sender's report is then missing, not zero.

// iputils prints `, +N duplicates`, `, +N corrupted` and `, +N errors` between `received` and the loss, each only when non-zero
const STATS = /^(\d+) packets transmitted, (\d+) received(.*)$/m;

export interface PingStats {
  transmitted: number;
  received: number;
  errors: number;
}

export function parsePingStats(text: string): PingStats | undefined {
  const m = STATS.exec(text);
  if (!m) return undefined;
  return { transmitted: Number(m[1]), received: Number(m[2]), errors: Number(/\+(\d+) errors/.exec(m[3])?.[1] ?? 0) };
}
