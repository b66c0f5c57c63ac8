// The fix-command builders with IPv6 values: what iproute2 accepts (family from the address, as on a -batch line)
// is built; anything else is an UnsafeValue before it reaches a command line.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addrReplace, fdbReplace, linkAddVxlan, neighReplace, routeReplace, UnsafeValue } from '../../src/model/fix.js';
import { formatIPv6 } from '../../src/model/ipv6.js';
import { rebuildCmd } from '../../src/repair/rebuild.js';

describe('fix builders: IPv6', () => {
  it("builds flanneld's v6 programming as iproute2 commands", () => {
    expect(neighReplace('flannel-v6.1', 'fd00:10:244:2::', '02:66:00:00:00:02').args.join(' ')).toBe('neigh replace fd00:10:244:2:: dev flannel-v6.1 lladdr 02:66:00:00:00:02 nud permanent');
    expect(fdbReplace('flannel-v6.1', '02:66:00:00:00:02', 'fd00:56::12').args.join(' ')).toBe('fdb replace 02:66:00:00:00:02 dev flannel-v6.1 dst fd00:56::12 self permanent');
    expect(routeReplace({ dst: 'fd00:10:244:2::/64', gateway: 'fd00:10:244:2::', dev: 'flannel-v6.1', onlink: true, metric: 1024 }).args.join(' ')).toBe('route replace fd00:10:244:2::/64 via fd00:10:244:2:: dev flannel-v6.1 onlink metric 1024');
    expect(addrReplace('flannel-v6.1', 'fd00:10:244:1::/128').args.join(' ')).toBe('addr replace fd00:10:244:1::/128 dev flannel-v6.1');
    expect(linkAddVxlan({ name: 'flannel-v6.1', mac: '02:66:00:00:00:01', mtu: 1430, vni: 1, local: 'fd00:56::11', dev: 'eth0', port: 8472 }).args.join(' ')).toBe('link add flannel-v6.1 address 02:66:00:00:00:01 mtu 1430 type vxlan id 1 local fd00:56::11 dev eth0 dstport 8472 nolearning');
  });

  it('refuses malformed v6 values and a gateway of the other family', () => {
    for (const bad of ['fd00:::1', 'fd00::1%eth0', 'fd00::g', '-fd00::1', 'fd00::1 ', '1:2:3:4:5:6:7:8:9', ''])
      expect(() => neighReplace('flannel-v6.1', bad, '02:66:00:00:00:02'), bad).toThrow(UnsafeValue);
    for (const dst of ['fd00::/129', 'fd00::/-1', 'fd00::/64/1', 'fd00::'])
      expect(() => routeReplace({ dst, gateway: 'fd00::1', dev: 'flannel-v6.1' }), dst).toThrow(UnsafeValue);
    expect(() => routeReplace({ dst: 'fd00:10:244:2::/64', gateway: '10.244.2.0', dev: 'flannel-v6.1' })).toThrow(UnsafeValue);
    expect(() => routeReplace({ dst: '10.244.2.0/24', gateway: 'fd00:10:244:2::', dev: 'flannel.1' })).toThrow(UnsafeValue);
  });

  it('every valid v6 prefix builds, and its command rebuilds word for word (the journal check) (property)', () => {
    const ip6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map(formatIPv6);
    fc.assert(
      fc.property(ip6, ip6, fc.integer({ min: 0, max: 128 }), (dst, gw, len) => {
        const cmd = routeReplace({ dst: `${dst}/${len}`, gateway: gw, dev: 'flannel-v6.1', onlink: true });
        expect(rebuildCmd(cmd)).toEqual(cmd);
      }),
    );
  });
});
