// Which command printed a paste: command lines and contents as people paste them, with the answer written by hand.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { recognise, recogniseCommand, recogniseContent, recogniseName } from '../../src/parse/detect.js';
import { STEPS } from '../../src/collect/commands.js';

const fixture = (p: string): string => readFileSync(new URL(`../../fixtures/${p}`, import.meta.url), 'utf8');

describe('recogniseCommand', () => {
  it.each([
    ['route -n', { kind: 'route-n' }],
    ['netstat -rn', { kind: 'route-n' }],
    ['arp -e | grep 10.29.13.0', { kind: 'arp', filter: 'grep 10.29.13.0' }],
    ['ip neigh show dev flannel.1', { kind: 'ip-neigh', dev: 'flannel.1', filter: 'dev flannel.1' }],
    ['ip n', { kind: 'ip-neigh' }],
    ['bridge fdb show dev flannel.1', { kind: 'bridge-fdb', dev: 'flannel.1', filter: 'dev flannel.1' }],
    ['bridge fdb show | grep 42:32:74:de:24:50', { kind: 'bridge-fdb', filter: 'grep 42:32:74:de:24:50' }],
    ['ip a s flannel.1', { kind: 'ip-addr', dev: 'flannel.1', filter: 'flannel.1' }],
    ['ip -d link show flannel.1', { kind: 'ip-link', dev: 'flannel.1', filter: 'flannel.1' }],
    ['ip link show type bridge', { kind: 'ip-link', filter: 'type bridge' }],
    ['ip r', { kind: 'ip-route' }],
    ['ip route show table main', { kind: 'ip-route' }],
    ['ip route | grep flannel', { kind: 'ip-route', filter: 'grep flannel' }],
    ['iptables -t nat -S', { kind: 'iptables-s', table: 'nat' }],
    ['iptables -S', { kind: 'iptables-s', table: 'filter' }],
    ['sudo iptables-save', { kind: 'iptables-save' }],
    ['docker exec 1a84ab994e5d cat /run/flannel/subnet.env', { kind: 'subnet-env' }],
    ['cat /etc/cni/net.d/10-flannel.conflist', { kind: 'cni-conflist' }],
    ['cat /sys/class/net/eth0/iflink', { kind: 'iflink', dev: 'eth0' }],
    ['ethtool -S eth0', { kind: 'ethtool-stats', dev: 'eth0' }],
    ['kubectl get node node1 -o yaml | grep Vtep', { kind: 'nodes', filter: 'grep Vtep' }],
    ['kubectl get no n1 -oyaml', { kind: 'nodes' }],
    ['kubectl get nodes --output=json', { kind: 'nodes' }],
    ['kubectl describe node n1 | grep -i flannel', { kind: 'nodes', filter: 'grep -i flannel' }],
    ['kubectl exec -it web-1 -- ip neigh', { kind: 'ip-neigh' }],
    ['ip netns exec red ip link', { kind: 'ip-link' }],
    ['ip -6 route show', { kind: 'ip-route', family: 'inet6' }],
    ['ip -f inet6 r', { kind: 'ip-route', family: 'inet6' }],
    ['ip -6 neigh show dev flannel-v6.1', { kind: 'ip-neigh', dev: 'flannel-v6.1', family: 'inet6' }],
  ])('%s', (line, expected) => {
    expect(recogniseCommand(line)).toMatchObject({ ...expected, by: 'command' });
  });

  it('says why a near miss is not read, and ignores other commands', () => {
    expect(recogniseCommand('iptables -L -n')).toEqual({ reason: expect.stringMatching(/iptables -L is not read/) });
    expect(recogniseCommand('yum install bridge-utils -y')).toBeUndefined();
    expect(recogniseCommand('ip route add 10.0.0.0/8 dev eth0')).toBeUndefined();
    expect(recogniseCommand('ip netns list')).toBeUndefined();
    // seed 003: the default table and -o wide carry no annotations
    expect(recogniseCommand('kubectl get nodes -o wide')).toEqual({ reason: expect.stringMatching(/table without the flannel annotations/) });
    expect(recogniseCommand('kubectl get nodes')).toEqual({ reason: expect.stringMatching(/paste `kubectl get nodes -o yaml`/) });
  });
});

describe('recogniseContent', () => {
  it.each([
    ['route-n/netns-node.txt', 'route-n'],
    ['ip-route/netns-node.txt', 'ip-route'],
    ['ip-neigh/netns-node.txt', 'ip-neigh'],
    ['arp/netns-node-n.txt', 'arp'],
    ['arp/netns-node-an.txt', 'arp'],
    ['bridge-fdb/netns-node.txt', 'bridge-fdb'],
    ['brctl-show/netns-node.txt', 'brctl-show'],
    ['bridge-link/netns-node.txt', 'bridge-link'],
    ['ip-link/netns-node-detail.txt', 'ip-link'],
    ['ip-link/netns-node-detail-j.json', 'ip-link'],
    ['ip-addr/netns-node.txt', 'ip-addr'],
    ['ifconfig/netns-node.txt', 'ifconfig'],
    ['iptables-save/netns-node-nft.txt', 'iptables-save'],
    ['subnet-env/netns-node.txt', 'subnet-env'],
    ['iflink/netns-node.txt', 'iflink'],
    ['ip-neigh/netns-node-j.json', 'ip-neigh'],
    ['ip-route/lab-v6-dual-stack.txt', 'ip-route'],
    ['ip-route/lab-v6-host-gw.txt', 'ip-route'],
    ['ip-route/lab-v6-host-gw-j.json', 'ip-route'],
  ])('%s is %s', (file, kind) => {
    expect(recogniseContent(fixture(file))?.kind).toBe(kind);
  });

  it('reads the outputs the issue quotes', () => {
    expect(recogniseContent('-P INPUT ACCEPT\n-P FORWARD DROP\n-N FLANNEL-FWD\n-A FORWARD -j FLANNEL-FWD\n')?.kind).toBe('iptables-s');
    expect(recogniseContent('10.27.13.0 ether 42:32:74:de:24:50 CM flannel.1\n')?.kind).toBe('arp');
    expect(recogniseContent('42:32:74:de:24:50 dev flannel.1 dst 10.18.19.129 self permanent\n')?.kind).toBe('bridge-fdb');
    expect(recogniseContent('10.244.1.0 lladdr 9e:5b:1c:7f:dd:01 PERMANENT\n')?.kind).toBe('ip-neigh');
    expect(recogniseContent('default via 10.xx.xx.1 dev eth0 proto dhcp metric 100\n')?.kind).toBe('ip-route');
    expect(recogniseContent("    flannel.alpha.coreos.com/backend-data: '{\"VNI\":1,\"VtepMAC\":\"42:32:74:de:24:50\"}'\n")?.kind).toBe('nodes');
    expect(recogniseContent('just some words\n')).toBeUndefined();
    // `ip -6 route show table all`: host routes without /128, the local table's local/anycast/multicast lines
    const all6 = 'fd00:10:244:1:: dev flannel-v6.1 proto kernel metric 256 pref medium\nlocal ::1 dev lo table local proto kernel metric 0 pref medium\nanycast fd00:56:: dev eth0 table local proto kernel metric 0 pref medium\nmulticast ff00::/8 dev eth0 table local proto kernel metric 256 pref medium\n';
    expect(recogniseContent(all6)?.kind).toBe('ip-route');
    expect(recogniseContent('fd00:10:244:2:: dev flannel-v6.1 lladdr c2:c7:68:89:08:b8 PERMANENT\n')?.kind).toBe('ip-neigh');
    expect(recogniseContent('c2:c7:68:89:08:b8 dev flannel-v6.1 dst fd00:56::12 self permanent\n')?.kind).toBe('bridge-fdb');
  });
});

describe('recogniseName', () => {
  it('knows the conventional names, with @DEV for filtered output', () => {
    expect(recogniseName('route-n.txt')).toMatchObject({ kind: 'route-n' });
    expect(recogniseName('ip-neigh@flannel.1.txt')).toMatchObject({ kind: 'ip-neigh', dev: 'flannel.1' });
    expect(recogniseName('ethtool-S-eth0.txt')).toMatchObject({ kind: 'ethtool-stats', dev: 'eth0' });
    expect(recogniseName('paste1.log')).toBeUndefined();
    expect(recogniseName('ip-route6.txt')).toMatchObject({ kind: 'ip-route', family: 'inet6' });
  });

  it('every file name live collection writes (collect --raw-dir) is one of them', () => {
    for (const step of STEPS) for (const a of step.attempts) expect(recogniseName(a.file), a.file).toBeDefined();
  });
});

describe('recognise', () => {
  it('content beats a misleading name; the name settles what content cannot tell', () => {
    expect(recognise(fixture('route-n/netns-node.txt'), { file: 'bridge-fdb.txt' })).toMatchObject({ kind: 'route-n', by: 'content' });
    expect(recognise('node1\n', { file: 'hostname.txt' })).toMatchObject({ kind: 'hostname', by: 'name' });
    expect(recognise('7\n', { file: 'iflink.txt' })).toMatchObject({ kind: 'iflink', by: 'name' });
    expect(recognise('hello\n', { file: 'notes.txt' })).toEqual({ reason: expect.stringMatching(/not the output/) });
  });
});
