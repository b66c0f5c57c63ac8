// Issue 16 item 16: terminal escape sequences in hostname.txt, a snapshot's host and cluster.json node names
// reached the terminal raw. Now they are printed escaped (\x1b), wherever the name is shown.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'flanctl-escape-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// set the window title, clear the screen, and a one-byte CSI
const EVIL = 'evil\u001b]0;pwned\u0007\u001b[2J\u009b1m';

const clean = (out: string): void => {
  // eslint-disable-next-line no-control-regex
  expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  expect(out).toContain('evil\\x1b]0;pwned\\x07\\x1b[2J\\x9b1m');
};

describe('control characters from other machines are escaped', () => {
  it('hostname.txt in a --from-dir', () => {
    const dir = join(tmp, 'dir');
    cpSync(join(ROOT, 'fixtures/doctor/vxlan-node1'), dir, { recursive: true });
    writeFileSync(join(dir, 'hostname.txt'), `${EVIL}\n`);
    const r = runCli(['collect', '--from-dir', dir, '--json']);
    clean(JSON.parse(r.stdout).host);
  });

  it("a snapshot file's host, in doctor's human output", () => {
    const snap = JSON.parse(readFileSync(join(ROOT, 'fixtures/doctor/vxlan-node1.snapshot.json'), 'utf8'));
    snap.host = EVIL;
    writeFileSync(join(tmp, 'snap.json'), JSON.stringify(snap));
    const r = runCli(['doctor', '--snapshot', join(tmp, 'snap.json'), '--nodes', join(ROOT, 'fixtures/doctor/vxlan-nodes.json')]);
    clean(r.stdout);
  });

  it('an unreachable node named in cluster.json', () => {
    const dir = join(tmp, 'cluster');
    cpSync(join(ROOT, 'fixtures/cluster/stale-vtep'), dir, { recursive: true });
    const m = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8'));
    m.nodes.push({ name: EVIL, ok: false, ms: 1, error: 'down' });
    writeFileSync(join(dir, 'cluster.json'), JSON.stringify(m));
    const r = runCli(['doctor', '--cluster', dir]);
    clean(r.stdout + r.stderr);
  });
});
