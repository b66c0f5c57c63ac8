// The undo re-check on kernel tables as iproute2 prints them (text outputs, parsed by the collector's parsers):
// each undo command's object present with its values, or absent, as the command states.
import { describe, expect, it } from 'vitest';
import { fdbDel, fdbReplace, neighDel, neighRestore, routeDel, routeReplace } from '../../src/model/fix.js';
import { parseBridgeFdb, parseIpNeigh, parseIpRoute } from '../../src/parse/index.js';
import { verifyUndo } from '../../src/repair/verify.js';

const tables = {
  neigh: parseIpNeigh('10.244.2.0 dev flannel.1 lladdr 02:00:00:00:00:02 PERMANENT\n10.244.3.0 dev flannel.1 lladdr 02:00:00:00:00:03 REACHABLE\n10.244.9.0 dev flannel.1 INCOMPLETE\n'),
  fdb: parseBridgeFdb('02:00:00:00:00:02 dev flannel.1 dst 192.168.50.2 self permanent\n'),
  routes: parseIpRoute('10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink\n10.244.3.0/24 via 10.244.3.0 dev flannel.1 proto static onlink\n'),
};

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
    const absent = [neighDel('flannel-v6.1', 'fd00:10:244:2::'), fdbDel('flannel-v6.1', '02:66:00:00:00:02', 'fd00:56::12'), routeDel({ dst: 'fd00:10:244:2::/64', gateway: 'fd00:10:244:2::', dev: 'flannel-v6.1', onlink: true })];
    expect(verifyUndo(absent, v6)).toEqual([
      'neigh fd00:10:244:2:: dev flannel-v6.1: expected absent, found lladdr 02:66:00:00:00:02 PERMANENT',
      'fdb 02:66:00:00:00:02 dev flannel-v6.1 dst fd00:56::12: expected absent, found present',
      'route fd00:10:244:2::/64: expected absent, found via fd00:10:244:2:: dev flannel-v6.1',
    ]);
  });
});
