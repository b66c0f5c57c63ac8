// The kernel-file read that stands in for `sysctl -e` on a node prints what that program prints:
// the expectation is the real program's output over the same files (this process's namespace, read only).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sysctlText } from '../../src/collect/kernel-files.js';

const run = (argv: string[]): string => {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (r.error) throw r.error;
  return r.stdout;
};

describe('sysctlText', () => {
  it('prints what `sysctl -e KEY…` prints: one-value keys, several values, a key whose file is absent (skipped by -e)', () => {
    const keys = ['net.ipv4.ip_forward', 'net.bridge.bridge-nf-call-iptables', 'net.ipv4.tcp_rmem', 'net.ipv4.conf.lo.rp_filter', 'kernel.osrelease', 'net.ipv4.no_such_key'];
    for (const key of keys) expect(sysctlText([key]), key).toBe(run(['sysctl', '-e', key]));
    expect(sysctlText(keys)).toBe(run(['sysctl', '-e', ...keys]));
  });

  it('the keys live collect reads', () => {
    const keys = ['net.ipv4.ip_forward', 'net.bridge.bridge-nf-call-iptables'];
    expect(sysctlText(keys)).toBe(run(['sysctl', '-e', ...keys]));
  });

  it('refuses a key that is no plain path under /proc/sys (the caller then runs sysctl itself)', () => {
    expect(() => sysctlText(['net/../../etc/passwd'])).toThrow(/not a plain sysctl key/);
    expect(() => sysctlText(['net.ipv4.conf.flannel/1.rp_filter'])).toThrow(/not a plain sysctl key/);
  });
});
