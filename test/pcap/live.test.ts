// A capture taken now, in a 2-node flannel VXLAN lab (tcpdump inside the node namespace, never the root one),
// decoded by flanctl: the tunnel, the pods and the ICMP sequence must be what we sent.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeCapture } from '../../src/pcap/index.js';
import { buildFlannelCluster, type LabCluster } from '../netns/flannel-cluster.js';
import { canUseNetns, Lab } from '../netns/lab.js';
import { describeNeeding } from '../netns/needs.js';

const hasTcpdump = (): boolean => canUseNetns() && spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).status === 0;

describeNeeding(hasTcpdump(), 'root, network namespaces and tcpdump')('decode a live VXLAN capture', () => {
  const lab = new Lab('pcl');
  const dir = mkdtempSync(join(tmpdir(), 'flanctl-live-'));
  let cluster: LabCluster;
  beforeAll(() => {
    cluster = buildFlannelCluster(lab, { nodes: 2, podsPerNode: 1 });
  });
  afterAll(() => {
    lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('node1 eth0: VXLAN vni 1 between the nodes, the pods ICMP inside', async () => {
    const [n1, n2] = cluster.nodes;
    const [a] = n1.pods;
    const [b] = n2.pods;
    lab.ping(a.netns, b.ip); // neighbours warm
    const file = join(dir, 'node1.pcap');
    const dump = spawn('ip', ['netns', 'exec', n1.netns, 'tcpdump', '-U', '-n', '-i', 'eth0', '-c', '6', '-w', file, 'udp port 8472'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1000));
    lab.tryExec(a.netns, ['ping', '-c', '3', '-i', '0.2', '-W', '1', b.ip]);
    const exited = await Promise.race([new Promise((r) => dump.once('exit', () => r(true))), new Promise((r) => setTimeout(() => r(false), 5000))]);
    if (!exited) dump.kill('SIGINT');
    const got = await decodeCapture({ file, mode: 'summary', records: true });
    expect(got.packets).toBe(6);
    expect(got.tunnels.vxlan).toEqual([
      expect.objectContaining({ vni: 1, src: n1.ip, dst: n2.ip, packets: 3 }),
      expect.objectContaining({ vni: 1, src: n2.ip, dst: n1.ip, packets: 3 }),
    ]);
    const inner = (got.records ?? []).map((r) => r.inner as { src: string; dst: string; icmp: { type: number; seq: number } });
    expect(inner.map((i) => `${i.src}>${i.dst} ${i.icmp.type}/${i.icmp.seq}`)).toEqual([
      `${a.ip}>${b.ip} 8/1`, `${b.ip}>${a.ip} 0/1`, `${a.ip}>${b.ip} 8/2`, `${b.ip}>${a.ip} 0/2`, `${a.ip}>${b.ip} 8/3`, `${b.ip}>${a.ip} 0/3`,
    ]);
    expect(got.anomalies.filter((x) => x.severity !== 'info')).toEqual([]);
  });
});
