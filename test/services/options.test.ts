// Flags lost on the way (issue 13): every flag of every command must reach the options its service takes.
// The flag lists come from the commands themselves (their specs' flags), not from the mapper.
import { describe, expect, it } from 'vitest';
import Collect from '../../src/commands/collect.js';
import Decode from '../../src/commands/decode.js';
import Doctor from '../../src/commands/doctor.js';
import PodVeth from '../../src/commands/pod-veth.js';
import Probe from '../../src/commands/probe.js';
import Repair from '../../src/commands/repair.js';
import Show from '../../src/commands/show.js';
import Trace from '../../src/commands/trace.js';
import Whohas from '../../src/commands/whohas.js';
import { type FlagValues, toOptions } from '../../src/services/options.js';
import type { FlagSpec } from '../../src/cli/spec.js';

type FlagDef = Pick<FlagSpec, 'type' | 'multiple' | 'options'>;

/** A value for the flag unlike its default: true, the last listed option, a number, a string. */
function sample(name: string, def: FlagDef): unknown {
  if (def.type === 'boolean') return true;
  const one = def.options ? def.options[def.options.length - 1] : ['parallel', 'timeout', 'vni', 'limit', 'mtu', 'vxlan-port', 'known-vni'].includes(name) ? 4242 : `/value/of/${name}`;
  return def.multiple ? [one] : one;
}

const flagsOf = (c: { flags?: Record<string, unknown> }): [string, FlagDef][] => Object.entries(c.flags ?? {}) as [string, FlagDef][];

describe('toOptions: every command flag reaches the options', () => {
  const commands = { collect: Collect, decode: Decode, doctor: Doctor, 'pod-veth': PodVeth, probe: Probe, repair: Repair, show: Show, trace: Trace, whohas: Whohas };
  for (const [id, cmd] of Object.entries(commands)) {
    it.each(flagsOf(cmd))(`${id} --%s changes the options`, (name, def) => {
      const none = toOptions({});
      const given = toOptions({ [name]: sample(name, def) } as FlagValues);
      expect(given).not.toEqual(none);
    });
  }
});

describe('repair --cluster takes the same options as repair on a node', () => {
  // the flags the issue found dropped on the cluster path, and every other repair flag
  const repairFlags = flagsOf(Repair).map(([n]) => n);

  it('lists the flags the issue names', () => {
    expect(repairFlags).toEqual(expect.arrayContaining(['prune', 'node', 'etcd-cafile', 'etcd-certfile', 'etcd-keyfile', 'subnet-env', 'cluster', 'apply', 'yes', 'journal-dir']));
  });

  it.each(flagsOf(Repair).filter(([n]) => n !== 'cluster'))('--%s: the options with --cluster differ only by the directory', (name, def) => {
    const local = toOptions({ [name]: sample(name, def) } as FlagValues);
    const cluster = toOptions({ [name]: sample(name, def), cluster: '/c' } as FlagValues);
    expect({ ...cluster, cluster: undefined }).toEqual({ ...local, cluster: undefined });
    expect(cluster.cluster).toBe('/c');
  });
});
