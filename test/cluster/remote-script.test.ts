import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foreignSections, REMOTE_SCRIPT, REMOTE_STEPS, splitRemoteOutput } from '../../src/cluster/remote-script.js';

// The framing REMOTE_SCRIPT's step() prints around one command's stdout.
const frame = (nonce: string, file: string, out: string, rc: number, err = ''): string =>
  `\n@@flanctl-${nonce} begin ${file}\n${out}\n@@flanctl-${nonce} end ${file} ${rc} ${err}\n`;

const STEP_FILES = [...new Set(REMOTE_STEPS.flatMap((s) => s.attempts.map((a) => a.file)))];

describe('splitRemoteOutput', () => {
  it('gives back every output exactly, as a text file ending in one newline (property)', () => {
    const line = fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).filter((l) => !l.includes('\n') && !l.startsWith('@@flanctl'));
    const output = fc.array(line, { maxLength: 8 }).map((lines) => lines.join('\n'));
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...STEP_FILES), { minLength: 1, maxLength: 5 }), fc.array(output, { minLength: 5, maxLength: 5 }), (files, outs) => {
        const text = files.map((f, i) => frame('0123456789abcdef', f, outs[i], 0)).join('');
        const parts = splitRemoteOutput(text, '0123456789abcdef');
        expect(parts.map((p) => p.file)).toEqual(files);
        parts.forEach((p, i) => {
          // the command's output as a file: at most its own final newline dropped, then one added back
          const want = outs[i].endsWith('\n') ? outs[i].slice(0, -1) : outs[i];
          expect(p.text).toBe(want === '' ? '' : want + '\n');
          expect(p.ok).toBe(true);
        });
      }),
    );
  });

  it('drops sections whose name is not a step file (a hostile node naming ../../x)', () => {
    const text = frame('n', '../../../tmp/x', 'owned', 0) + frame('n', '/etc/cron.d/x', 'owned', 0) + frame('n', 'ip-link.txt/../../y', 'owned', 0) + frame('n', 'ip-link.txt', 'link', 0);
    expect(splitRemoteOutput(text, 'n')).toEqual([{ file: 'ip-link.txt', ok: true, text: 'link\n', exitCode: 0 }]);
  });

  // issue 16 item 1 (leftover): a hostile node floods the report. The README's cap: 20 distinct names listed,
  // each at most 80 characters once escaped (cut at an escape's boundary, marked with …), the rest counted.
  it('foreign section names: 20 listed, escaped and cut at 80 characters, the rest counted (10,000 sections, a 1 MiB name)', () => {
    const big = 'A'.repeat(1 << 20);
    const escaped = `ab${'\u001b'.repeat(30)}`;
    const text =
      frame('n', '../../../tmp/x', 'owned', 0) +
      frame('n', big, '', 0) +
      frame('n', escaped, '', 0) +
      frame('n', '../../../tmp/x', 'again', 0) +
      frame('n', 'ip-link.txt', 'link', 0) +
      Array.from({ length: 10_000 }, (_, i) => frame('n', `s${i}`, '', 0)).join('');
    expect(foreignSections(text, 'n')).toEqual({
      names: [
        '../../../tmp/x',
        `${'A'.repeat(80)}…`,
        // 2 + 19 escapes of 4 characters = 78: a 20th would pass 80
        `ab${'\\x1b'.repeat(19)}…`,
        ...Array.from({ length: 17 }, (_, i) => `s${i}`),
      ],
      // distinct foreign names: 3 + 10,000, of which 20 listed
      more: 3 + 10_000 - 20,
    });
    expect(foreignSections(frame('n', 'ip-link.txt', 'link', 0), 'n')).toEqual({ names: [], more: 0 });
  });

  it('ignores markers with another nonce (output that happens to contain our marker text)', () => {
    const inner = '@@flanctl-ffffffffffffffff end ip-link.txt 0 ';
    const text = frame('0123456789abcdef', 'ip-link.txt', `a\n${inner}\nb`, 0);
    expect(splitRemoteOutput(text, '0123456789abcdef')).toEqual([{ file: 'ip-link.txt', ok: true, text: `a\n${inner}\nb\n`, exitCode: 0 }]);
  });

  it('a failed attempt is replaced by a later one that worked; a lone failure keeps its error', () => {
    const text = frame('n', 'ip-route.txt', '', 1, 'Option "-j" is unknown') + frame('n', 'ip-route.txt', 'default via 10.0.0.1 dev eth0', 0) + frame('n', 'subnet.env', '', 1, 'cat: /run/flannel/subnet.env: No such file or directory');
    expect(splitRemoteOutput(text, 'n')).toEqual([
      { file: 'ip-route.txt', ok: true, text: 'default via 10.0.0.1 dev eth0\n', exitCode: 0 },
      { file: 'subnet.env', ok: false, text: '', exitCode: 1, error: 'cat: /run/flannel/subnet.env: No such file or directory' },
    ]);
  });

  it('the real script under sh: every step of the collect step list reports, stderr kept apart, exit 0', () => {
    // sh with a PATH holding only fakes: each "program" prints its name, ip fails for -j (an old iproute2)
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    const fake = (name: string, body: string) => execFileSync('sh', ['-c', `printf '%s\\n' '#!/bin/sh' '${body}' > ${dir}/${name} && chmod +x ${dir}/${name}`]);
    for (const p of ['hostname', 'bridge', 'brctl', 'iptables-save', 'sysctl', 'uname', 'cat']) fake(p, `echo ${p} "$@"`);
    fake('ethtool', 'echo "Cannot get device features: No such device" >&2; echo "second line" >&2; exit 71');
    // (and shows no wireguard link: the wg step is the case below)
    fake('ip', 'case "$1" in -j) echo "Option -j is unknown" >&2; exit 255;; esac; [ "$*" = "link show type wireguard" ] && exit 0; echo ip "$@"');
    const out = execFileSync('/bin/sh', ['-s', '--', 'feedc0de'], { input: REMOTE_SCRIPT, encoding: 'utf8', env: { PATH: dir } });
    const parts = splitRemoteOutput(out, 'feedc0de');
    const byFile = new Map(parts.map((p) => [p.file, p]));
    expect(byFile.get('ip-link.txt')).toEqual({ file: 'ip-link.txt', ok: true, text: 'ip -d link show\n', exitCode: 0 });
    expect(byFile.get('bridge-fdb.txt')?.text).toBe('bridge -j fdb show\n');
    // a failed step reports its exit status and the first line of its stderr (the PATH has no head: the shell cuts it)
    expect(byFile.get('ethtool-k-flannel.1.txt')).toEqual({ file: 'ethtool-k-flannel.1.txt', ok: false, text: '', exitCode: 71, error: 'Cannot get device features: No such device' });
    const files = new Set(REMOTE_STEPS.map((s) => s.attempts[0].file));
    expect(new Set(parts.map((p) => p.file))).toEqual(files);
    execFileSync('rm', ['-rf', dir]);
  });

  it('the real script under sh reads hostname, kernel release and sysctls from /proc: the text hostname, uname -r and sysctl -e print', () => {
    // a PATH without those three programs: the shell's own reads answer (the expectation is the programs' output)
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    const out = execFileSync('/bin/sh', ['-s', '--', 'feedc0de'], { input: REMOTE_SCRIPT, encoding: 'utf8', env: { PATH: dir } });
    execFileSync('rm', ['-rf', dir]);
    const byFile = new Map(splitRemoteOutput(out, 'feedc0de').map((p) => [p.file, p]));
    const real = (argv: string[]): string => execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    const sysctl = REMOTE_STEPS.find((s) => s.name === 'sysctl')!.attempts[0].argv!;
    expect(byFile.get('hostname.txt')).toEqual({ file: 'hostname.txt', ok: true, text: real(['hostname']), exitCode: 0 });
    expect(byFile.get('kernel.txt')).toEqual({ file: 'kernel.txt', ok: true, text: real(['uname', '-r']), exitCode: 0 });
    expect(byFile.get('sysctl.txt')?.text).toBe(real(sysctl));
    expect(byFile.get('sysctl.txt')?.ok).toBe(true);
  });

  // issue 12 part C item 4: wg show all dump, as live collect runs it, only when the node has a wireguard link
  it.each([
    ['a flannel-wg link: wg-dump.txt collected, the private key hidden on arrival', '5: flannel-wg: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1420', true],
    ['no wireguard link: no wg-dump.txt section at all', '', false],
  ])('the real script under sh, %s', (_what, wgLinks, wanted) => {
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    const fake = (name: string, body: string) => execFileSync('sh', ['-c', `printf '%s\\n' '#!/bin/sh' '${body}' > ${dir}/${name} && chmod +x ${dir}/${name}`]);
    for (const p of ['hostname', 'bridge', 'brctl', 'iptables-save', 'sysctl', 'uname', 'cat', 'ethtool']) fake(p, `echo ${p} "$@"`);
    fake('ip', `case "$*" in "link show type wireguard") printf "%s" "${wgLinks}";; *) echo ip "$@";; esac`);
    // the recorded dump (fixtures/wg-dump/node1-healthy.txt): its device line carries the private key
    const dump = readFileSync(new URL('../../fixtures/wg-dump/node1-healthy.txt', import.meta.url), 'utf8');
    writeFileSync(join(dir, 'dump.txt'), dump);
    fake('wg', `[ "$*" = "show all dump" ] && exec /bin/cat ${dir}/dump.txt; exit 1`);
    const out = execFileSync('/bin/sh', ['-s', '--', 'feedc0de'], { input: REMOTE_SCRIPT, encoding: 'utf8', env: { PATH: dir } });
    const part = splitRemoteOutput(out, 'feedc0de').find((p) => p.file === 'wg-dump.txt');
    execFileSync('rm', ['-rf', dir]);
    if (!wanted) return expect(part).toBeUndefined();
    expect(part?.ok).toBe(true);
    const [device, ...peers] = part!.text.trimEnd().split('\n');
    const [dev0, ...peers0] = dump.trimEnd().split('\n');
    // the device line: name, (hidden) where the private key was, then public key, port, fwmark as recorded
    const d = device.split('\t');
    const d0 = dev0.split('\t');
    expect(d0[1]).not.toBe('(hidden)');
    expect(d).toEqual([d0[0], '(hidden)', ...d0.slice(2)]);
    expect(part!.text).not.toContain(d0[1]);
    expect(peers).toEqual(peers0);
  });
});
