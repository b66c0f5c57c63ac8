// IPv6 addresses and prefixes as iproute2, nft and flannel print them: RFC 5952 text (lower case, no leading
// zeros, the longest run of two or more zero groups as `::`). Pure; every function returns undefined on
// input that is not IPv6 rather than throwing, so a malformed v6 address is a one-line error where it is read.

/** The 8 16-bit groups of an IPv6 address (an IPv4 tail such as ::ffff:10.0.0.1 allowed, no zone). */
export function parseIPv6(text: string): number[] | undefined {
  let s = text.toLowerCase();
  const tail: number[] = [];
  const v4 = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const b = v4.slice(2).map(Number);
    if (b.some((x, i) => x > 255 || String(x) !== v4[i + 2])) return undefined;
    tail.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
    s = v4[1].endsWith('::') ? v4[1] : v4[1].slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const group = (h: string): number[] | undefined => {
    if (h === '') return [];
    const parts = h.split(':');
    if (parts.some((p) => !/^[0-9a-f]{1,4}$/.test(p))) return undefined;
    return parts.map((p) => parseInt(p, 16));
  };
  const head = group(halves[0]);
  const rest = halves.length === 2 ? group(halves[1]) : [];
  if (!head || !rest) return undefined;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1) return given === 8 ? [...head, ...tail] : undefined;
  if (given > 7) return undefined;
  return [...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
}

/** RFC 5952 text of 8 groups. */
export function formatIPv6(groups: number[]): string {
  // the longest run of zero groups (at least two), the first one on a tie
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** An IPv6 address in RFC 5952 form, or undefined. */
export function normalizeIPv6(text: string): string | undefined {
  const g = parseIPv6(text);
  return g ? formatIPv6(g) : undefined;
}

const toBig = (g: number[]): bigint => g.reduce((n, x) => (n << 16n) | BigInt(x), 0n);
const fromBig = (n: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(16 * (7 - i))) & 0xffffn));
const mask = (len: number): bigint => (len === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - len)) - 1n));

/** `fd00:10:244:1::1/64` -> `fd00:10:244:1::/64`; undefined when not an IPv6 prefix. */
export function normalizeSubnet6(cidr: string): string | undefined {
  const [addr, lenText, extra] = cidr.split('/');
  if (extra !== undefined || lenText === undefined || !/^\d{1,3}$/.test(lenText) || Number(lenText) > 128) return undefined;
  const g = parseIPv6(addr);
  if (!g) return undefined;
  const len = Number(lenText);
  return `${formatIPv6(fromBig(toBig(g) & mask(len)))}/${len}`;
}

/** Does IPv6 `ip` fall in IPv6 `cidr`? */
export function cidrContains6(cidr: string, ip: string): boolean {
  const [net, lenText] = cidr.split('/');
  const n = parseIPv6(net);
  const a = parseIPv6(ip);
  const len = Number(lenText);
  if (!n || !a || !Number.isInteger(len) || len < 0 || len > 128) return false;
  return (toBig(n) & mask(len)) === (toBig(a) & mask(len));
}
