// Builds a small flannel VXLAN lab in namespaces (test/netns/flannel-cluster.ts) plus the extras the
// parsers must see (blackhole route, flannel's iptables chains, a veth peer in another namespace),
// then saves the text AND -j output of every command into fixtures/<command>/netns-<case>.{txt,json}.
// Nothing here runs a parser: the captures are checked against each other (test/parse/agreement.ts).
// --out DIR writes into DIR/<command>/ instead of fixtures/ (the netns test uses it).
// Everything lives in `fct…` namespaces and is deleted in `finally`; the root namespace is never touched.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../test/netns/lab.js';
import { buildFlannelCluster, subnetEnvText } from '../test/netns/flannel-cluster.js';

interface Capture {
  command: string; // fixtures/<command>/ folder = parser registry key
  name: string;
  ns: string;
  argv: string[];
  json?: boolean;
  /** the parser's second argument (device of `... show dev X`), saved as <case>.arg */
  arg?: string;
}

const outIndex = process.argv.indexOf('--out');
const root = outIndex > 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1] : join(import.meta.dirname, '..', 'fixtures');

function save(command: string, file: string, text: string): void {
  mkdirSync(join(root, command), { recursive: true });
  writeFileSync(join(root, command, file), text);
}

function flannelIptables(lab: Lab, ns: string, lease: string, network: string): void {
  const c = ['-m', 'comment', '--comment'];
  const run = (table: string, args: string[]) => lab.exec(ns, ['iptables-nft', '-w', '-t', table, ...args]);
  run('filter', ['-N', 'FLANNEL-FWD']);
  run('filter', ['-A', 'FORWARD', ...c, 'flanneld forward', '-j', 'FLANNEL-FWD']);
  run('filter', ['-A', 'FLANNEL-FWD', '-s', network, ...c, 'flanneld forward', '-j', 'ACCEPT']);
  run('filter', ['-A', 'FLANNEL-FWD', '-d', network, ...c, 'flanneld forward', '-j', 'ACCEPT']);
  run('nat', ['-N', 'FLANNEL-POSTRTG']);
  run('nat', ['-A', 'POSTROUTING', ...c, 'flanneld masq', '-j', 'FLANNEL-POSTRTG']);
  run('nat', ['-A', 'FLANNEL-POSTRTG', '-m', 'mark', '--mark', '0x4000/0x4000', ...c, 'flanneld masq', '-j', 'RETURN']);
  run('nat', ['-A', 'FLANNEL-POSTRTG', '-s', lease, '-d', network, ...c, 'flanneld masq', '-j', 'RETURN']);
  run('nat', ['-A', 'FLANNEL-POSTRTG', '-s', network, '-d', lease, ...c, 'flanneld masq', '-j', 'RETURN']);
  run('nat', ['-A', 'FLANNEL-POSTRTG', '!', '-s', network, '-d', lease, ...c, 'flanneld masq', '-j', 'RETURN']);
  run('nat', ['-A', 'FLANNEL-POSTRTG', '-s', network, '!', '-d', '224.0.0.0/4', ...c, 'flanneld masq', '-j', 'MASQUERADE', '--random-fully']);
  run('nat', ['-A', 'FLANNEL-POSTRTG', '!', '-s', network, '-d', network, ...c, 'flanneld masq', '-j', 'MASQUERADE', '--random-fully']);
}

async function main(): Promise<void> {
  const lab = new Lab('cap');
  try {
    const cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 2 });
    const node = cluster.nodes[0];
    const pod = node.pods[0];
    const ns = node.netns;
    // extras flannel (or an admin) may add: --ip-blackhole-route, a dummy, a static neigh, an ipip tunnel
    lab.ip(ns, ['route', 'add', 'blackhole', '10.244.99.0/24']);
    lab.ip(ns, ['route', 'add', 'unreachable', '10.244.98.0/24', 'metric', '100']);
    // dummy/ipip need kernel modules some CI kernels lack: capture them when the kernel has them
    lab.tryExec(ns, ['ip', 'link', 'add', 'dummy0', 'type', 'dummy']);
    lab.tryExec(ns, ['ip', 'link', 'add', 'flannel.ipip', 'type', 'ipip', 'local', node.ip]);
    lab.ip(ns, ['neigh', 'add', '192.168.56.200', 'lladdr', '02:00:00:00:00:c8', 'dev', 'eth0', 'nud', 'permanent']);
    lab.ip(ns, ['neigh', 'add', '192.168.56.201', 'dev', 'eth0', 'nud', 'incomplete']);
    flannelIptables(lab, ns, node.subnet, '10.244.0.0/16');
    // iptables-legacy needs the ip_tables module: capture its save format when the kernel has it
    const legacy = lab.tryExec(ns, ['iptables-legacy', '-w', '-t', 'nat', '-N', 'FLANNEL-POSTRTG']).status === 0;
    if (legacy) lab.tryExec(ns, ['iptables-legacy', '-w', '-t', 'nat', '-A', 'POSTROUTING', '-m', 'comment', '--comment', 'flanneld masq', '-j', 'FLANNEL-POSTRTG']);
    // learn pod neighbours on cni0 and fdb entries on the bridge
    lab.ping(pod.netns, node.pods[1].ip);
    lab.ping(pod.netns, `${node.subnet.split('.').slice(0, 3).join('.')}.1`);
    // the text and -j forms of one table are read a moment apart: let DAD end first, so both show the same routes
    lab.settleDad();

    const links = (JSON.parse(lab.ip(ns, ['-j', 'link'])) as { ifname: string }[]).map((l) => l.ifname);
    const podLinks = (JSON.parse(lab.ip(pod.netns, ['-j', 'link'])) as { ifname: string }[]).map((l) => l.ifname);
    const caps: Capture[] = [
      { command: 'route-n', name: 'node', ns, argv: ['route', '-n'] },
      { command: 'route-n', name: 'pod', ns: pod.netns, argv: ['route', '-n'] },
      { command: 'ip-route', name: 'node', ns, argv: ['ip', 'route'] },
      { command: 'ip-route', name: 'node', ns, argv: ['ip', '-j', 'route'], json: true },
      { command: 'ip-route', name: 'node-detail', ns, argv: ['ip', '-d', 'route'] },
      { command: 'ip-route', name: 'table-all', ns, argv: ['ip', 'route', 'show', 'table', 'all'] },
      { command: 'ip-route', name: 'table-all', ns, argv: ['ip', '-j', 'route', 'show', 'table', 'all'], json: true },
      { command: 'ip-link', name: 'node', ns, argv: ['ip', 'link'] },
      { command: 'ip-link', name: 'node-detail', ns, argv: ['ip', '-d', 'link'] },
      { command: 'ip-link', name: 'node-oneline', ns, argv: ['ip', '-o', 'link'] },
      { command: 'ip-link', name: 'node-detail', ns, argv: ['ip', '-j', '-d', 'link'], json: true },
      { command: 'ip-link', name: 'node', ns, argv: ['ip', '-j', 'link'], json: true },
      { command: 'ip-link', name: 'pod', ns: pod.netns, argv: ['ip', '-d', 'link'] },
      { command: 'ip-link', name: 'pod', ns: pod.netns, argv: ['ip', '-j', '-d', 'link'], json: true },
      { command: 'ip-link', name: 'pod-oneline', ns: pod.netns, argv: ['ip', '-o', 'link'] },
      { command: 'ip-link', name: 'node-stats', ns, argv: ['ip', '-s', 'link'] },
      { command: 'ip-addr', name: 'node', ns, argv: ['ip', 'addr'] },
      { command: 'ip-addr', name: 'node', ns, argv: ['ip', '-j', 'addr'], json: true },
      { command: 'ip-addr', name: 'pod', ns: pod.netns, argv: ['ip', 'addr'] },
      { command: 'ifconfig', name: 'node', ns, argv: ['ifconfig', '-a'] },
      { command: 'ifconfig', name: 'pod', ns: pod.netns, argv: ['ifconfig', 'eth0'] },
      { command: 'ip-neigh', name: 'node', ns, argv: ['ip', 'neigh'] },
      { command: 'ip-neigh', name: 'node', ns, argv: ['ip', '-j', 'neigh'], json: true },
      { command: 'ip-neigh', name: 'node-dev-flannel1', ns, argv: ['ip', 'neigh', 'show', 'dev', 'flannel.1'], arg: 'flannel.1' },
      { command: 'arp', name: 'node-n', ns, argv: ['arp', '-n'] },
      { command: 'arp', name: 'node-e', ns, argv: ['arp', '-e', '-n'] },
      { command: 'arp', name: 'node-an', ns, argv: ['arp', '-an'] },
      { command: 'bridge-fdb', name: 'node', ns, argv: ['bridge', 'fdb', 'show'] },
      { command: 'bridge-fdb', name: 'node', ns, argv: ['bridge', '-j', 'fdb', 'show'], json: true },
      { command: 'bridge-fdb', name: 'node-dev-flannel1', ns, argv: ['bridge', 'fdb', 'show', 'dev', 'flannel.1'], arg: 'flannel.1' },
      { command: 'brctl-show', name: 'node', ns, argv: ['brctl', 'show'] },
      { command: 'bridge-link', name: 'node', ns, argv: ['bridge', 'link'] },
      { command: 'bridge-link', name: 'node', ns, argv: ['bridge', '-j', 'link'], json: true },
      { command: 'bridge-link', name: 'node-detail', ns, argv: ['bridge', '-d', 'link'] },
      { command: 'iptables-save', name: 'node-nft', ns, argv: ['iptables-nft-save'] },
      { command: 'iptables-save', name: 'node-nft-counters', ns, argv: ['iptables-nft-save', '-c'] },
      ...(legacy ? [{ command: 'iptables-save', name: 'node-legacy', ns, argv: ['iptables-legacy-save'] }] : []),
      { command: 'iflink', name: 'node', ns, argv: ['grep', '.', ...links.map((l) => `/sys/class/net/${l}/iflink`)] },
      { command: 'iflink', name: 'pod', ns: pod.netns, argv: ['grep', '.', ...podLinks.map((l) => `/sys/class/net/${l}/iflink`)] },
      { command: 'iflink', name: 'node-with-ifindex', ns, argv: ['grep', '.', ...links.flatMap((l) => [`/sys/class/net/${l}/ifindex`, `/sys/class/net/${l}/iflink`])] },
      { command: 'iflink', name: 'pod-eth0-bare', ns: pod.netns, argv: ['cat', '/sys/class/net/eth0/iflink'], arg: 'eth0' },
      { command: 'ethtool-stats', name: 'pod-eth0', ns: pod.netns, argv: ['ethtool', '-S', 'eth0'] },
      { command: 'ethtool-stats', name: 'node-veth', ns, argv: ['ethtool', '-S', pod.hostVeth] },
      { command: 'ethtool-features', name: 'node-flannel1', ns, argv: ['ethtool', '-k', 'flannel.1'] },
      {
        command: 'sysctl',
        name: 'node',
        ns,
        argv: ['sysctl', 'net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.flannel/1.rp_filter', 'net.ipv4.conf.cni0.proxy_arp', 'net.ipv4.conf.eth0.forwarding'],
      },
    ];
    const written: { command: string; name: string }[] = [];
    for (const cap of caps) {
      const name = `netns-${cap.name}${cap.json ? '-j' : ''}`;
      const text = lab.exec(cap.ns, cap.argv);
      save(cap.command, `${name}.${cap.json ? 'json' : 'txt'}`, text);
      if (cap.arg !== undefined) save(cap.command, `${name}.arg`, `${cap.arg}\n`);
      written.push({ command: cap.command, name });
    }
    const env = subnetEnvText(node);
    save('subnet-env', 'netns-node.txt', env);
    written.push({ command: 'subnet-env', name: 'netns-node' });
    process.stdout.write(`captured ${written.length} fixtures:\n${written.map((w) => `${w.command}/${w.name}`).join('\n')}\n`);
  } finally {
    lab.teardown();
  }
}

await main();
