// Issue 16 item 13: outputs were written in place (a full disk destroyed the old snapshot; a symlink at the
// destination was followed), `decode --write-inner` onto its own input destroyed the capture, and a bad output
// path said "internal error". Now: write then rename, never over an input, one-line exit 2.
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { isRoot } from '../netns/lab.js';
import { itNeeding } from '../netns/needs.js';
import { cliEntry, ROOT, runCli } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'flanctl-outputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('outputs', () => {
  it('collect -o onto a symlink replaces the link, never writes through it', () => {
    const victim = join(tmp, 'victim.txt');
    writeFileSync(victim, 'do not touch\n');
    const link = join(tmp, 'snap.json');
    symlinkSync(victim, link);
    const r = runCli(['collect', '--from-dir', join(ROOT, 'fixtures/doctor/vxlan-node1'), '-o', link]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('do not touch\n');
    expect(lstatSync(link).isFile()).toBe(true);
    expect(JSON.parse(readFileSync(link, 'utf8')).schemaVersion).toBeDefined();
  });

  // A full disk, for real: a 64 KiB tmpfs in a private mount namespace (gone with it) holding the old snapshot, the
  // rest of it filled. Written in place, the old snapshot was truncated, then the write failed half-way.
  itNeeding(isRoot(), 'root (a tmpfs in a mount namespace)')('collect -o on a full filesystem: one line, exit 2, the old snapshot intact, no temporary file left', () => {
    const mnt = join(tmp, 'full');
    const old = join(ROOT, 'fixtures/doctor/vxlan-node1.snapshot.json');
    rmSync(mnt, { recursive: true, force: true });
    spawnSync('mkdir', [mnt]);
    const script = [
      'set -e',
      'mnt=$1; old=$2; shift 2',
      'mount -t tmpfs -o size=64k fct-full "$mnt"',
      'cp "$old" "$mnt/snap.json"',
      'cat /dev/zero > "$mnt/fill" 2>/dev/null || true',
      'set +e',
      '"$@" -o "$mnt/snap.json"; echo "rc=$?"',
      'sha256sum < "$mnt/snap.json"',
      'ls -A "$mnt"',
    ].join('\n');
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', mnt, old, ...cliEntry(), 'collect', '--from-dir', join(ROOT, 'fixtures/doctor/vxlan-node1')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const [rc, digest, ...left] = r.stdout.trim().split('\n');
    expect(rc, r.stderr).toBe('rc=2');
    expect(r.stderr).toBe(`flanctl: cannot write ${mnt}/snap.json: no space left on the device\n`);
    expect(digest.split(' ')[0]).toBe(sha(old));
    expect(left.sort()).toEqual(['fill', 'snap.json']);
  });

  it('decode --write-inner onto its own input: refused, the capture intact', () => {
    const cap = join(tmp, 'cap.pcap');
    copyFileSync(join(ROOT, 'fixtures/pcap/ipip-node1.pcap'), cap);
    const before = sha(cap);
    for (const out of [cap, join(tmp, '.', 'cap.pcap')]) {
      const r = runCli(['decode', cap, '--write-inner', out]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/refusing to write over it/);
      expect(sha(cap)).toBe(before);
    }
  });

  it('a --write-inner or -o path in a directory that does not exist: one line, exit 2', () => {
    const d = runCli(['decode', join(ROOT, 'fixtures/pcap/ipip-node1.pcap'), '--write-inner', join(tmp, 'no/such/dir/out.pcap')]);
    expect(d.status).toBe(2);
    expect(d.stderr).toMatch(/^flanctl: cannot write .*out\.pcap: no such directory\n$/);
    const c = runCli(['collect', '--from-dir', join(ROOT, 'fixtures/doctor/vxlan-node1'), '-o', join(tmp, 'no/such/dir/s.json')]);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/^flanctl: cannot write .*s\.json: no such directory\n$/);
  });
});
