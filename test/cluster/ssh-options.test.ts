// Issue 16 item 18: an invalid --ssh-option was reported as every node's failure (exit 1), not a usage error,
// and ProxyJump values were only checked by OpenSSH. Now: one line, exit 2, before any node is reached.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../collect/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'flanctl-sshopt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
writeFileSync(join(tmp, 'hosts.txt'), 'root@127.0.0.1:9\n');

describe('collect --all --ssh-option', () => {
  it.each([
    ['StrictHostKeyChecking no', /not an ssh option/],
    ['ProxyCommand=sh', /ProxyCommand is not accepted/],
    ['ProxyJump=-oProxyCommand=sh', /ProxyJump=.*not a list/],
    ['ProxyJump=jump.example:99999', /ProxyJump=.*not a list/],
    ['ProxyJump=a@b,c@-x', /ProxyJump=.*not a list/],
  ])('%s: exit 2, one line, nothing written', (opt, message) => {
    const out = join(tmp, `o${Math.random().toString(16).slice(2)}`);
    const r = runCli(['collect', '--all', '--ssh-hosts', join(tmp, 'hosts.txt'), '--ssh-option', opt, '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(tmp).filter((f) => f.startsWith('o'))).toEqual([]);
  });
});
