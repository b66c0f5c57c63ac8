// Which command lines the binary starts collect's launcher for before the command loads (src/collect/early.ts):
// plain collect on a node and collect --netns NAME, with only flags that change nothing the launcher runs. The
// expected answers are the rule as written in the issue, not the function's output.
import { describe, expect, it } from 'vitest';
import { earlyNetns } from '../../src/collect/early.js';

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
