// /sys/class/net/<name>/iflink listings, three shapes:
//   `grep . /sys/class/net/*/iflink` (ifindex files may be mixed in):  /sys/class/net/eth0/iflink:7
//   a table `name ifindex iflink` (header optional):                   eth0 2 7
//   `cat /sys/class/net/eth0/iflink` alone, a bare number:             7      (pass the name)
// Result: Iflink[] (src/model/iflink.ts), one per name, in input order.
import { Iflink } from '../model/iflink.js';
import { isIfname } from '../model/net.js';
import { fail, int, lines, tokens, validate } from './common.js';

const CMD = 'iflink';
const SYSFS = /^\/sys\/class\/net\/([^/\s]+)\/(iflink|ifindex):\s*(\S+)$/;

export function parseIflink(text: string, name?: string): Iflink[] {
  const all = lines(text);
  if (all.length === 1 && /^\s*\d+\s*$/.test(all[0].text)) {
    if (name === undefined) fail(CMD, 'a bare iflink number needs the interface name', all[0]);
    if (!isIfname(name)) fail(CMD, `not an interface name: ${JSON.stringify(name)}`);
    return [validate(CMD, Iflink, { name, iflink: int(CMD, all[0].text.trim(), 'iflink', all[0]) })];
  }
  const byName = new Map<string, Record<string, unknown>>();
  for (const line of all) {
    const m = SYSFS.exec(line.text.trim());
    let entry: Record<string, unknown>;
    if (m) {
      const [, dev, file, value] = m;
      if (!isIfname(dev)) fail(CMD, `not an interface name: ${JSON.stringify(dev)}`, line);
      entry = byName.get(dev) ?? { name: dev };
      entry[file] = int(CMD, value, file, line);
      byName.set(dev, entry);
      continue;
    }
    const t = tokens(line.text);
    if (t[0] === 'name' && t[1] === 'ifindex' && t[2] === 'iflink') continue;
    if (t.length !== 3) fail(CMD, 'expected `/sys/class/net/NAME/iflink:N` or `NAME IFINDEX IFLINK`', line);
    if (!isIfname(t[0])) fail(CMD, `not an interface name: ${JSON.stringify(t[0])}`, line);
    byName.set(t[0], { name: t[0], ifindex: int(CMD, t[1], 'ifindex', line), iflink: int(CMD, t[2], 'iflink', line) });
  }
  return [...byName.values()].map((e) => {
    if (e.iflink === undefined) fail(CMD, `no iflink for ${String(e.name)} (only ifindex given)`);
    return validate(CMD, Iflink, e);
  });
}
