// The launcher (one sh that starts the collection's programs) gives back each program's output exactly as the
// program prints it alone, whatever it prints: the expectation is the same program run alone through runner.ts
// (or the real `grep -H .`), never the launcher's own framing. The programs are fakes on a PATH of their own
// that print hostile outputs: marker-like lines, no final newline, bytes that are no UTF-8, more than a pipe holds.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEPS } from '../../src/collect/commands.js';
import { SHELL_FUNCTIONS } from '../../src/collect/frame.js';
import { LAUNCHED_UNITS, NAMED_NETNS, podSection, startLauncher, type Launcher } from '../../src/collect/launcher.js';
import { isNetnsName, run, type RunResult } from '../../src/collect/runner.js';

const dir = mkdtempSync(join(tmpdir(), 'fct-launcher-'));
const fake = (name: string, body: string): void => {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
};

// `ip`, as each of the launcher's ip units calls it
fake(
  'ip',
  [
    'case "$*" in',
    // a marker of another run, our marker's prefix alone, and no final newline
    `  "-j -d link show") printf '[{"ifname":"lo"}]\\n@@flanctl-0123456789abcdef end ip-link 0 \\n@@flanctl-\\n\\n@@flanctl-0123456789abcdef begin x\\nlast line, no newline' ;;`,
    // NUL, bytes that are no UTF-8, and a multi-byte character cut short at the very end
    `  "-6 -j route show table main") printf 'a\\000b\\377\\376c\\n\\342\\202' ;;`,
    // a batch: its stdin back, each line bracketed (the pods' batch: the lines exactly)
    `  "-j -force -batch -") while IFS= read -r l; do printf '[%s]\\n' "$l"; done ;;`,
    // `ip netns list-id` (the namespaces read unasked): what iproute2 prints, with names only some of which are
    // well-formed (shell syntax, `..`, 129 characters, an nsid without a name)
    `  "netns list-id") printf '%s\\n' 'nsid 0 (iproute2 netns name: cni-1)' 'nsid 1 (iproute2 netns name: $(touch x))' 'nsid 2 (iproute2 netns name: ..)' 'nsid 3 ' 'nsid 4 (iproute2 netns name: a:b@c+d_e.f-g)' "nsid 5 (iproute2 netns name: $(printf '%0129d' 0))" 'nsid 6 (iproute2 netns name: gone)' 'nsid 7 (iproute2 netns name: -n)' ;;`,
    // `ip -n NAME -j addr show` (the pods): NAME back as it came; `gone` fails as a namespace deleted mid-way does
    `  "-n "*" -j addr show") [ "$2" != gone ] && [ "$2" != gone2 ] || { echo "Cannot open network namespace \\"$2\\": No such file or directory" >&2; exit 1; }; printf '[{"netns":"%s"}]\\n' "$2" ;;`,
    '  *) exit 9 ;;',
    'esac',
  ].join('\n'),
);
// a batch that fails: two stderr lines, nothing on stdout
fake('bridge', `printf 'Option "-batch" is unknown\\nsecond line\\n' >&2; exit 255`);
// stdout and a warning on stderr, exit 0
fake('iptables-save', `printf '*filter\\n:INPUT ACCEPT [0:0]\\nCOMMIT\\n'; echo '# Warning: iptables-legacy tables present' >&2`);
// more than a pipe holds (64 KiB): 300,000 bytes
fake('nft', `i=0; while [ $i -lt 3000 ]; do printf '%099d\\n' $i; i=$((i + 1)); done`);
fake('ethtool', `echo 'Cannot get device features: No such device' >&2; exit 71`);
fake('wg', `printf 'flannel-wg\\t(key)\\n'`);
// `nsenter --net=PATH ip -j addr show` (the pods on a node with many mounts): its argv back as it came
fake('nsenter', `printf '[{"argv":"%s"}]\\n' "$*"`);
// no brctl: the shell cannot find it
symlinkSync('/bin/sh', join(dir, 'sh'));

const savedPath = process.env.PATH;
// the real programs the shell's reads stand in for, found before PATH holds only the fakes
const real = (program: string): string => spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim();
const [SYSCTL, GREP] = [real('sysctl'), real('grep')];
const inC = { ...process.env, LC_ALL: 'C' };
let launcher: Launcher;

beforeAll(async () => {
  process.env.PATH = dir;
  launcher = (await startLauncher(undefined, 'ip-n'))!;
  expect(launcher).toBeDefined();
});

afterAll(() => {
  process.env.PATH = savedPath;
  rmSync(dir, { recursive: true, force: true });
});

/** The unit's program run alone, as the runner runs it: its argv, and a batch its lines on stdin. */
async function alone(name: string): Promise<RunResult> {
  const u = LAUNCHED_UNITS.find((x) => x.name === name)!;
  const argv = u.batch?.argv ?? u.steps[0].attempts[0].argv!;
  return run(argv, u.batch ? { input: u.batch.lines.map((l) => `${l}\n`).join('') } : {});
}

const firstLine = (text: string): string => text.split('\n')[0];

describe('launcher: each output as the program prints it alone', () => {
  it.each(['ip-link', 'ip-route6', 'ip-batch', 'iptables-save', 'nft'])('%s', async (name) => {
    const got = await launcher.section(name);
    const want = await alone(name);
    expect(want.exitCode).toBe(0);
    expect(got?.text).toBe(want.stdout);
    expect(got?.exitCode).toBe(0);
    expect(got?.stderr).toBe(firstLine(want.stderr));
  });

  it('the output that looks like markers is all there (from the fake program itself)', async () => {
    const got = await launcher.section('ip-link');
    const own = spawnSync(join(dir, 'ip'), ['-j', '-d', 'link', 'show'], { encoding: 'utf8' }).stdout;
    expect(got?.text).toBe(own);
    expect(own.endsWith('no newline')).toBe(true);
  });

  it('a step that fails: its exit status and the first line of its stderr', async () => {
    const got = await launcher.section('bridge-batch');
    const want = await alone('bridge-batch');
    expect(got).toMatchObject({ text: want.stdout, exitCode: want.exitCode, stderr: firstLine(want.stderr) });
    expect(got?.exitCode).toBe(255);
  });

  it('a program missing: exit status 127 (POSIX: command not found), no output', async () => {
    const got = await launcher.section('brctl-show');
    expect((await alone('brctl-show')).missing).toBe(true);
    expect(got).toMatchObject({ text: '', exitCode: 127 });
  });

  it("unasked: the names `ip netns list-id` printed that are namespace names (isNetnsName), each read as `ip -n NAME -j addr show` prints it; one gone fails alone", async () => {
    const listed = spawnSync(join(dir, 'ip'), ['netns', 'list-id'], { encoding: 'utf8' }).stdout;
    // what a person reads in that output: the name after `name: `, before the closing parenthesis
    const names = listed
      .split('\n')
      .map((l) => /name: (.*)\)$/.exec(l)?.[1])
      .filter((n): n is string => n !== undefined && isNetnsName(n));
    expect(names).toEqual(['cni-1', 'a:b@c+d_e.f-g', 'gone', '-n']);
    expect((await launcher.section(NAMED_NETNS))?.text).toBe(names.map((n) => `${n}\n`).join(''));
    for (const n of names) {
      const want = await run(['ip', '-n', n, '-j', 'addr', 'show']);
      expect(await launcher.section(podSection(n)), n).toMatchObject({ text: want.stdout, exitCode: want.exitCode });
    }
    expect((await launcher.section(podSection('gone')))?.exitCode).toBe(1);
  });

  it('unasked, property: of 300 generated names, the launcher reads exactly those isNetnsName takes, in order', async () => {
    const names = fc.sample(fc.oneof(fc.string({ unit: fc.constantFrom(...'aZ09_.@:+-/ $()\'"`;|&*?[]!\\\t'), maxLength: 12 }), fc.string({ unit: fc.constantFrom('a', '-', '.'), minLength: 120, maxLength: 135 })), { numRuns: 300, seed: 15 });
    const other = join(dir, 'many');
    mkdirSync(other);
    writeFileSync(join(other, 'names'), names.map((n, i) => `nsid ${i} (iproute2 netns name: ${n})\n`).join(''));
    // an ip that lists those names, and reads any namespace as the fake above does
    writeFileSync(join(other, 'ip'), `#!/bin/sh\nif [ "$*" = "netns list-id" ]; then while IFS= read -r l; do printf '%s\\n' "$l"; done < ${join(other, 'names')}; exit; fi\nprintf '[{"netns":"%s"}]\\n' "$2"\n`);
    chmodSync(join(other, 'ip'), 0o755);
    process.env.PATH = `${other}:${dir}`;
    try {
      const l = (await startLauncher(undefined, 'ip-n'))!;
      l.send();
      const want = names.filter((n) => isNetnsName(n));
      expect(want.length).toBeGreaterThan(50);
      expect((await l.section(NAMED_NETNS))?.text).toBe(want.map((n) => `${n}\n`).join(''));
    } finally {
      process.env.PATH = dir;
    }
  });

  it('requests: the pods as `ip -n NAME -j addr show` prints each, names as argv exactly; iflink reads files as `grep -H .` does', async () => {
    const files = join(dir, 'sys');
    mkdirSync(files);
    // empty lines, blanks kept at both ends, a backslash, no final newline, an empty file
    const contents = ['7\n', '\n\n  a b  \n\\t\n\n', 'x\n\ny', ''];
    const paths = contents.map((text, i) => {
      writeFileSync(join(files, `f${i}`), text);
      return join(files, `f${i}`);
    });
    // names collect validated (isNetnsName): one looks like an option, one is gone mid-way (the others still read)
    const names = ['p-1', '-j', 'gone2', 'p@2'];
    expect(launcher.requestPods(names)).toBe(true);
    const iflink = launcher.request('iflink', paths);
    const ethtool = launcher.request('ethtool-k');
    const wg = launcher.request('wg-dump');
    launcher.send();
    for (const n of names) {
      const want = await run(['ip', '-n', n, '-j', 'addr', 'show']);
      expect(await launcher.section(podSection(n)), n).toMatchObject({ text: want.stdout, exitCode: want.exitCode });
    }
    const grep = spawnSync(GREP, ['-H', '.', ...paths], { encoding: 'utf8' });
    expect((await iflink)?.text).toBe(grep.stdout);
    expect(await ethtool).toMatchObject({ text: '', exitCode: 71, stderr: 'Cannot get device features: No such device' });
    expect((await wg)?.text).toBe((await run(['wg', 'show', 'all', 'dump'])).stdout);
  });

  it('in the nsenter form, each pod as `nsenter --net=/var/run/netns/NAME ip -j addr show` prints it', async () => {
    const other = (await startLauncher(undefined, 'nsenter'))!;
    expect(other.requestPods(['q-1', 'q-2'])).toBe(true);
    other.send();
    for (const n of ['cni-1', '-n', 'q-1', 'q-2']) {
      const want = await run(['nsenter', `--net=/var/run/netns/${n}`, 'ip', '-j', 'addr', 'show']);
      expect(await other.section(podSection(n)), n).toMatchObject({ text: want.stdout, exitCode: 0 });
    }
  });

  it('a request that cannot be asked (a datum that would end it early, no pods fd left) is not sent: undefined or false, the caller runs it', async () => {
    const other = (await startLauncher(undefined, 'ip-n'))!;
    expect(other.requestPods(['.'])).toBe(false);
    expect(await other.request('iflink', ['a\nb'])).toBeUndefined();
    // two fds for the pods collect asks for
    expect([other.requestPods(['r0']), other.requestPods(['r1']), other.requestPods(['r2'])]).toEqual([true, true, false]);
    other.send();
    // the ones sent all answered
    for (const n of ['r0', 'r1']) expect((await other.section(podSection(n)))?.text).toBe((await run(['ip', '-n', n, '-j', 'addr', 'show'])).stdout);
    expect(await other.section(podSection('r2'))).toBeUndefined();
  });
});

describe("the shell's kernel-file reads print what the programs print", () => {
  // the remote script's sysctls (collect --all); a local collect reads /proc/sys in flanctl itself (kernel-files.ts)
  const sysctls = (keys: string[]) => spawnSync('/bin/sh', ['-c', [...SHELL_FUNCTIONS, 'sysctls "$@"'].join('\n'), 'sh', ...keys], { encoding: 'utf8' });
  it('sysctls: one-character values and a key whose file is absent (skipped as -e does) as the program prints them', () => {
    const keys = ['net.ipv4.ip_forward', 'net.bridge.bridge-nf-call-iptables', 'net.ipv4.conf.lo.rp_filter', 'net.ipv4.no_such_key'];
    expect(sysctls(keys)).toMatchObject({ status: 0, stdout: spawnSync(SYSCTL, ['-e', ...keys], { encoding: 'utf8', env: inC }).stdout });
  });

  it('sysctls is exact for one-character values only: the keys collect reads are 0/1 switches (the program says so)', () => {
    const keys = STEPS.find((x) => x.name === 'sysctl')!.attempts[0].argv!.slice(2);
    for (const key of keys) {
      const value = spawnSync(SYSCTL, ['-e', '-n', key], { encoding: 'utf8', env: inC }).stdout;
      if (value !== '') expect(value, key).toMatch(/^[01]\n$/);
    }
  });

  it('iflink: `grep -H .` over every link: ifindex, iflink, mtu, address and the empty ifalias', async () => {
    const other = (await startLauncher(undefined, 'ip-n'))!;
    const links = readdirSync('/sys/class/net');
    expect(links.length).toBeGreaterThan(0);
    const paths = links.flatMap((n) => ['ifindex', 'iflink', 'mtu', 'address', 'ifalias'].map((f) => `/sys/class/net/${n}/${f}`));
    const got = other.request('iflink', paths);
    other.send();
    expect((await got)?.text).toBe(spawnSync(GREP, ['-H', '.', ...paths], { encoding: 'utf8' }).stdout);
  });

  it('iflink: a file that does not exist fails the read (the program then runs, and fails the same way)', async () => {
    const other = (await startLauncher(undefined, 'ip-n'))!;
    const got = other.request('iflink', ['/sys/class/net/no-such-link-fct/ifindex']);
    other.send();
    expect((await got)?.exitCode).not.toBe(0);
  });
});
