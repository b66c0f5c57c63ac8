// The undo re-check on kernel tables as iproute2 prints them (text outputs, parsed by the collector's parsers):
// each undo command's object present with its values, or absent, as the command states.
import { describe, expect, it } from 'vitest';
import { addrDel, addrReplace, type Cmd, fdbDel, fdbReplace, linkDel, linkDown, neighDel, neighRestore, routeDel, routeReplace } from '../../src/model/fix.js';
import { parseBridgeFdb, parseIpAddr, parseIpLink, parseIpNeigh, parseIpRoute } from '../../src/parse/index.js';
import { tablesNeeded, type Undone, verifyUndo as verifyActions } from '../../src/repair/verify.js';

/** Undo commands alone, each as the undo of an action with nothing to add (not an fdb replace). */
const verifyUndo = (cmds: Cmd[], t: Parameters<typeof verifyActions>[1]): string[] => verifyActions(cmds.map((u): Undone => ({ program: 'ip', args: [], undo: [u] })), t);

const tables = {
  neigh: parseIpNeigh('10.244.2.0 dev flannel.1 lladdr 02:00:00:00:00:02 PERMANENT\n10.244.3.0 dev flannel.1 lladdr 02:00:00:00:00:03 REACHABLE\n10.244.9.0 dev flannel.1 INCOMPLETE\n'),
  fdb: parseBridgeFdb('02:00:00:00:00:02 dev flannel.1 dst 192.168.50.2 self permanent\n'),
  routes: parseIpRoute('10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink\n10.244.3.0/24 via 10.244.3.0 dev flannel.1 proto static onlink\n'),
};

// `ip -d link show` and `ip addr show` of a namespace holding flannel.1 down with 10.244.1.0/32 (this kernel, iproute2 6.x)
const DOWN_LINK = `1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536
2: flannel.1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535
    vxlan id 1 local 192.168.50.1 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536
`;
const ADDRS = `1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
2: flannel.1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default qlen 1000
    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff
    inet 10.244.1.0/32 scope global flannel.1
       valid_lft forever preferred_lft forever
`;

describe('verifyUndo: links and addresses', () => {
  const down = { links: parseIpLink(DOWN_LINK), addresses: parseIpAddr(ADDRS).addresses };
  // the same device raised: what someone bringing it up again between repair and undo leaves
  const up = { links: parseIpLink(DOWN_LINK.replace('<BROADCAST,MULTICAST>', '<BROADCAST,MULTICAST,UP,LOWER_UP>')), addresses: down.addresses };

  it('a device the repair raised is down again, its added address gone, a created one absent: no mismatch', () => {
    expect(verifyUndo([linkDown('flannel.1'), addrDel('flannel.1', '10.244.2.0/32'), linkDel('flannel.2'), addrReplace('flannel.1', '10.244.1.0/32')], down)).toEqual([]);
  });

  it('each difference named: up instead of down, present instead of deleted, an address missing or left', () => {
    expect(verifyUndo([linkDown('flannel.1'), linkDel('flannel.1'), addrDel('flannel.1', '10.244.1.0/32'), addrReplace('flannel.1', '10.244.9.0/32'), linkDown('flannel.9')], up)).toEqual([
      'link flannel.1: expected absent (the repair created it), found present',
      'addr 10.244.1.0/32 dev flannel.1: expected absent, found present',
      'addr 10.244.9.0/32 dev flannel.1: expected present, found none',
      'link flannel.9: expected down, found none',
    ]);
    expect(verifyUndo([linkDown('flannel.1')], up)).toEqual(['link flannel.1: expected down, found UP']);
  });

  it('a device the repair raised, recreated since (another ifindex): named, even though it is down', () => {
    const raised = (ifindex: number): Undone => ({ program: 'ip', args: ['link', 'set', 'dev', 'flannel.1', 'up'], undo: [linkDown('flannel.1')], before: [{ name: 'flannel.1', ifindex }] });
    // ifindex 2 in the `ip link` output above
    expect(verifyActions([raised(2)], down)).toEqual([]);
    expect(verifyActions([raised(7)], down)).toEqual(['link flannel.1: recreated since the repair (ifindex 2, the repair raised 7): the undo took down a device it never raised']);
    expect(verifyActions([raised(2)], up)).toEqual(['link flannel.1: expected down, found UP']);
  });

  it('an IPv6 overlay address is the same address however it is spelled', () => {
    const v6 = { addresses: parseIpAddr(ADDRS.replace('    inet 10.244.1.0/32 scope global flannel.1', '    inet6 fd00:10:244:1::/128 scope global \n')).addresses };
    expect(v6.addresses).toContainEqual(expect.objectContaining({ dev: 'flannel.1', family: 'inet6', local: 'fd00:10:244:1::' }));
    expect(verifyUndo([addrReplace('flannel.1', 'fd00:10:244:1:0:0:0:0/128')], v6)).toEqual([]);
    expect(verifyUndo([addrDel('flannel.1', 'fd00:10:244:1::/128')], v6)).toEqual(['addr fd00:10:244:1::/128 dev flannel.1: expected absent, found present']);
  });
});

describe('verifyUndo: an fdb entry the repair replaced', () => {
  // the repair sent 02:..:02 to 192.168.50.2 (its lease); it had pointed at 192.168.50.9 (FDB_DST_MISMATCH)
  const repaired: Undone = {
    program: 'bridge',
    args: ['fdb', 'replace', '02:00:00:00:00:02', 'dev', 'flannel.1', 'dst', '192.168.50.2', 'self', 'permanent'],
    undo: [fdbReplace('flannel.1', '02:00:00:00:00:02', '192.168.50.9')],
  };

  // the repair added 02:..:02 -> 192.168.50.2 (FDB_MISSING): the journal recorded no entry for that MAC
  const added: Undone = { ...repaired, undo: [fdbDel('flannel.1', '02:00:00:00:00:02', '192.168.50.2')] };

  it('an entry the repair added: absent is restored, the MAC at any other dst is not', () => {
    expect(verifyActions([added], { fdb: parseBridgeFdb('02:00:00:00:00:03 dev flannel.1 dst 192.168.50.2 self permanent\n') })).toEqual([]);
    expect(verifyActions([added], { fdb: parseBridgeFdb('02:00:00:00:00:02 dev flannel.1 dst 192.168.50.3 self permanent\n') })).toEqual([
      'fdb 02:00:00:00:00:02 dev flannel.1: expected absent (the repair added it), found dst 192.168.50.3',
    ]);
  });

  it('the recorded dst back and the repair\'s gone: no mismatch', () => {
    expect(verifyActions([repaired], { fdb: parseBridgeFdb('02:00:00:00:00:02 dev flannel.1 dst 192.168.50.9 self permanent\n') })).toEqual([]);
  });

  it('the recorded dst back but the repair\'s still there (two destinations, as a paste may show): named', () => {
    const fdb = parseBridgeFdb('02:00:00:00:00:02 dev flannel.1 dst 192.168.50.9 self permanent\n02:00:00:00:00:02 dev flannel.1 dst 192.168.50.2 self permanent\n');
    expect(verifyActions([repaired], { fdb })).toEqual(['fdb 02:00:00:00:00:02 dev flannel.1 dst 192.168.50.2: expected absent, found present']);
  });

  it('neither: the recorded dst named as missing, with what is there', () => {
    const fdb = parseBridgeFdb('02:00:00:00:00:02 dev flannel.1 dst 192.168.50.2 self permanent\n');
    expect(verifyActions([repaired], { fdb })).toEqual([
      'fdb 02:00:00:00:00:02 dev flannel.1 dst 192.168.50.9: expected present, found dst 192.168.50.2',
      'fdb 02:00:00:00:00:02 dev flannel.1 dst 192.168.50.2: expected absent, found present',
    ]);
  });
});

describe('verifyUndo', () => {
  it('every object as the commands restore it: no mismatch', () => {
    const cmds = [
      neighRestore('flannel.1', '10.244.2.0', '02:00:00:00:00:02', 'permanent'),
      // stale is dynamic: REACHABLE with the same lladdr is the same neighbour
      neighRestore('flannel.1', '10.244.3.0', '02:00:00:00:00:03', 'stale'),
      // the kernel's own unresolved entry is not a neighbour anyone wrote
      neighDel('flannel.1', '10.244.9.0'),
      fdbReplace('flannel.1', '02:00:00:00:00:02', '192.168.50.2'),
      fdbDel('flannel.1', '02:00:00:00:00:04', '192.168.50.4'),
      routeReplace({ dst: '10.244.2.0/24', gateway: '10.244.2.0', dev: 'flannel.1', onlink: true }),
      routeReplace({ dst: '10.244.3.0/24', gateway: '10.244.3.0', dev: 'flannel.1', onlink: true, proto: 'static' }),
      routeDel({ dst: '10.244.4.0/24', gateway: '10.244.4.0', dev: 'flannel.1', onlink: true }),
    ];
    expect(verifyUndo(cmds, tables)).toEqual([]);
  });

  it('each difference is named with what the kernel shows', () => {
    const cmds = [
      neighRestore('flannel.1', '10.244.2.0', '02:00:00:00:00:22', 'permanent'),
      neighDel('flannel.1', '10.244.3.0'),
      fdbReplace('flannel.1', '02:00:00:00:00:02', '192.168.50.9'),
      fdbDel('flannel.1', '02:00:00:00:00:02', '192.168.50.2'),
      routeReplace({ dst: '10.244.2.0/24', gateway: '10.244.3.0', dev: 'flannel.1', onlink: true, mtu: 1400 }),
      routeDel({ dst: '10.244.3.0/24', gateway: '10.244.9.0', dev: 'flannel.1', onlink: true }),
    ];
    expect(verifyUndo(cmds, tables)).toEqual([
      'neigh 10.244.2.0 dev flannel.1: expected lladdr 02:00:00:00:00:22 permanent, found lladdr 02:00:00:00:00:02 PERMANENT',
      'neigh 10.244.3.0 dev flannel.1: expected absent, found lladdr 02:00:00:00:00:03 REACHABLE',
      'fdb 02:00:00:00:00:02 dev flannel.1 dst 192.168.50.9: expected present, found dst 192.168.50.2',
      'fdb 02:00:00:00:00:02 dev flannel.1 dst 192.168.50.2: expected absent, found present',
      'route 10.244.2.0/24: gateway expected 10.244.3.0, found 10.244.2.0; mtu expected 1400, found -',
      'route 10.244.3.0/24: expected absent, found via 10.244.3.0 dev flannel.1',
    ]);
  });

  it('a neighbour restored as stale but still permanent is not restored', () => {
    expect(verifyUndo([neighRestore('flannel.1', '10.244.2.0', '02:00:00:00:00:02', 'stale')], tables)).toHaveLength(1);
  });

  it('the last command on an object (the oldest action, undone last) decides', () => {
    const cmds = [neighDel('flannel.1', '10.244.2.0'), neighRestore('flannel.1', '10.244.2.0', '02:00:00:00:00:02', 'permanent')];
    expect(verifyUndo(cmds, tables)).toEqual([]);
  });

  it('a table not read is not judged', () => {
    expect(verifyUndo([neighDel('flannel.1', '10.244.2.0')], { routes: tables.routes })).toEqual([]);
  });

  it('IPv6: routes carry the kernel default metric 1024; a route written without a metric is that route', () => {
    // `ip -6 route show` / `ip -6 neigh show dev flannel-v6.1` / `bridge fdb show dev flannel-v6.1` on the dual-stack lab
    const v6 = {
      routes: parseIpRoute('fd00:10:244:2::/64 via fd00:10:244:2:: dev flannel-v6.1 metric 1024 onlink pref medium\nfd00:56::/64 dev eth0 proto kernel metric 256 pref medium\n'),
      neigh: parseIpNeigh('fd00:10:244:2:: dev flannel-v6.1 lladdr 02:66:00:00:00:02 PERMANENT\n'),
      fdb: parseBridgeFdb('02:66:00:00:00:02 dev flannel-v6.1 dst fd00:56::12 self permanent\n'),
    };
    const present = [
      neighRestore('flannel-v6.1', 'fd00:10:244:2::', '02:66:00:00:00:02', 'permanent'),
      fdbReplace('flannel-v6.1', '02:66:00:00:00:02', 'fd00:56::12'),
      routeReplace({ dst: 'fd00:10:244:2::/64', gateway: 'fd00:10:244:2::', dev: 'flannel-v6.1', onlink: true, metric: 1024 }),
    ];
    expect(verifyUndo(present, v6)).toEqual([]);
    // `ip route` shows no IPv6 route: the re-check reads `ip -6 route` for these
    expect(tablesNeeded(present.map((u): Undone => ({ program: 'ip', args: [], undo: [u] })))).toEqual(['neigh', 'fdb', 'routes6']);
    const absent = [neighDel('flannel-v6.1', 'fd00:10:244:2::'), fdbDel('flannel-v6.1', '02:66:00:00:00:02', 'fd00:56::12'), routeDel({ dst: 'fd00:10:244:2::/64', gateway: 'fd00:10:244:2::', dev: 'flannel-v6.1', onlink: true })];
    expect(verifyUndo(absent, v6)).toEqual([
      'neigh fd00:10:244:2:: dev flannel-v6.1: expected absent, found lladdr 02:66:00:00:00:02 PERMANENT',
      'fdb 02:66:00:00:00:02 dev flannel-v6.1 dst fd00:56::12: expected absent, found present',
      'route fd00:10:244:2::/64: expected absent, found via fd00:10:244:2:: dev flannel-v6.1',
    ]);
  });
});
