import * as z from './zod.js';
import { UsageError } from '../errors.js';
import { parseIPv6 } from './ipv6.js';

// Validated scalar values. Every value that reaches a command line passes through one of these.

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]+(%[\w.-]+)?$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
// Linux IFNAMSIZ is 16 incl. NUL; no '/', whitespace or ':' (alias syntax)
const IFNAME = /^[A-Za-z0-9_.@-]{1,15}$/;

export const isIPv4 = (s: string): boolean => IPV4.test(s);
// the shape (hex, colons, an optional zone), then the groups: `fd00::1::2` or nine groups are not an address
export const isIPv6 = (s: string): boolean => s.includes(':') && IPV6.test(s) && !MAC.test(s.toLowerCase()) && parseIPv6(s.split('%')[0]) !== undefined;
export const isIP = (s: string): boolean => isIPv4(s) || isIPv6(s);
export const isIfname = (s: string): boolean => IFNAME.test(s) && s !== '.' && s !== '..';

// Branded at the boundary: a parser's zod schema is the only way to get an Ip or a Mac, so a value that reaches
// analysis or a command line as one was validated. A brand is still a string for every reader.
export const Ip = z.string().check(z.refine(isIP, 'not an IP address')).brand<'Ip'>();
export type Ip = z.infer<typeof Ip>;
export const Mac = z.string().check(z.regex(MAC, 'not a MAC address (aa:bb:cc:dd:ee:ff, lower case)')).brand<'Mac'>();
export type Mac = z.infer<typeof Mac>;

/** IPv4 or IPv6 prefix in CIDR form, e.g. 10.244.3.0/24; `default` is stored as 0.0.0.0/0 or ::/0. */
export const Cidr = z.string().check(z.refine((s) => {
  const [ip, len, extra] = s.split('/');
  if (extra !== undefined || len === undefined || !/^\d{1,3}$/.test(len)) return false;
  return isIPv4(ip) ? Number(len) <= 32 : isIPv6(ip) && Number(len) <= 128;
}, 'not a CIDR prefix'));

/**
 * Accept the MAC spellings people paste: colons, dashes, dots (cisco 0a58.0a1d.0d01),
 * no separators, upper case, and brctl's bridge id `8000.0a580a1d0d01` (priority + MAC).
 * Returns aa:bb:cc:dd:ee:ff.
 */
export function normalizeMac(input: string): string {
  const raw = input.trim().toLowerCase();
  let hex: string | undefined;
  const bridgeId = /^[0-9a-f]{4}\.([0-9a-f]{12})$/.exec(raw);
  if (bridgeId) hex = bridgeId[1];
  else if (/^[0-9a-f]{1,2}([:-][0-9a-f]{1,2}){5}$/.test(raw)) hex = raw.split(/[:-]/).map((p) => p.padStart(2, '0')).join('');
  else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/.test(raw)) hex = raw.replaceAll('.', '');
  else if (/^[0-9a-f]{12}$/.test(raw)) hex = raw;
  if (!hex) throw new UsageError(`not a MAC address: ${JSON.stringify(input)}`, 'expected e.g. 42:32:74:de:24:50, 42-32-74-DE-24-50, 4232.74de.2450 or 423274de2450');
  return hex.match(/../g)!.join(':');
}

/** 32-bit unsigned value of a dotted IPv4 address. Caller has validated it. */
/**
 * Whether a redacted IPv4 (`10.xx.xx.1`, `*.*.*.1`, as a user pastes it) could be `ip`: its known octets agree.
 * What it hides is unverified; only a known octet that differs proves it is another address.
 */
export function redactedCouldBe(redacted: string, ip: string): boolean {
  const a = redacted.split('.');
  const b = ip.split('.');
  return a.length === 4 && b.length === 4 && a.every((o, i) => /^[x*]+$/i.test(o) || Number(o) === Number(b[i]));
}

export function ipv4ToInt(ip: string): number {
  const p = ip.split('.');
  return ((+p[0] << 24) | (+p[1] << 16) | (+p[2] << 8) | +p[3]) >>> 0;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Netmask length from a dotted mask (255.255.255.0 -> 24); undefined when the mask is not contiguous. */
export function maskToPrefixLength(mask: string): number | undefined {
  if (!isIPv4(mask)) return undefined;
  const n = ipv4ToInt(mask);
  const len = n === 0 ? 0 : 32 - Math.log2((~n >>> 0) + 1);
  return Number.isInteger(len) ? len : undefined;
}

/** Does IPv4 `ip` fall in IPv4 `cidr`? */
export function cidrContains(cidr: string, ip: string): boolean {
  const [net, lenText] = cidr.split('/');
  if (!isIPv4(net) || !isIPv4(ip)) return false;
  const len = Number(lenText);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((ipv4ToInt(ip) & mask) >>> 0) === ((ipv4ToInt(net) & mask) >>> 0);
}
