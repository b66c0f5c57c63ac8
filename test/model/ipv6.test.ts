// IPv6 text and prefixes against Node's own implementations: the WHATWG URL serializer (RFC 5952 compression,
// lower case) for formatting, net.BlockList for prefix membership, net.isIPv6 for what is an address.
import { BlockList, isIPv6 } from 'node:net';
import { isIPv6 as isAddress6 } from '../../src/model/net.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrContains6, formatIPv6, normalizeIPv6, normalizeSubnet6, parseIPv6 } from '../../src/model/ipv6.js';

// groups biased towards zeros, so `::` runs of every length and position come up
const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
const groups = fc.array(group, { minLength: 8, maxLength: 8 });
const full = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
const urlForm = (text: string): string => new URL(`http://[${text}]/`).hostname.slice(1, -1);

describe('IPv6 text', () => {
  it('formats like the URL serializer (RFC 5952) and parses its own output back', () => {
    fc.assert(
      fc.property(groups, (g) => {
        const text = formatIPv6(g);
        expect(text).toBe(urlForm(full(g)));
        expect(parseIPv6(text)).toEqual(g);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts exactly what net.isIPv6 accepts (no zone), on mutated addresses', () => {
    const mutated = fc.tuple(groups, fc.nat(), fc.constantFrom('', ':', '::', 'g', '1', '.', '12345', ':::')).map(([g, i, s]) => {
      const t = formatIPv6(g);
      const at = i % (t.length + 1);
      return t.slice(0, at) + s + t.slice(at);
    });
    fc.assert(
      fc.property(mutated, (text) => {
        expect(parseIPv6(text) !== undefined).toBe(isIPv6(text));
      }),
      { numRuns: 3000 },
    );
  });

  it("model/net's isIPv6 (the validator every command line value passes) agrees with net.isIPv6, a zone allowed", () => {
    const mutated = fc.tuple(groups, fc.nat(), fc.constantFrom('', ':', '::', 'g', '1', '12345', ':::')).map(([g, i, s]) => {
      const t = formatIPv6(g);
      const at = i % (t.length + 1);
      return t.slice(0, at) + s + t.slice(at);
    });
    fc.assert(
      fc.property(mutated, fc.boolean(), (text, zone) => {
        expect(isAddress6(zone ? `${text}%eth0` : text)).toBe(isIPv6(text));
      }),
      { numRuns: 3000 },
    );
    expect(isAddress6('fd00::1::2')).toBe(false);
  });

  it('reads an IPv4 tail and upper case', () => {
    expect(normalizeIPv6('::FFFF:10.0.0.1')).toBe('::ffff:a00:1');
    expect(normalizeIPv6('FD00:0:0:0:0:0:0:1')).toBe('fd00::1');
    expect(normalizeIPv6('fd00::1::2')).toBeUndefined();
  });
});

describe('IPv6 prefixes', () => {
  it('membership agrees with net.BlockList', () => {
    fc.assert(
      fc.property(groups, groups, fc.integer({ min: 0, max: 128 }), (net, ip, len) => {
        const list = new BlockList();
        list.addSubnet(formatIPv6(net), len, 'ipv6');
        expect(cidrContains6(`${formatIPv6(net)}/${len}`, formatIPv6(ip))).toBe(list.check(formatIPv6(ip), 'ipv6'));
        // the network address of the prefix holds every address the prefix holds
        const norm = normalizeSubnet6(`${formatIPv6(ip)}/${len}`)!;
        expect(cidrContains6(norm, formatIPv6(ip))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('normalises flannel v6 leases and FLANNEL_IPV6_SUBNET', () => {
    expect(normalizeSubnet6('fd00:10:244:1::1/64')).toBe('fd00:10:244:1::/64');
    expect(normalizeSubnet6('fd00:10:244::/56')).toBe('fd00:10:244::/56');
    expect(normalizeSubnet6('fd00::/129')).toBeUndefined();
    expect(normalizeSubnet6('10.244.1.0/24')).toBeUndefined();
  });
});
