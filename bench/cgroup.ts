// A cgroup v2 of the benchmark's own (under the unified hierarchy, wherever cgroup2 is mounted): the CPU its
// processes and all their children used, from cpu.stat's usage_usec (the core keeps it without the cpu controller).
// Removed again at the end; nothing else in the hierarchy is touched.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function cgroup2Root(): string {
  const mount = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .find((f) => f[2] === 'cgroup2');
  if (!mount) throw new Error('no cgroup2 mount (needed to count the nodes\' CPU)');
  return mount[1];
}

export class CpuGroup {
  readonly dir: string;
  readonly procs: string;

  constructor(name: string) {
    this.dir = join(cgroup2Root(), `flanctl-bench-${process.pid}-${name}`);
    mkdirSync(this.dir);
    this.procs = join(this.dir, 'cgroup.procs');
  }

  /** Move a running process (and the children it starts from now on) into this group. */
  add(pid: number): void {
    writeFileSync(this.procs, `${pid}\n`);
  }

  /** CPU microseconds used by everything that ever ran in the group (exited processes included). */
  usageUs(): number {
    const m = /^usage_usec (\d+)$/m.exec(readFileSync(join(this.dir, 'cpu.stat'), 'utf8'));
    if (!m) throw new Error(`no usage_usec in ${this.dir}/cpu.stat`);
    return Number(m[1]);
  }

  /** rmdir once its processes are gone (the sshds were stopped just before: give them a moment). */
  remove(): void {
    for (let i = 0; i < 50; i++) {
      try {
        rmdirSync(this.dir);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      }
    }
    console.error(`could not remove ${this.dir} (processes left in it?)`);
  }
}
