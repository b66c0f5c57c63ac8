// What a probe test checks after every probe: no capture (tcpdump), bound (timeout), ping or sender of ours is
// still running inside the lab's namespaces (`ip netns pids`).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const PROBE_PROGRAMS = ['tcpdump', 'timeout', 'ping'];

const comm = (pid: string): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

/** The processes named `names` running in namespace `ns`, with their pids (to kill them). */
export function processesIn(ns: string, names: string[] = PROBE_PROGRAMS): { pid: string; comm: string }[] {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip netns pids ${ns}: ${r.stderr.trim()}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((pid) => ({ pid, comm: comm(pid) }))
    .filter((p) => names.includes(p.comm));
}

/** Their names, for an assertion. */
export const leftovers = (ns: string, names?: string[]): string[] => processesIn(ns, names).map((p) => p.comm);
