// `brctl show` (bridge-utils): one bridge per row, further ports on continuation lines, tab separated:
//   bridge name	bridge id		STP enabled	interfaces
//   cni0		8000.0a580a1d0d01	no		veth0985a0b8
//   							veth1253dd53
//   docker0		8000.0242fbd0e139	no
// A bridge with no ports has three columns. Result: BridgeInfo[] (src/model/bridge.ts), the bridge id
// as printed (priority.MAC) plus its MAC in `mac`.
import { BridgeInfo } from '../model/bridge.js';
import { isIfname } from '../model/net.js';
import { type Line, fail, lines, tokens, validate } from './common.js';

const CMD = 'brctl show';
const BRIDGE_ID = /^[0-9a-f]{4}\.([0-9a-f]{12})$/;

export function parseBrctlShow(text: string): BridgeInfo[] {
  const bridges: { name: string; bridgeId: string; mac: string; stp: boolean; interfaces: string[] }[] = [];
  for (const line of lines(text)) {
    const t = tokens(line.text);
    if (t[0] === 'bridge' && t[1] === 'name') continue;
    if (t.length === 1) {
      // a further port of the bridge above (leading tabs may have been lost in a paste)
      const last = bridges.at(-1);
      if (!last) fail(CMD, 'interface line before any bridge', line);
      last.interfaces.push(port(t[0], line));
      continue;
    }
    if (/^\s/.test(line.text)) fail(CMD, 'continuation line with more than one interface', line);
    if (t.length !== 3 && t.length !== 4) fail(CMD, `expected bridge name, bridge id, STP enabled[, interface]; got ${t.length} columns`, line);
    const [name, id, stp, first] = t;
    if (!isIfname(name)) fail(CMD, `not a bridge name: ${JSON.stringify(name)}`, line);
    const m = BRIDGE_ID.exec(id.toLowerCase());
    if (!m) fail(CMD, `not a bridge id: ${JSON.stringify(id)}`, line);
    if (stp !== 'yes' && stp !== 'no') fail(CMD, `STP enabled should be yes or no, got ${JSON.stringify(stp)}`, line);
    bridges.push({
      name,
      bridgeId: id.toLowerCase(),
      mac: m[1].match(/../g)!.join(':'),
      stp: stp === 'yes',
      interfaces: first === undefined ? [] : [port(first, line)],
    });
  }
  return bridges.map((b) => validate(CMD, BridgeInfo, b));
}

function port(name: string, line: Line): string {
  if (!isIfname(name)) fail(CMD, `not an interface name: ${JSON.stringify(name)}`, line);
  return name;
}
