// Human output fits the terminal (issue 13): trace, doctor and show (every subject) on the seed fixtures, and the
// other commands' views (whohas, pod-veth, repair, decode --summary), run
// by the built CLI inside a pseudo-terminal (util-linux `script`) whose width is set with `stty cols`, print no
// line wider than the terminal. COLUMNS is removed from the environment, so the width can only come from the pty.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SHOW_SUBJECTS } from '../../src/render/state-tables.js';
import { cliEntry, ROOT, runCli } from '../collect/cli.js';
import { describeNeeding } from '../netns/needs.js';

const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
const fixture = (name: string): string[] => ['--from-dir', `fixtures/nodes/${name}`];
const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
// eslint-disable-next-line no-control-regex -- colour sequences
const ANSI = /\x1b\[[0-9;]*m/g;

/** This process's environment less some variables. */
function without(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const n of names) delete env[n];
  return env;
}

/** flanctl ARGS in a pty of `cols` columns: its output as the terminal received it, and its exit status. */
function inPty(cols: number, args: string[], env: NodeJS.ProcessEnv = {}): { status: number; out: string } {
  const command = `stty cols ${cols} rows 60; exec ${[...cliEntry(), ...args].map(quote).join(' ')}`;
  const r = spawnSync('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: { ...without('COLUMNS', 'LINES', 'NO_COLOR'), TERM: 'xterm', ...env }, timeout: 60_000 });
  return { status: r.status ?? -1, out: (r.stdout ?? '').replace(/\r/g, '') };
}

/** Lines wider than `cols` once colour codes are removed (a line of exactly `cols` fills the row). */
const tooWide = (out: string, cols: number): string[] => out.replace(ANSI, '').split('\n').filter((l) => [...l].length > cols);

const CASES: [string, string[], RegExp][] = [
  ['trace, vxlan seed', ['trace', '10.27.13.5', ...fixture('k8snode028')], /evidence/],
  ['trace, ipip across two nodes', ['trace', '10.244.2.2', ...fixture('node1'), ...fixture('node2')], /evidence/],
  ['trace, host-gw seed', ['trace', '172.7.22.2', ...fixture('hdss7-21')], /evidence/],
  ['trace, not pod traffic', ['trace', '10.244.1.2', ...fixture('centos-node1')], /evidence/],
  ...['k8snode028', 'vms105', 'hdss7-21', 'node1'].map((n): [string, string[], RegExp] => [`doctor ${n}`, ['doctor', ...fixture(n)], /^node /m]),
  ...SHOW_SUBJECTS.map((s): [string, string[], RegExp] => [`show ${s} k8snode028`, ['show', s, ...fixture('k8snode028')], new RegExp(`┌|no ${s} on`)]),
  ['show iptables vms105', ['show', 'iptables', ...fixture('vms105')], /KUBE-SERVICES/],
  ['show sources, a pasted ticket', ['show', 'sources', '--from-dir', 'fixtures/tickets/seed-000-k8snode028.txt'], /read as/],
  ['show leases', ['show', 'leases', '--nodes', 'fixtures/leases/nodes-mixed.json', ...fixture('k8snode028')], /VtepMAC/],
  // the other commands' human views
  ['whohas', ['whohas', '42:32:74:de:24:50', ...fixture('k8snode028')], /where it leads/],
  ['pod-veth', ['pod-veth', ...fixture('node1')], /host veth/],
  ['repair --cluster (dry run)', ['repair', '--cluster', 'fixtures/cluster/stale-vtep'], /dry run/],
  ['decode --summary, anomalies', ['decode', 'fixtures/pcap/vxlan-anomalies.pcap', '--summary'], /Anomalies/],
  ['decode --summary, flows', ['decode', 'fixtures/pcap/vxlan-node1.pcap', '--summary'], /Flows/],
];

describeNeeding(hasScript, 'util-linux script (a pseudo-terminal)')('human output in a terminal', () => {
  describe.each([80, 100, 120])('%i columns', (cols) => {
    it.each(CASES)('%s', (_name, args, content) => {
      const r = inPty(cols, args);
      expect([0, 1]).toContain(r.status);
      expect(r.out).toMatch(content);
      expect(tooWide(r.out, cols)).toEqual([]);
    });
  });

  it('the verdicts are coloured in a terminal, and not with NO_COLOR', () => {
    expect(inPty(100, CASES[0][1]).out).toMatch(ANSI);
    expect(inPty(100, CASES[0][1], { NO_COLOR: '1' }).out).not.toMatch(ANSI);
  });

  it('--json is one document, never wrapped, whatever the width', () => {
    const narrow = JSON.parse(inPty(80, [...CASES[0][1], '--json']).out);
    const piped = runCli([...CASES[0][1], '--json']).json;
    expect(narrow).toEqual(piped);
    expect(Math.max(...piped.hops.map((h: { detail: string }) => h.detail.length))).toBeGreaterThan(60);
  });
});

describe('human output in a pipe', () => {
  const env = without('COLUMNS');
  it('100 columns without COLUMNS, COLUMNS when set; no colour', () => {
    const wide = runCli(['trace', '10.244.2.2', ...fixture('node1'), ...fixture('node2')], { env: { ...env, COLUMNS: '1000' } }).stdout;
    expect(Math.max(...wide.split('\n').map((l) => [...l].length))).toBeGreaterThan(100);
    const plain = runCli(['trace', '10.244.2.2', ...fixture('node1'), ...fixture('node2')], { env }).stdout;
    expect(tooWide(plain, 100)).toEqual([]);
    expect(plain).not.toMatch(ANSI);
    const narrow = runCli(['trace', '10.244.2.2', ...fixture('node1'), ...fixture('node2')], { env: { ...env, COLUMNS: '80' } }).stdout;
    expect(tooWide(narrow, 80)).toEqual([]);
  });
});
