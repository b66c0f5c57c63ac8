// /etc/cni/net.d/10-flannel.conflist (CNI network configuration list, JSON):
//   { "name": "cbr0", "cniVersion": "0.3.1",
//     "plugins": [ { "type": "flannel", "delegate": { "hairpinMode": true, "isDefaultGateway": true } },
//                  { "type": "portmap", "capabilities": { "portMappings": true } } ] }
// A single-plugin `.conf` (top-level `type`, no `plugins`) is accepted and wrapped, marked `single: true`.
// Result: CniConflist (src/model/cni.ts), every other key kept.
import { CniConflist } from '../model/cni.js';
import { fail, validate } from './common.js';

const CMD = 'CNI conflist';

export function parseCniConflist(text: string): CniConflist {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    fail(CMD, `invalid JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(CMD, 'expected a JSON object');
  const obj = value as Record<string, unknown>;
  if (obj.plugins === undefined && typeof obj.type === 'string') {
    const { name, cniVersion, ...plugin } = obj;
    return validate(CMD, CniConflist, { name, cniVersion, plugins: [plugin], single: true });
  }
  return validate(CMD, CniConflist, obj);
}
