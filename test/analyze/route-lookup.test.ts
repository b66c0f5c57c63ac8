import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PrefixIndex, RouteTable, formatRoute, parseCidr } from '../../src/analyze/route-lookup.js';
import { Route, Address } from '../../src/model/index.js';
import { Cidr, isIPv4 } from '../../src/model/net.js';
import { cidrContains, intToIpv4 } from '../../src/model/net.js';
import { mutated } from '../parse/mutate.js';

const r = (x: Record<string, unknown>) => Route.parse(x);
const a = (x: Record<string, unknown>) => Address.parse({ family: 'inet', ...x });

describe('RouteTable.lookup', () => {
  const table = new RouteTable(
    [
      r({ dst: '0.0.0.0/0', gateway: '10.18.19.1', dev: 'bond0' }),
      r({ dst: '10.18.19.0/24', dev: 'bond0' }),
      r({ dst: '10.27.13.0/24', gateway: '10.27.13.0', dev: 'flannel.1', onlink: true }),
      r({ dst: '10.27.0.0/16', dev: 'flannel.1' }),
      r({ dst: '169.254.0.0/16', dev: 'bond0', metric: 1006 }),
      r({ dst: '169.254.0.0/16', dev: 'eth1', metric: 1002 }),
      r({ dst: '10.99.0.0/24', type: 'blackhole' }),
      r({ dst: '10.27.9.1/32', dev: 'cni0', table: 'local', type: 'local' }),
    ],
    [a({ dev: 'cni0', local: '10.27.9.1', prefixlen: 24 })],
  );

  it('takes the longest prefix over shorter ones and the default route', () => {
    const m = table.lookup('10.27.13.5');
    expect(m.route?.dst).toBe('10.27.13.0/24');
    expect(m.reason).toContain('/24');
    expect(table.lookup('10.27.200.1').route?.dst).toBe('10.27.0.0/16');
    const d = table.lookup('8.8.8.8');
    expect(d.route?.dst).toBe('0.0.0.0/0');
    expect(d.reason).toContain('default');
  });

  it('breaks ties on the same prefix by the lowest metric', () => {
    const m = table.lookup('169.254.1.1');
    expect(m.route?.dev).toBe('eth1');
    expect(m.reason).toContain('lowest metric 1002');
  });

  it('answers local addresses before any route, and names drop routes', () => {
    expect(table.lookup('10.27.9.1')).toMatchObject({ kind: 'local', address: { dev: 'cni0' } });
    expect(table.lookup('10.99.0.7').reason).toContain('blackhole');
  });

  it('says when nothing matches', () => {
    const t = new RouteTable([r({ dst: '10.0.0.0/8', dev: 'eth0' })], []);
    expect(t.lookup('192.168.1.1').kind).toBe('none');
  });

  it('prints routes like ip route', () => {
    expect(formatRoute(r({ dst: '10.27.13.0/24', gateway: '10.27.13.0', dev: 'flannel.1', onlink: true }))).toBe('10.27.13.0/24 via 10.27.13.0 dev flannel.1 onlink');
    expect(formatRoute(r({ dst: '0.0.0.0/0', gateway: '10.0.0.1', dev: 'eth0', metric: 100 }))).toBe('default via 10.0.0.1 dev eth0 metric 100');
  });
});

describe('PrefixIndex', () => {
  it('agrees with a brute-force longest-prefix match: the length and every prefix of it, in the order added (property)', () => {
    // networks as iproute2 prints them (host bits zero, whole-octet lengths among them) and prefixes with host bits set,
    // near the address looked up so that many cover it
    const len = fc.oneof(fc.constantFrom(0, 8, 16, 24, 32), fc.integer({ min: 0, max: 32 }));
    const mask = (l: number): number => (l === 0 ? 0 : (0xffffffff << (32 - l)) >>> 0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), len, fc.boolean(), fc.boolean()), { maxLength: 40 }), (n, specs) => {
        const ip = intToIpv4(n);
        const cidrs = specs.map(([m, l, near, network]) => {
          const addr = near ? ((n & mask(l)) | (m & ~mask(l))) >>> 0 : m;
          return `${intToIpv4(network ? (addr & mask(l)) >>> 0 : addr)}/${l}`;
        });
        const index = new PrefixIndex<number>();
        cidrs.forEach((c, i) => index.add(c, i));
        const covering = cidrs.map((c, i) => [c, i] as const).filter(([c]) => cidrContains(c, ip));
        const best = covering.length ? Math.max(...covering.map(([c]) => Number(c.split('/')[1]))) : undefined;
        const hit = index.longest(ip);
        expect(hit?.len).toBe(best);
        if (hit) expect(hit.values).toEqual(covering.filter(([c]) => Number(c.split('/')[1]) === best).map(([, i]) => i));
        // exact: every prefix naming the same network and length, however its host bits were written
        for (const c of cidrs) {
          const [addr, l] = c.split('/');
          const same = cidrs.map((d, i) => [d, i] as const).filter(([d]) => d.split('/')[1] === l && cidrContains(d, addr) && cidrContains(c, d.split('/')[0]));
          expect(index.exact(c)).toEqual(same.map(([, i]) => i));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('looks up among 50,000 routes (timing: bench/scale.ts)', () => {
    const routes = Array.from({ length: 50_000 }, (_, i) => r({ dst: `10.${(i >> 8) & 255}.${i & 255}.0/24`, gateway: `10.${(i >> 8) & 255}.${i & 255}.0`, dev: 'flannel.1', onlink: true }));
    const t = new RouteTable(routes, []);
    for (let i = 0; i < 50_000; i += 997) expect(t.lookup(`10.${(i >> 8) & 255}.${i & 255}.9`).route?.dst).toBe(`10.${(i >> 8) & 255}.${i & 255}.0/24`);
    expect(t.lookup('10.195.79.9').route?.dst).toBe('10.195.79.0/24');
  });
});

describe('parseCidr', () => {
  // the answer from outside: the octets and length the text was made of, and the model's own Cidr schema (zod)
  it('reads every IPv4 prefix as its octets and length say (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 255 }), { minLength: 4, maxLength: 4 }), fc.nat({ max: 32 }), (o, len) => {
        const ip = ((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3];
        const net = len === 0 ? 0 : ip - (ip % 2 ** (32 - len));
        expect(parseCidr(`${o.join('.')}/${len}`)).toEqual({ net, len });
        expect(parseCidr(o.join('.'))).toEqual({ net: ip, len: 32 });
      }),
      { numRuns: 2000 },
    );
  });

  it('reads every IPv4 prefix the model takes, and nothing but a valid address and length (mutated prefixes, property)', () => {
    const v4 = (s: string) => Cidr.safeParse(s).success && !s.includes(':');
    const text = mutated(['10.244.3.0/24', '0.0.0.0/0', '255.255.255.255/32', '192.168.1.10/32', '1.2.3.4/8'], ['0', '1', '2', '5', '6', '9', '.', '/', ' ', 'a', ':', '-', '+', '3', '00']);
    fc.assert(
      fc.property(text, (t) => {
        const p = parseCidr(t);
        if (v4(t)) expect(p, t).toBeDefined();
        if (p === undefined || !t.includes('/')) return;
        // what it reads is the prefix the text names: a valid address, the length written, the address inside it
        const [ip, len] = t.split('/');
        expect(isIPv4(ip), t).toBe(true);
        expect(p.len).toBe(Number(len));
        expect(cidrContains(`${ip}/${p.len}`, ip)).toBe(true);
        const host = ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
        expect(p.net).toBe(p.len === 0 ? 0 : host - (host % 2 ** (32 - p.len)));
      }),
      { numRuns: 3000 },
    );
  });
});
