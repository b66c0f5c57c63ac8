// What two of the collect steps' programs print, read from the kernel's files without starting them: on a node
// every process flanctl starts costs a fork of this large process. Only for the namespace flanctl itself runs in
// (a node, or `ip netns exec NS flanctl`): with --netns, /proc/sys/net and /sys are still this process's own.
// Any read error throws; the caller then runs the program, which reports it in its own words.
import { readFileSync } from 'node:fs';

const lines = (text: string): string[] => text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);

/** `sysctl -e KEY…`: `KEY = VALUE` per key whose file exists (-e: an unknown key is no error). */
export function sysctlText(keys: string[]): string {
  let out = '';
  for (const key of keys) {
    // a key names a file under /proc/sys: dots are directories (no device names with dots here)
    if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/.test(key)) throw new Error(`not a plain sysctl key: ${key}`);
    let text: string;
    try {
      text = readFileSync(`/proc/sys/${key.replaceAll('.', '/')}`, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const line of lines(text)) out += `${key} = ${line}\n`;
  }
  return out;
}

/** `grep -H . FILE…`: `FILE:LINE` for every non-empty line of each file. */
export function grepText(paths: string[]): string {
  let out = '';
  for (const path of paths) {
    for (const line of lines(readFileSync(path, 'utf8'))) if (line !== '') out += `${path}:${line}\n`;
  }
  return out;
}
