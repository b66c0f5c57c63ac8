// The binary starts from a heap saved at build time (scripts/sea.sh, useSnapshot), when stdout was no terminal:
// whether verdicts are coloured must be decided when it runs. In a pseudo-terminal (util-linux `script`) the seed
// trace's verdicts are coloured, and not with NO_COLOR, nor in a pipe.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeNeeding } from '../netns/needs.js';
import { binary, ROOT } from './hidden-node.js';

// eslint-disable-next-line no-control-regex -- the SGR sequences a coloured verdict carries
const ANSI = /\x1b\[[0-9;]*m/;
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
const seed = (bin: string): string[] => [bin, 'trace', '10.27.13.5', '--from-dir', join(ROOT, 'fixtures/nodes/k8snode028')];

function inPty(env: NodeJS.ProcessEnv): string {
  const base: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm' };
  delete base.NO_COLOR;
  const r = spawnSync('script', ['-q', '-e', '-c', seed(binary()).join(' '), '/dev/null'], { encoding: 'utf8', env: { ...base, ...env }, timeout: 60_000 });
  expect(r.status).toBe(0);
  return r.stdout;
}

describeNeeding(hasScript, 'util-linux script (a pseudo-terminal)')('the binary colours by the terminal it runs in', () => {
  it('coloured in a terminal', () => {
    expect(inPty({})).toMatch(ANSI);
  });

  it('not with NO_COLOR', () => {
    const out = inPty({ NO_COLOR: '1' });
    expect(out).toContain('NOT VERIFIED');
    expect(out).not.toMatch(ANSI);
  });

  it('not in a pipe', () => {
    const [bin, ...args] = seed(binary());
    const r = spawnSync(bin, args, { encoding: 'utf8' });
    expect(r.stdout).toContain('NOT VERIFIED');
    expect(r.stdout).not.toMatch(ANSI);
  });
});
