// A node built in namespaces, collected into raw outputs (collect --raw-dir), pasted back as ONE transcript (a prompt
// naming the node before each command, fences around each output, as a ticket would show them): it must read back
// as the same node state as collect --netns recorded.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FEATURES_STEP, HOSTNAME_STEP, IPTABLES_LEGACY_STEP, iflinkStep, STEPS } from '../../src/collect/commands.js';
import type { Snapshot } from '../../src/model/index.js';
import { cliEntry, runCli } from '../collect/cli.js';
import { buildFlannelCluster, type LabCluster } from '../netns/flannel-cluster.js';
import { Lab } from '../netns/lab.js';
import { describeNetns } from '../netns/needs.js';

describeNetns('a collected node pasted back as one transcript', () => {
  const lab = new Lab('tkt');
  const tmp = mkdtempSync(join(tmpdir(), 'fct-tickets-'));
  let cluster: LabCluster;

  beforeAll(() => {
    cliEntry();
    try {
      cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 2 });
    } catch (error) {
      lab.teardown();
      throw error;
    }
  });

  afterAll(() => {
    lab.teardown();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('reads back as the snapshot collect --netns wrote', () => {
    const ns = cluster.nodes[0].netns;
    const raw = join(tmp, 'raw');
    const out = join(tmp, 'node.json');
    const r = runCli(['collect', '--netns', ns, '-o', out, '--raw-dir', raw]);
    expect(r.status, r.stderr).toBe(0);
    const live = JSON.parse(readFileSync(out, 'utf8')) as Snapshot;

    // the command line that printed each raw file: the argv collect recorded for its step
    const files = new Map<string, string>();
    for (const c of live.commands) {
      if (!c.argv || !c.ok) continue;
      const attempt = [...STEPS, HOSTNAME_STEP, FEATURES_STEP, IPTABLES_LEGACY_STEP].flatMap((s) => s.attempts).find((a) => a.argv?.join(' ') === c.argv!.join(' '));
      files.set(attempt?.file ?? (c.name === 'iflink' ? 'iflink.txt' : ''), c.argv.join(' '));
    }
    // with --netns the node's name is the namespace's, saved as hostname.txt; the kernel release is read from
    // /proc/sys/kernel/osrelease without a process, so no argv is recorded: what a user would type is uname -r
    files.set('hostname.txt', 'hostname');
    files.set('kernel.txt', 'uname -r');
    // the launcher's shell reads the iflink files itself (no process): what a user would type is the grep it stands for
    files.set('iflink.txt', iflinkStep(live.links.map((l) => l.name)).attempts[0].argv!.join(' '));
    const paste: string[] = ['Here is what the node shows, every command as root:', ''];
    for (const file of readdirSync(raw).filter((f) => f !== 'pods').sort()) {
      const command = files.get(file);
      expect(command, `the command behind ${file}`).toBeDefined();
      paste.push('```', `[root@${ns} ~]# ${command}`, readFileSync(join(raw, file), 'utf8').trimEnd(), '```', '');
    }
    for (const pod of readdirSync(join(raw, 'pods')).sort()) {
      paste.push('And inside the pod:', '```', `[root@${ns} ~]# kubectl exec ${pod} -- ip -j addr show`, readFileSync(join(raw, 'pods', pod, 'ip-addr.txt'), 'utf8').trimEnd(), '```', '');
    }
    const ticket = join(tmp, 'ticket.md');
    writeFileSync(ticket, paste.join('\n'));

    const back = runCli(['collect', '--from-dir', ticket, '--json']);
    expect(back.status, back.stderr).toBe(0);
    expect(back.stderr).toBe('');
    const got = JSON.parse(back.stdout) as Snapshot;
    expect(got.host).toBe(ns);
    for (const key of ['links', 'addresses', 'routes', 'neigh', 'fdb', 'bridges', 'bridgePorts', 'iptables', 'iflinks', 'sysctls', 'features', 'kernel'] as const) {
      expect(got[key], key).toEqual(live[key]);
    }
    const podView = (s: Snapshot) => s.pods.map((p) => ({ ip: p.ip, mac: p.mac, ifindex: p.ifindex, iflink: p.iflink, ifname: p.ifname, mtu: p.mtu })).sort((a, b) => (a.ip ?? '').localeCompare(b.ip ?? ''));
    expect(podView(got)).toEqual(podView(live));
    // the paste names each pod by the name kubectl exec used; live knows its namespace
    expect(got.pods.map((p) => p.pod).sort()).toEqual(live.pods.map((p) => p.netns).sort());
  });
});
