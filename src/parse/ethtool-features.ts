// `ethtool -k DEV` (offload features): a header and `feature: on|off [fixed|requested on]` lines,
//   Features for flannel.1:
//   rx-checksumming: on
//   	tx-checksum-ip-generic: on
//   	tx-checksum-ipv4: off [fixed]
// Result: Record<feature, value as printed> (e.g. 'on', 'off [fixed]'): the first word is the state.
import * as z from '../model/zod.js';
import { fail, lines, validate } from './common.js';

const CMD = 'ethtool -k';
const FEATURE = /^\s*([a-z0-9][a-z0-9_-]*):\s+((?:on|off)(?:\s+\[[a-z ]+\])?)\s*$/;

export function parseEthtoolFeatures(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines(text)) {
    if (/^Features\s+for\s+\S+:\s*$/.test(line.text.trim())) continue;
    const m = FEATURE.exec(line.text);
    if (!m) fail(CMD, 'expected `feature: on|off [fixed]`', line);
    out[m[1]] = m[2].replace(/\s+/g, ' ');
  }
  return validate(CMD, z.record(z.string(), z.string()), out);
}
