// The decode command end to end (built CLI): exit codes, stdin, JSON shape, filters, --write-inner read back
// by tcpdump and tshark. `npm test` builds before running vitest.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../collect/cli.js';
import { isRoot } from '../netns/lab.js';
import { itNeeding } from '../netns/needs.js';

const root = resolve(import.meta.dirname, '../..');
const fx = (name: string): string => join(root, 'fixtures/pcap', name);
const tmp = mkdtempSync(join(tmpdir(), 'flanctl-decode-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const flanctl = (args: string[], input?: Buffer) => runCli(['decode', ...args], { input });

describe('flanctl decode', () => {
  it('prints outer | inner on one line per packet', () => {
    const r = flanctl([fx('ipip-node1.pcap')]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{6} 192\.168\.0\.81 → 192\.168\.0\.82 IPIP \| 10\.244\.1\.2 → 10\.244\.2\.2 ICMP echo request id 51 seq 1, length 118$/);
  });

  it('a file that is not a capture: one line, exit 2', () => {
    const bad = join(tmp, 'notes.txt');
    writeFileSync(bad, 'route -n output, not a capture\n');
    const r = flanctl([bad]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^flanctl: not a capture/);
    expect(flanctl([join(tmp, 'missing.pcap')]).status).toBe(2);
  });

  // issue 16 item 15: a capture the user may not read was "internal error", exit 3
  itNeeding(isRoot(), 'root (to run the CLI as an unprivileged user with setpriv)')('a capture the user may not read: one line, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flanctl-eacces-'));
    try {
      chmodSync(dir, 0o755);
      const cap = join(dir, 'root-only.pcap');
      copyFileSync(fx('ipip-node1.pcap'), cap);
      chmodSync(cap, 0o600);
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(root, 'bin/run.js'), 'decode', cap], { encoding: 'utf8', env: { ...process.env, HOME: dir } });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(`flanctl: permission denied: ${cap}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads stdin (-), gzip, and finds the anomalies (exit 1)', () => {
    const r = flanctl(['-', '--json'], readFileSync(fx('vxlan-node1.pcap.gz')));
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['file', 'format', 'linkType', 'packets', 'tunnels', 'flows', 'anomalies']));
    expect(doc).toMatchObject({ file: '-', format: 'pcap', gzip: true, linkType: 'ethernet', packets: 33 });
    expect(doc.tunnels.vxlan).toEqual([
      expect.objectContaining({ vni: 1, src: '192.168.56.11', dst: '192.168.56.12', packets: 9 }),
      expect.objectContaining({ vni: 1, src: '192.168.56.12', dst: '192.168.56.11', packets: 8 }),
    ]);
    const kinds = doc.anomalies.map((a: { kind: string }) => a.kind);
    expect(kinds).toEqual(expect.arrayContaining(['dns-error', 'dns-timeout', 'icmp-unreachable', 'tcp-reset']));
    // the offloaded outer checksums of a sending host are not the checksum bug
    expect(kinds).not.toContain('bad-outer-udp-checksum');
    const web = doc.dns.find((d: { name: string }) => d.name === 'web.default.svc.cluster.local');
    expect(web).toMatchObject({ queries: 1, responses: 1, answers: ['10.96.0.10'], rcodes: ['NOERROR'] });
    expect(web.latencyMs.avg).toBeGreaterThan(0);
  });

  it('a gzip capture cut short decodes what is there and says so', () => {
    const gz = readFileSync(fx('vxlan-node1.pcap.gz'));
    const r = flanctl(['-', '--json'], gz.subarray(0, gz.length - 300));
    const doc = JSON.parse(r.stdout);
    expect(doc.packets).toBeGreaterThan(0);
    expect(doc.packets).toBeLessThan(33);
    expect(doc.anomalies.map((a: { kind: string }) => a.kind)).toContain('file-cut');
  });

  it('flags the crafted anomalies in --summary', () => {
    const r = flanctl([fx('vxlan-anomalies.pcap'), '--summary']);
    expect(r.status).toBe(1);
    for (const kind of ['bad-outer-udp-checksum', 'bad-ip-checksum', 'vxlan-flags', 'unknown-vni', 'inner-exceeds-mtu', 'icmp-frag-needed', 'tcp-reset', 'arp-no-reply', 'ip-fragment']) {
      expect(r.stdout).toContain(kind);
    }
  });

  it('filters: --host, --vni, --proto, --limit; --ndjson streams records', () => {
    const host = flanctl([fx('vxlan-node1.pcap'), '--host', '10.244.2.3', '--ndjson']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(host.length).toBe(4);
    for (const r of host) expect([r.inner.src, r.inner.dst, r.inner.icmp?.quoted?.dst]).toContain('10.244.2.3');
    expect(flanctl([fx('vxlan-anomalies.pcap'), '--vni', '42']).stdout.trim().split('\n')).toHaveLength(1);
    const dns = flanctl([fx('vxlan-node1.pcap'), '--proto', 'dns', '--limit', '2']).stdout.trim().split('\n');
    expect(dns).toHaveLength(2);
    expect(dns[1]).toContain('DNS response 0x1a00 NOERROR A web.default.svc.cluster.local: 10.96.0.10');
    expect(flanctl([fx('vxlan-node1.pcap'), '--host', 'not-an-ip']).status).toBe(2);
    // a repeatable flag before the file must not swallow it
    const custom = flanctl(['--vxlan-port', '9999', fx('vxlan-port9999.pcap')]).stdout.trim().split('\n');
    expect(custom).toHaveLength(2);
    expect(custom[0]).toContain('VXLAN vni 1 | 10.244.1.5 → 10.244.2.5 ICMP echo request');
    expect(flanctl([fx('vxlan-port9999.pcap')]).stdout).not.toContain('VXLAN');
  });

  it('--write-inner: a pcap tcpdump and tshark read, inner frames with their timestamps', () => {
    const vx = join(tmp, 'inner-vxlan.pcap');
    expect(flanctl([fx('vxlan-node1.pcap'), '--write-inner', vx, '--summary']).stdout).toContain('wrote 17 inner frames');
    const td = execFileSync('tcpdump', ['-nn', '-tt', '-r', vx], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
    expect(td).toHaveLength(17);
    expect(td[0]).toMatch(/^1795454967\.047174 IP 10\.244\.1\.2 > 10\.244\.2\.2: ICMP echo request/);
    const ts = execFileSync('tshark', ['-r', vx, '-T', 'fields', '-e', 'eth.type', '-e', 'ip.src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(ts.split('\n')[0]).toBe('0x0800\t10.244.1.2');
    const ip = join(tmp, 'inner-ipip.pcap');
    flanctl([fx('ipip-node1.pcap'), '--write-inner', ip]);
    const raw = execFileSync('tcpdump', ['-nn', '-r', ip], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(raw.trim().split('\n')).toHaveLength(6);
    expect(readFileSync(ip).readUInt32LE(20)).toBe(101); // raw IP link type
  });

  it('nanosecond and pcapng captures keep their timestamps', () => {
    const nano = JSON.parse(flanctl([fx('vxlan-node1-nano.pcap'), '--json', '--records', '--limit', '1']).stdout);
    expect(nano.format).toBe('pcap-ns');
    expect(nano.records[0].ts).toMatch(/^\d+\.\d{9}$/);
    const ng = JSON.parse(flanctl([fx('merged-multi.pcapng'), '--json']).stdout);
    expect(ng).toMatchObject({ format: 'pcapng', packets: 73, linkTypes: ['ethernet', 'raw'] });
    expect(ng.tunnels.vxlan.length).toBe(2);
  });
});
