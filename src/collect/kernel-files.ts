// What `sysctl -e KEY…` prints, read from /proc/sys without starting it. Only for the namespace flanctl itself runs
// in (a node, or `ip netns exec NS flanctl`): with --netns, /proc/sys/net is still this process's own (the launcher
// runs the program there). Not the launcher's shell: an integer file under /proc/sys answers only a read at offset 0,
// and dash's `read` takes one byte at a time (`4096 131072 …` came back as `4`). Any read error throws; the caller
// then runs the program, which reports it in its own words.
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
