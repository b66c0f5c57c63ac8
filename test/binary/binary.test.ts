// The single binary (issue 15) on a machine with no Node.js and no node_modules: hidden-node.ts runs a copy of it
// in a mount namespace where node is an empty file, with `env -i`, from /tmp. Expected answers come from outside the
// code: the README's seed trace (read by a person from the ticket), tshark's reading of the fixture capture, the
// namespaces this test programs itself, the README's command list, and bash itself for completion.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFlannelCluster, type LabCluster } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';
import { SshLab } from '../cluster/sshd.js';
import { binary, HiddenNode, ROOT } from './hidden-node.js';

interface TsharkFrames {
  frames: Record<string, string[]>[];
}

// mount namespaces need root as the lab does: skipped without, failed under CI=true
describeNetns('the single binary, where node is hidden', () => {
  let node: HiddenNode;

  beforeAll(() => {
    node = new HiddenNode(binary());
  });
  afterAll(() => node?.remove());

  it('really has no node: `node` runs nothing and the repo node_modules is empty', () => {
    const r = node.exec(['sh', '-c', 'node -e "console.log(41 + 1)"; ls -A "$0" | wc -l', join(ROOT, 'node_modules')]);
    expect(r.stdout).not.toContain('42');
    expect(r.stdout.trim()).toBe('0');
  });

  it('--version', () => {
    const r = node.flanctl(['--version']);
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout).toMatch(new RegExp(`^flanctl/${pkg.version.replaceAll('.', '\\.')} linux-x64 node-v\\d+`));
    expect(r.stderr).toBe('');
  });

  // the binary's embedded plugins list oclif's commands themselves (bin/binary.js, to skip ICU's collator): what
  // oclif prints from them must be what oclif prints on the node path from package.json and the manifests
  it.each(['--help', 'help trace', 'trace --help', 'autocomplete --help', 'nosuch'])('prints for `%s` what bin/run.js prints', (line) => {
    const args = line.split(' ');
    const fromNode = spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), ...args], { cwd: '/tmp', encoding: 'utf8', env: { PATH: process.env.PATH } });
    const r = node.flanctl(args);
    expect(r.stdout).toBe(fromNode.stdout);
    expect(r.stderr).toBe(fromNode.stderr);
    expect(r.status).toBe(fromNode.status);
    expect(r.stdout + r.stderr).not.toBe('');
  });

  it('traces the seed node k8snode028 to the README answer', () => {
    const dir = join(ROOT, 'fixtures/nodes/k8snode028');
    const human = node.flanctl(['trace', '10.27.13.5', '--from-dir', dir]);
    expect(human.stderr).toBe('');
    expect(human.status).toBe(0);
    // the post shows flannel.1 without its vxlan settings (VNI, local): that hop is unverified, no problem found
    expect(human.stdout.replace(/\s+/g, ' ')).toContain('10.27.13.5 is reached via flannel.1 (vxlan) on node 10.18.19.129: no problem found, but NOT VERIFIED at vxlan-device');
    expect(human.stdout).toContain('target node: 10.18.19.129, subnet 10.27.13.0/24, VtepMAC 42:32:74:de:24:50');
    const json = JSON.parse(node.flanctl(['trace', '10.27.13.5', '--from-dir', dir, '--json']).stdout);
    expect(json).toMatchObject({ destination: '10.27.13.5', ok: null, backend: 'vxlan', targetNode: { ip: '10.18.19.129', vtepMac: '42:32:74:de:24:50' } });
  });

  // the binary is esbuild's bundle started from a heap saved at build time (scripts/sea.sh): the transcript reader's
  // prompt and trim patterns (┌── └─ …) and the tables must read and draw every seed paste as on the node path
  it.each(readdirSync(join(ROOT, 'fixtures/tickets')).filter((f) => f.startsWith('seed-')))('reads the seed paste %s as bin/run.js reads it', (name) => {
    const file = join(ROOT, 'fixtures/tickets', name);
    for (const what of [['sources', '--json'], ['links'], ['routes', '--json']]) {
      const args = ['show', ...what, '--from-dir', file];
      const fromNode = spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), ...args], { cwd: '/tmp', encoding: 'utf8', env: { PATH: process.env.PATH } });
      const r = node.flanctl(args);
      expect(r.stdout).toBe(fromNode.stdout);
      expect(r.stderr).toBe(fromNode.stderr);
      expect(r.status).toBe(fromNode.status);
      expect(r.stdout).not.toBe('');
    }
  });

  // the .gz one goes through the lazily imported gunzip stream: a dynamic import() a SEA cannot run unless bundled
  it.each(['vxlan-node1.pcap', 'vxlan-node1.pcap.gz'])('decodes the fixture capture %s as tshark reads it', (name) => {
    const file = join(ROOT, 'fixtures/pcap', name);
    const tshark = JSON.parse(readFileSync(`${file}.tshark.json`, 'utf8')) as TsharkFrames;
    const vxlan = tshark.frames.filter((f) => f['vxlan.vni']);
    const r = node.flanctl(['decode', file, '--json']);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { packets: number; tunnels: { vxlan: { vni: number; packets: number }[] } };
    expect(out.packets).toBe(tshark.frames.length);
    expect(out.tunnels.vxlan.reduce((n, t) => n + t.packets, 0)).toBe(vxlan.length);
    expect(new Set(out.tunnels.vxlan.map((t) => String(t.vni)))).toEqual(new Set(vxlan.map((f) => f['vxlan.vni'][0])));
    // DNS answers go through dns-packet, bundled into the binary
    const answered = tshark.frames.filter((f) => f['dns.a']);
    expect(answered.length).toBeGreaterThan(0);
    const text = node.flanctl(['decode', file]).stdout;
    for (const f of answered) expect(text).toContain(`${f['dns.qry.name'][0]}: ${f['dns.a'][0]}`);
  });

  it('prints bash completion that completes the README commands', () => {
    const cache = join(node.dir, 'cache');
    const made = node.flanctl(['autocomplete', 'create'], { XDG_CACHE_HOME: cache });
    expect(made.status).toBe(0);
    const fn = join(cache, 'flanctl/autocomplete/functions/bash/flanctl.bash');
    const listed = readFileSync(fn, 'utf8');
    for (const cmd of ['trace', 'whohas', 'pod-veth', 'decode', 'doctor', 'repair', 'collect', 'show']) {
      expect(listed).toMatch(new RegExp(`^${cmd} --json`, 'm'));
    }
    // bash's own answer to `flanctl tr<TAB>` and `flanctl trace --fr<TAB>`
    const complete = (words: string): string =>
      node.exec(['bash', '-c', `source "$0"; COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _flanctl_autocomplete; echo "\${COMPREPLY[@]}"`, fn]).stdout.trim();
    expect(complete('flanctl tr')).toBe('trace');
    expect(complete('flanctl trace --fr')).toBe('--from-dir');
    const zsh = node.flanctl(['autocomplete', 'script', 'zsh'], { XDG_CACHE_HOME: cache });
    expect(zsh.stdout).toContain('zsh_setup');
  });

  describe('live collect --netns', () => {
    const lab = new Lab('bin');
    let cluster: LabCluster;

    beforeAll(() => {
      try {
        cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 1 });
        // snapshots of this lab are compared: read after duplicate address detection, not during it
        lab.settleDad();
      } catch (error) {
        lab.teardown();
        throw error;
      }
    });
    afterAll(() => lab.teardown());

    it('reads what the namespace holds (flannel.1, the peer neigh, fdb and route)', () => {
      const [me, peer] = cluster.nodes;
      const r = node.flanctl(['collect', '--netns', me.netns, '--json']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const snap = JSON.parse(r.stdout);
      expect(snap.source).toEqual({ kind: 'netns', name: me.netns });
      expect(snap.links.find((l: { name: string }) => l.name === 'flannel.1')).toMatchObject({ kind: 'vxlan', vni: 1, port: 8472, local: me.ip, mac: me.vtepMac });
      const gw = peer.subnet.replace('/24', '');
      expect(snap.neigh).toContainEqual(expect.objectContaining({ dst: gw, lladdr: peer.vtepMac, dev: 'flannel.1' }));
      expect(snap.fdb).toContainEqual(expect.objectContaining({ mac: peer.vtepMac, dst: peer.ip, dev: 'flannel.1' }));
      expect(snap.routes).toContainEqual(expect.objectContaining({ dst: peer.subnet, gateway: gw, dev: 'flannel.1', onlink: true }));
    });

    // the binary starts collect's launcher before oclif and the commands bundle load (src/collect/early.ts)
    it('collect started early gives the snapshot bin/run.js gives (which starts its launcher when collect runs)', () => {
      const [me] = cluster.nodes;
      const normal = (): string => {
        const r = spawnSync('node', [join(ROOT, 'bin/run.js'), 'collect', '--netns', me.netns, '--json'], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        return r.stdout;
      };
      // the snapshot's time, each step's duration and the kernel's timers differ from run to run
      const same = (text: string): string => JSON.stringify(JSON.parse(text), (k, v: unknown) => (k === 'time' || k === 'ms' || k.endsWith('_timer') ? undefined : v));
      const before = same(normal());
      const early = node.flanctl(['collect', '--netns', me.netns, '--json']);
      expect(early.status, early.stderr).toBe(0);
      expect(JSON.parse(early.stdout).pods).toHaveLength(1);
      // a link of the new lab may come up between two runs (cni0's operstate): equal to the run before or after
      if (same(early.stdout) !== before) expect(same(early.stdout)).toBe(same(normal()));
    });

    it('a usage error after the early launcher started leaves nothing running in the namespace', () => {
      const ns = lab.addNs('early');
      // brctl (run by the launcher's first lanes) stands in for a slow program: it marks that it ran, then sleeps
      const bin = join(node.dir, 'slow-bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'brctl'), `#!/bin/sh\ntouch ${join(node.dir, 'brctl-ran')}\nexec sleep 30\n`, { mode: 0o755 });
      // `--raw-dir --json`: oclif refuses the flag without a value (exit 2) after the launcher started; the launcher
      // is stopped then, not at its own 10 s time limit (this run is given 5 s)
      const r = spawnSync(node.bin, ['collect', '--netns', ns, '--raw-dir', '--json'], {
        encoding: 'utf8',
        timeout: 5000,
        env: { PATH: `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` },
      });
      expect(r.signal).toBeNull();
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('--raw-dir expects a value');
      expect(existsSync(join(node.dir, 'brctl-ran'))).toBe(true);
      expect(spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout).toBe('');
    });

    it('probes over UDP from a pod: the sender inside the pod is the binary itself (probe-send), called by name on PATH', () => {
      const [me, peer] = cluster.nodes;
      // nothing listens on the destination pod: it answers ICMP port unreachable, which counts as the answer;
      // run as `flanctl` found on PATH, as on a node (argv[1] is then the bare name, not a path to the binary)
      const r = node.exec(['flanctl', 'probe', peer.pods[0].ip, '--from', me.pods[0].netns, '--netns', me.netns, '--proto', 'udp', '--port', '5353', '--json'], {
        PATH: `${node.dir}:/usr/sbin:/usr/bin:/sbin:/bin`,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, proto: 'udp', sent: 3, received: 3 });
    });
  });

  describe('cluster mode over ssh (2 namespace nodes, real sshd)', () => {
    const lab = new Lab('bcl');
    let ssh: SshLab;
    let cluster: LabCluster;

    beforeAll(async () => {
      try {
        ssh = new SshLab(lab);
        cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 1 });
        ssh.addClient(cluster);
        await Promise.all(cluster.nodes.map((n) => ssh.start(n.netns, n.ip, n.name)));
      } catch (error) {
        ssh?.stop();
        lab.teardown();
        throw error;
      }
    });
    afterAll(() => {
      ssh?.stop();
      lab.teardown();
    });

    it('collects every node over the ssh transport and finds them consistent', () => {
      const hosts = join(ssh.dir, 'hosts.txt');
      writeFileSync(hosts, cluster.nodes.map((n) => `root@${n.ip}`).join('\n') + '\n');
      const dir = join(ssh.dir, 'collected');
      const inClient = (args: string[]) => node.exec(['ip', 'netns', 'exec', ssh.clientNs, node.bin, ...args, '--json']);
      const c = inClient(['collect', '--all', '--ssh-hosts', hosts, ...ssh.flanctlSshFlags(), '--timeout', '20', '-o', dir]);
      expect(c.stderr).toBe('');
      expect(c.status).toBe(0);
      expect(JSON.parse(c.stdout).nodes.map((n: { ok: boolean }) => n.ok)).toEqual([true, true]);
      const d = inClient(['doctor', '--cluster', dir]);
      const doc = JSON.parse(d.stdout);
      expect(doc.matrix.cells).toHaveLength(2);
      expect(doc.matrix.cells.every((cell: { ok: boolean }) => cell.ok)).toBe(true);
    });
  });
});
