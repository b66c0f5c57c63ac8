// `brctl show` (bridge-utils): one bridge per row, further ports on continuation lines, tab separated:
//   bridge name	bridge id		STP enabled	interfaces
//   cni0		8000.0a580a1d0d01	no		veth0985a0b8
//   							veth1253dd53
//   docker0		8000.0242fbd0e139	no
// A bridge with no ports has three columns. Read as a stream of words: a bridge starts where a name is
// followed by a bridge id and yes/no, every other word is a port of the bridge before it — so a paste that
// lost its line breaks (seed 000: the whole table on one line) reads the same. Result: BridgeInfo[]
// (src/model/bridge.ts), the bridge id as printed (priority.MAC) plus its MAC in `mac`.
import { BridgeInfo } from '../model/bridge.js';
import { isIfname } from '../model/net.js';
import { type Line, fail, lines, tokens, validate } from './common.js';

const CMD = 'brctl show';
const BRIDGE_ID = /^[0-9a-f]{4}\.([0-9a-f]{12})$/;
const HEADER = ['bridge', 'name', 'bridge', 'id', 'STP', 'enabled', 'interfaces'];

export function parseBrctlShow(text: string): BridgeInfo[] {
  const words = lines(text).flatMap((line) => tokens(line.text).map((w) => ({ w, line })));
  if (HEADER.every((h, i) => words[i]?.w === h)) words.splice(0, HEADER.length);
  const bridges: { name: string; bridgeId: string; mac: string; stp: boolean; interfaces: string[] }[] = [];
  for (let i = 0; i < words.length; i++) {
    const { w, line } = words[i];
    const id = words[i + 1]?.w.toLowerCase() ?? '';
    const m = BRIDGE_ID.exec(id);
    if (m && (words[i + 2]?.w === 'yes' || words[i + 2]?.w === 'no')) {
      bridges.push({ name: ifname(w, line), bridgeId: id, mac: m[1].match(/../g)!.join(':'), stp: words[i + 2].w === 'yes', interfaces: [] });
      i += 2;
      continue;
    }
    const last = bridges.at(-1);
    if (!last) fail(CMD, `expected "bridge name  bridge id  STP enabled", got ${JSON.stringify(w)}`, line);
    last.interfaces.push(ifname(w, line));
  }
  return bridges.map((b) => validate(CMD, BridgeInfo, b));
}

function ifname(name: string, line: Line): string {
  if (!isIfname(name)) fail(CMD, `not an interface name: ${JSON.stringify(name)}`, line);
  return name;
}
