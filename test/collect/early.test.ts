// Which command lines the binary starts collect's launcher for before the command loads (src/collect/early.ts):
// plain collect on a node and collect --netns NAME, with only flags that change nothing the launcher runs. The
// expected answers are the rule as written in the issue, not the function's output.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { earlyNetns, startEarly, takeEarly } from '../../src/collect/early.js';
import { podForm } from '../../src/collect/pod-form.js';
import { itNeeding } from '../netns/needs.js';

const isRoot = process.getuid?.() === 0;

describe('earlyNetns', () => {
  it('serves collect on a node and collect --netns NAME (any form oclif takes), with -o/--raw-dir/--json', () => {
    expect(earlyNetns(['collect'])).toBeNull();
    expect(earlyNetns(['collect', '-o', 'node.json'])).toBeNull();
    expect(earlyNetns(['collect', '--json', '--raw-dir', 'raw'])).toBeNull();
    expect(earlyNetns(['collect', '--netns', 'node1'])).toBe('node1');
    expect(earlyNetns(['collect', '--netns=node1', '--output=x.json'])).toBe('node1');
    expect(earlyNetns(['collect', '-o', 'x.json', '--netns', 'cni-1234-abcd'])).toBe('cni-1234-abcd');
  });

  it('starts nothing for other commands, other flags, --help, cluster mode or a bad namespace name', () => {
    for (const argv of [
      [],
      ['trace', '10.1.2.3'],
      ['collect', '--help'],
      ['collect', '-h'],
      ['collect', '--all', '--ssh-hosts', 'hosts.txt'],
      ['collect', '--from-dir', 'fixtures/nodes/k8snode028'],
      ['collect', '--snapshot', 'a.json'],
      ['collect', 'extra'],
      ['collect', '--netns'],
      ['collect', '--netns', 'a', '--netns', 'b'],
      ['collect', '--netns', '../etc'],
      ['collect', '--netns', '..'],
      ['collect', '--netns', 'a b'],
      ['collect', '--json=yes'],
      ['collect', '-o', 'a', '--output', 'b'],
    ]) expect(earlyNetns(argv), argv.join(' ')).toBeUndefined();
  });
});

describe('startEarly', () => {
  // bin/binary.js calls it first thing: a launcher started in a callback would only start once everything before
  // that callback had run. Here the sh must have run before this test awaits anything.
  itNeeding(isRoot, 'root (the early launcher starts for root only)')('starts the launcher before it returns, and collect takes that one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flanctl-early-'));
    const marker = join(dir, 'started');
    // the script's first argument is the nonce; it writes its pid, then waits for requests on stdin as the launcher does
    const script = `echo $$ > ${marker}; read -r w`;
    try {
      startEarly(['collect'], script);
      // synchronous from here: no callback of this process can run until the loop below ends
      const limit = Date.now() + 5_000;
      while (!existsSync(marker) && Date.now() < limit) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      expect(existsSync(marker)).toBe(true);
      const early = takeEarly(script, undefined, ['node', podForm()]);
      expect(early?.args.slice(1)).toEqual(['node', podForm()]);
      early!.launched.write('go\n', true);
      expect(await early!.launched.done).toEqual({});
      expect(Number(readFileSync(marker, 'utf8'))).toBeGreaterThan(0);
      // taken once
      expect(takeEarly(script, undefined, ['node', podForm()])).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  itNeeding(isRoot, 'root (the early launcher starts for root only)')('a launcher that cannot be spawned throws nothing while the binary loads and leaves none to take', () => {
    // node's spawn throws at once on a NUL byte in an argument, as it does for a fork refused with ENOMEM
    const script = 'true\0';
    expect(() => startEarly(['collect'], script)).not.toThrow();
    expect(takeEarly(script, undefined, ['node', podForm()])).toBeUndefined();
  });
});
